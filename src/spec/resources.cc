// Readers for the `resources:` and `budget:` sections.
#include <array>
#include <cctype>

#include "spec/sections.h"
#include "spec/units.h"

namespace spotrun::spec {

namespace {

Status ReadMemory(const SpecContext& ctx, const YAML::Node& node, const std::string& field,
                  double* out) {
  if (node.IsNull()) return Status::Ok();
  const std::optional<double> gib = node.IsScalar() ? ParseMemoryGib(node.Scalar()) : std::nullopt;
  if (!gib) {
    const std::string got = node.IsScalar() ? Quoted(node.Scalar()) : DescribeType(node);
    return ErrorAt(ctx, node, field,
                   "expected a size such as 16, \"16G\", \"16GiB\" or \"512M\", got " + got);
  }
  SPOTRUN_RETURN_IF_ERROR(CheckRange(ctx, node, field, *gib, kMemoryGibRange));
  *out = *gib;
  return Status::Ok();
}

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

Status ParseResources(const SpecContext& ctx, const YAML::Node& node, Resources* out) {
  auto string_field = [&](std::string_view key, std::string* target) {
    return FieldParser{key, [&ctx, target](const Entry& e, const std::string& f) {
                         return ReadString(ctx, e.value, f, target);
                       }};
  };
  const std::array<FieldParser, 10> parsers = {
      FieldParser{"cpus",
                  [&](const Entry& e, const std::string& f) {
                    return ReadNumber(ctx, e.value, f, kCpusRange, &out->cpus);
                  }},
      FieldParser{"memory",
                  [&](const Entry& e, const std::string& f) {
                    return ReadMemory(ctx, e.value, f, &out->memory_gib);
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
      string_field("image", &out->image),
  };
  return ParseFields(ctx, node, "resources", parsers);
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
