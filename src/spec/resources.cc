// Readers for the `resources:` and `budget:` sections.
#include <algorithm>
#include <array>
#include <cctype>
#include <iterator>

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

// `image:` "ami-...", an alias, or {name: PATTERN, owner: OWNER}.
Status ReadImage(const SpecContext& ctx, const YAML::Node& node, const std::string& field,
                 Resources* out) {
  if (node.IsNull()) return Status::Ok();
  if (node.IsMap()) {
    std::string name, owner;
    const std::array<FieldParser, 2> parsers = {
        FieldParser{"name",
                    [&](const Entry& e, const std::string& f) {
                      return ReadString(ctx, e.value, f, &name);
                    }},
        FieldParser{"owner",
                    [&](const Entry& e, const std::string& f) {
                      return ReadString(ctx, e.value, f, &owner);
                    }},
    };
    SPOTRUN_RETURN_IF_ERROR(ParseFields(ctx, node, field, parsers));
    if (name.empty() || owner.empty()) {
      return ErrorAt(ctx, node, field,
                     "a name pattern needs both name and owner, e.g. {name: \"Deep "
                     "Learning*PyTorch*\", owner: amazon}");
    }
    out->image = name;
    out->image_owner = owner;
    return Status::Ok();
  }
  std::string image;
  SPOTRUN_RETURN_IF_ERROR(ReadString(ctx, node, field, &image));
  const auto& aliases = kImageAliases;
  bool alias = std::find(std::begin(aliases), std::end(aliases), image) != std::end(aliases);
  bool id = image.rfind("ami-", 0) == 0 && image.size() > 4 &&
            image.find_first_not_of("0123456789abcdef", 4) == std::string::npos;
  if (!alias && !id) {
    return ErrorAt(ctx, node, field,
                   "expected an AMI id (ami-0abc...), an alias (ubuntu-22.04, ubuntu-24.04, "
                   "dlami-pytorch, dlami-base) or {name: PATTERN, owner: OWNER}, got " +
                       Quoted(image));
  }
  out->image = image;
  return Status::Ok();
}

// `ssh_user:` a login name.
Status ReadSshUser(const SpecContext& ctx, const YAML::Node& node, const std::string& field,
                   std::string* out) {
  std::string user;
  SPOTRUN_RETURN_IF_ERROR(ReadString(ctx, node, field, &user));
  if (node.IsNull()) return Status::Ok();
  const bool valid = !user.empty() && user[0] != '-' &&
                     user.find_first_not_of(
                         "abcdefghijklmnopqrstuvwxyz"
                         "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == std::string::npos;
  if (!valid) {
    return ErrorAt(ctx, node, field, "expected a login name such as ubuntu, got " + Quoted(user));
  }
  *out = user;
  return Status::Ok();
}

Status ReadOptionalNumber(const SpecContext& ctx, const YAML::Node& node, const std::string& field,
                          const NumberRange& range, std::optional<double>* out) {
  if (node.IsNull()) return Status::Ok();
  double value = 0;
  SPOTRUN_RETURN_IF_ERROR(ReadNumber(ctx, node, field, range, &value));
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
  SPOTRUN_RETURN_IF_ERROR(CheckRange(ctx, node, field, *seconds, kDurationRange));
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
  const std::array<FieldParser, 15> parsers = {
      FieldParser{"cpus", [&](const Entry& e,
                              const std::string& f) { return ReadCpus(ctx, e.value, f, out); }},
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
                    return ReadOptionalNumber(ctx, e.value, f, kMaxPriceRange, &out->max_price);
                  }},
      string_field("region", &out->region),
      string_field("zone", &out->zone),
      FieldParser{"disk_size",
                  [&](const Entry& e, const std::string& f) {
                    return ReadIntInRange(ctx, e.value, f, 1, 16384, &out->disk_size_gb);
                  }},
      FieldParser{"image", [&](const Entry& e,
                               const std::string& f) { return ReadImage(ctx, e.value, f, out); }},
      FieldParser{"ssh_user",
                  [&](const Entry& e, const std::string& f) {
                    return ReadSshUser(ctx, e.value, f, &out->ssh_user);
                  }},
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
                    SPOTRUN_RETURN_IF_ERROR(
                        ReadOptionalNumber(ctx, e.value, f, kExpectedHoursRange, &hours));
                    if (hours) out->expected_s = *hours * 3600;
                    return Status::Ok();
                  }},
      FieldParser{"max_cost",
                  [&](const Entry& e, const std::string& f) {
                    return ReadOptionalNumber(ctx, e.value, f, kMaxCostRange, &out->max_cost);
                  }},
      FieldParser{"max_duration",
                  [&](const Entry& e, const std::string& f) {
                    return ReadDuration(ctx, e.value, f, &out->max_duration_s);
                  }},
  };
  return ParseFields(ctx, node, "budget", parsers);
}

}  // namespace spotrun::spec
