// Internal to src/spec/: SkyPilot's task format (docs/skypilot.md), read into
// spotrun's JobSpec with SkyPilot's meaning. A field spotrun cannot honour is
// an error naming the file, line and field; a field honoured differently
// adds a one-line note to JobSpec::notes. Reads the disk to check local paths.
#pragma once

#include "spec/job_spec.h"
#include "spec/spec_reader.h"

namespace spotrun::spec {

// True when `root` (a mapping) uses a key only SkyPilot's format has and no
// key only spotrun's has.
bool LooksLikeSkyPilot(const YAML::Node& root);

// The whole task file -> `spec` (name already defaulted).
Status ParseSkyPilot(const SpecContext& ctx, const YAML::Node& root, JobSpec* spec);

// `resources:` -> spec->resources, spec->cloud, spec->recovery (job_recovery);
// notes go to spec->notes. (skypilot_resources.cc)
Status ParseSkyResources(const SpecContext& ctx, const YAML::Node& node, JobSpec* spec);

// `file_mounts:` -> spec->inputs, with ${VAR} replaced from `vars`.
// (skypilot_mounts.cc)
Status ParseSkyFileMounts(const SpecContext& ctx, const YAML::Node& node,
                          const std::map<std::string, std::string>& vars, JobSpec* spec);

// "FILE:LINE: FIELD: text" for JobSpec::notes.
std::string NoteAt(const SpecContext& ctx, const YAML::Node& at, const std::string& field,
                   const std::string& text);

}  // namespace spotrun::spec
