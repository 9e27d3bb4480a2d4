// Readers for the `resources:` and `budget:` sections.
#include <array>
#include <cctype>

#include "spec/sections.h"
#include "spec/units.h"

namespace spotrun::spec {

namespace {

bool IsAcceleratorName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
      return false;
    }
  }
  return true;
}

// "V100" or "V100:4".
Status ReadAccelerators(const SpecContext& ctx, const YAML::Node& node, const std::string& field,
                        Resources* out) {
  if (node.IsNull()) return Status::Ok();
  if (!node.IsScalar()) {
    return ErrorAt(ctx, node, field,
                   "expected a string such as \"V100:1\", got " + DescribeType(node));
  }
  const std::string& text = node.Scalar();
  const size_t colon = text.find(':');
  const std::string name = text.substr(0, colon);
  std::optional<int64_t> count = 1;
  if (colon != std::string::npos) count = ParseInteger(text.substr(colon + 1));
  if (!IsAcceleratorName(name) || !count) {
    return ErrorAt(ctx, node, field,
                   "expected NAME or NAME:COUNT such as \"V100:1\", got " + Quoted(text));
  }
  if (*count < 1 || *count > 1024) {
    return ErrorAt(ctx, node, field, "accelerator count must be between 1 and 1024, got " + text);
  }
  out->accelerator = name;
  out->accelerator_count = static_cast<int>(*count);
  return Status::Ok();
}

Status ReadOptionalPositive(const SpecContext& ctx, const YAML::Node& node,
                            const std::string& field, std::optional<double>* out) {
  if (node.IsNull()) return Status::Ok();
  double value = 0;
  SPOTRUN_RETURN_IF_ERROR(ReadPositiveNumber(ctx, node, field, &value));
  *out = value;
  return Status::Ok();
}

}  // namespace

Status ReadDuration(const SpecContext& ctx, const YAML::Node& node, const std::string& field,
                    std::optional<double>* out) {
  if (node.IsNull()) return Status::Ok();
  const std::optional<double> seconds =
      node.IsScalar() ? ParseDurationSeconds(node.Scalar()) : std::nullopt;
  if (!seconds) {
    const std::string got = node.IsScalar() ? Quoted(node.Scalar()) : DescribeType(node);
    return ErrorAt(ctx, node, field,
                   "expected seconds or a duration such as \"90s\", \"30m\", \"2h\", \"1d\" or "
                   "\"1h30m\", got " +
                       got);
  }
  if (*seconds <= 0) return ErrorAt(ctx, node, field, "must be > 0, got " + node.Scalar());
  *out = *seconds;
  return Status::Ok();
}

namespace {

// One resource set at `field` ("resources", or "resources.any_of[0]").
// Alternatives are read last, over the set's other fields.
Status ParseResourceSet(const SpecContext& ctx, const YAML::Node& node, const std::string& field,
                        bool top, Resources* out) {
  auto string_field = [&](std::string_view key, std::string* target) {
    return FieldParser{key, [&ctx, target](const Entry& e, const std::string& f) {
                         return ReadString(ctx, e.value, f, target);
                       }};
  };
  YAML::Node alternatives;
  std::string alternatives_field;
  auto alternatives_parser = [&](std::string_view key, bool ordered) {
    return FieldParser{key, [&, ordered](const Entry& e, const std::string& f) {
                         if (!top) return ErrorAt(ctx, e.key_node, f, "alternatives do not nest");
                         if (!alternatives_field.empty()) {
                           return ErrorAt(ctx, e.key_node, f, "give any_of or ordered, not both");
                         }
                         alternatives = e.value;
                         alternatives_field = f;
                         out->ordered = ordered;
                         return Status::Ok();
                       }};
  };
  const std::array<FieldParser, 14> parsers = {
      FieldParser{"cpus",
                  [&](const Entry& e, const std::string& f) {
                    return ReadCpus(ctx, e.value, f, out);
                  }},
      FieldParser{"memory",
                  [&](const Entry& e, const std::string& f) {
                    return ReadMemorySpec(ctx, e.value, f, false, out);
                  }},
      FieldParser{"accelerators",
                  [&](const Entry& e, const std::string& f) {
                    return ReadAccelerators(ctx, e.value, f, out);
                  }},
      string_field("instance_type", &out->instance_type),
      FieldParser{"use_spot",
                  [&](const Entry& e, const std::string& f) {
                    return ReadBool(ctx, e.value, f, &out->use_spot);
                  }},
      FieldParser{"max_price",
                  [&](const Entry& e, const std::string& f) {
                    return ReadOptionalPositive(ctx, e.value, f, &out->max_price);
                  }},
      string_field("region", &out->region),
      string_field("zone", &out->zone),
      FieldParser{"disk_size",
                  [&](const Entry& e, const std::string& f) {
                    return ReadIntInRange(ctx, e.value, f, 1, 16384, &out->disk_size_gb);
                  }},
      string_field("image", &out->image),
      FieldParser{"ports",
                  [&](const Entry& e, const std::string& f) {
                    return ReadPorts(ctx, e.value, f, &out->ports);
                  }},
      FieldParser{"labels",
                  [&](const Entry& e, const std::string& f) {
                    return ReadLabels(ctx, e.value, f, &out->labels);
                  }},
      alternatives_parser("any_of", false),
      alternatives_parser("ordered", true),
  };
  SPOTRUN_RETURN_IF_ERROR(ParseFields(ctx, node, field, parsers));
  if (alternatives_field.empty()) return Status::Ok();  // (A default Node tests true.)
  auto read_one = [&ctx](const YAML::Node& n, const std::string& f, Resources* r) {
    return ParseResourceSet(ctx, n, f, false, r);
  };
  return ReadAlternatives(ctx, alternatives, alternatives_field, *out, read_one, &out->any_of);
}

}  // namespace

Status ParseResources(const SpecContext& ctx, const YAML::Node& node, Resources* out) {
  return ParseResourceSet(ctx, node, "resources", true, out);
}

Status ParseBudget(const SpecContext& ctx, const YAML::Node& node, BudgetSpec* out) {
  const std::array<FieldParser, 3> parsers = {
      FieldParser{"expected_hours",
                  [&](const Entry& e, const std::string& f) {
                    std::optional<double> hours;
                    SPOTRUN_RETURN_IF_ERROR(ReadOptionalPositive(ctx, e.value, f, &hours));
                    if (hours) out->expected_s = *hours * 3600;
                    return Status::Ok();
                  }},
      FieldParser{"max_cost",
                  [&](const Entry& e, const std::string& f) {
                    return ReadOptionalPositive(ctx, e.value, f, &out->max_cost);
                  }},
      FieldParser{"max_duration",
                  [&](const Entry& e, const std::string& f) {
                    return ReadDuration(ctx, e.value, f, &out->max_duration_s);
                  }},
  };
  return ParseFields(ctx, node, "budget", parsers);
}

}  // namespace spotrun::spec
