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

// `workdir:` -> absolute normalized path of an existing directory; `false`
// -> "" (nothing is uploaded).
Status ParseWorkdir(const SpecContext& ctx, const YAML::Node& node, std::string* out);

// `envs:` or `secrets:` (`section`): NAME -> scalar, kept as written; names
// written without a value are added to `required` with their line.
Status ParseEnvs(const SpecContext& ctx, const YAML::Node& node, std::string_view section,
                 std::map<std::string, std::string>* out, std::map<std::string, int>* required);

// A duration in seconds: a number, or "90s", "30m", "2h", "1d", "1h30m"; in
// kDurationRange (one second to ten years).
Status ReadDuration(const SpecContext& ctx, const YAML::Node& node, const std::string& field,
                    std::optional<double>* out);

// `recovery:` -> RecoverySpec.
Status ParseRecovery(const SpecContext& ctx, const YAML::Node& node, RecoverySpec* out);

// `budget:` -> BudgetSpec.
Status ParseBudget(const SpecContext& ctx, const YAML::Node& node, BudgetSpec* out);

}  // namespace spotrun::spec

namespace spotrun::spec {

// Readers shared by spotrun's `resources:` and SkyPilot's (resource_sets.cc).
// `cpus`: a number or "N+" (at least N), or "=N" (exactly N).
Status ReadCpus(const SpecContext& ctx, const YAML::Node& node, const std::string& field,
                Resources* out);
// `memory`: a size ("16", "16G"), "16G+" (at least), "=16G" (exactly) or
// "4x" (at least 4 GiB per vCPU). `plain_exact`: a bare size means exactly
// (SkyPilot) rather than at least (spotrun).
Status ReadMemorySpec(const SpecContext& ctx, const YAML::Node& node, const std::string& field,
                      bool plain_exact, Resources* out);
// `ports`: a port, "FIRST-LAST", or a list of them.
Status ReadPorts(const SpecContext& ctx, const YAML::Node& node, const std::string& field,
                 std::vector<std::pair<int, int>>* out);
// `labels`: a mapping of tag key -> value.
Status ReadLabels(const SpecContext& ctx, const YAML::Node& node, const std::string& field,
                  std::map<std::string, std::string>* out);
// `resources.any_of` / `resources.ordered` of spotrun's format: a list of
// resource mappings, each read over a copy of `base` by `read_one`.
Status ReadAlternatives(
    const SpecContext& ctx, const YAML::Node& node, const std::string& field, const Resources& base,
    const std::function<Status(const YAML::Node&, const std::string&, Resources*)>& read_one,
    std::vector<Resources>* out);
// `name:` of a job: letters, digits, '.', '_', '-' (job_spec.cc).
Status ReadJobName(const SpecContext& ctx, const YAML::Node& node, std::string* out);
// `inputs:` remote path: inside the workdir, or "~/..." inside the home directory.
Status ReadInputRemote(const SpecContext& ctx, const YAML::Node& node, const std::string& field,
                       std::string* out);

}  // namespace spotrun::spec
