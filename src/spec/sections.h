// Internal to src/spec/: readers for the job file's sections. Each reads the
// value node of one top-level key (never null: callers skip empty values),
// validates it and fills its part of JobSpec, or returns the one-line error
// of the first mistake found. Readers that check local paths read the disk.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "spec/job_spec.h"
#include "spec/spec_reader.h"

namespace spotrun::spec {

// `resources:` -> Resources; fields not given keep their defaults.
Status ParseResources(const SpecContext& ctx, const YAML::Node& node, Resources* out);

// `inputs:` (remote path -> local path or URL); local sources must exist.
Status ParseInputs(const SpecContext& ctx, const YAML::Node& node, std::vector<InputSpec>* out);

// `outputs:` as a list of paths / one-entry {remote: dest} mappings, or as a
// mapping remote -> dest.
Status ParseOutputs(const SpecContext& ctx, const YAML::Node& node, std::vector<OutputSpec>* out);

// `checkpoint:` -> CheckpointSpec.
Status ParseCheckpoint(const SpecContext& ctx, const YAML::Node& node, CheckpointSpec* out);

// `workdir:` -> absolute normalized path of an existing directory.
Status ParseWorkdir(const SpecContext& ctx, const YAML::Node& node, std::string* out);

// `envs:` (NAME -> scalar, kept as written).
Status ParseEnvs(const SpecContext& ctx, const YAML::Node& node,
                 std::map<std::string, std::string>* out);

// A duration in seconds: a number, or "90s", "30m", "2h", "1d", "1h30m"; in
// kDurationRange (one second to ten years).
Status ReadDuration(const SpecContext& ctx, const YAML::Node& node, const std::string& field,
                    std::optional<double>* out);

// `recovery:` -> RecoverySpec.
Status ParseRecovery(const SpecContext& ctx, const YAML::Node& node, RecoverySpec* out);

// `budget:` -> BudgetSpec.
Status ParseBudget(const SpecContext& ctx, const YAML::Node& node, BudgetSpec* out);

}  // namespace spotrun::spec
