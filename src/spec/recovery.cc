// Reader for the `recovery:` section.
#include <array>

#include "spec/sections.h"

namespace spotrun::spec {

namespace {

constexpr std::array<std::string_view, 5> kSignals = {"SIGTERM", "SIGINT", "SIGUSR1", "SIGUSR2",
                                                      "SIGHUP"};

Status ReadSignal(const SpecContext& ctx, const YAML::Node& node, const std::string& field,
                  std::string* out) {
  std::string name = *out;
  SPOTRUN_RETURN_IF_ERROR(ReadString(ctx, node, field, &name));
  for (auto s : kSignals) {
    if (name == s) {
      *out = name;
      return Status::Ok();
    }
  }
  return ErrorAt(ctx, node, field,
                 "expected one of SIGTERM, SIGINT, SIGUSR1, SIGUSR2, SIGHUP, got " + Quoted(name));
}

Status ReadSeconds(const SpecContext& ctx, const YAML::Node& node, const std::string& field,
                   double* out) {
  std::optional<double> seconds;
  SPOTRUN_RETURN_IF_ERROR(ReadDuration(ctx, node, field, &seconds));
  if (seconds) *out = *seconds;
  return Status::Ok();
}

}  // namespace

Status ParseRecovery(const SpecContext& ctx, const YAML::Node& node, RecoverySpec* out) {
  const std::array<FieldParser, 5> parsers = {
      FieldParser{"max_restarts",
                  [&](const Entry& e, const std::string& f) {
                    return ReadIntInRange(ctx, e.value, f, 0, 1000, &out->max_restarts);
                  }},
      FieldParser{"on_demand_fallback",
                  [&](const Entry& e, const std::string& f) {
                    return ReadBool(ctx, e.value, f, &out->on_demand_fallback);
                  }},
      FieldParser{"signal",
                  [&](const Entry& e, const std::string& f) {
                    return ReadSignal(ctx, e.value, f, &out->signal);
                  }},
      FieldParser{"grace_period",
                  [&](const Entry& e, const std::string& f) {
                    return ReadSeconds(ctx, e.value, f, &out->grace_period_s);
                  }},
      FieldParser{"controller_timeout",
                  [&](const Entry& e, const std::string& f) {
                    return ReadSeconds(ctx, e.value, f, &out->controller_timeout_s);
                  }},
  };
  return ParseFields(ctx, node, "recovery", parsers);
}

}  // namespace spotrun::spec
