#include "spec/job_file_writer.h"

#include <yaml-cpp/yaml.h>

#include <sstream>

namespace spotrun {

namespace {

std::string Number(double v) {
  std::ostringstream out;
  out.precision(12);
  out << v;
  return out.str();
}

void WriteMap(YAML::Emitter& out, const char* key, const std::map<std::string, std::string>& map,
              bool values) {
  if (map.empty()) return;
  out << YAML::Key << key << YAML::Value << YAML::BeginMap;
  for (const auto& [k, v] : map) {
    out << YAML::Key << k << YAML::Value;
    if (values && !v.empty()) {
      out << YAML::DoubleQuoted << v;
    } else {
      out << YAML::Null;
    }
  }
  out << YAML::EndMap;
}

void WriteResourceSet(YAML::Emitter& out, const Resources& r) {
  out << YAML::BeginMap;
  out << YAML::Key << "cpus" << YAML::Value << (r.cpus_exact ? "=" : "") + Number(r.cpus);
  if (r.memory_per_cpu > 0) {
    out << YAML::Key << "memory" << YAML::Value << Number(r.memory_per_cpu) + "x";
  } else if (r.memory_gib > 0) {
    out << YAML::Key << "memory" << YAML::Value
        << (r.memory_exact ? "=" : "") + Number(r.memory_gib) + "G";
  }
  if (r.accelerator_count > 0) {
    out << YAML::Key << "accelerators" << YAML::Value
        << r.accelerator + ":" + std::to_string(r.accelerator_count);
  }
  if (!r.instance_type.empty())
    out << YAML::Key << "instance_type" << YAML::Value << r.instance_type;
  out << YAML::Key << "use_spot" << YAML::Value << r.use_spot;
  if (r.max_price) out << YAML::Key << "max_price" << YAML::Value << Number(*r.max_price);
  if (!r.region.empty()) out << YAML::Key << "region" << YAML::Value << r.region;
  if (!r.zone.empty()) out << YAML::Key << "zone" << YAML::Value << r.zone;
  if (r.disk_size_gb > 0) out << YAML::Key << "disk_size" << YAML::Value << r.disk_size_gb;
  if (!r.image.empty() && r.image_owner.empty()) {
    out << YAML::Key << "image" << YAML::Value << r.image;
  } else if (!r.image.empty()) {
    out << YAML::Key << "image" << YAML::Value << YAML::BeginMap << YAML::Key << "name"
        << YAML::Value << r.image << YAML::Key << "owner" << YAML::Value << r.image_owner
        << YAML::EndMap;
  }
  if (!r.ssh_user.empty()) out << YAML::Key << "ssh_user" << YAML::Value << r.ssh_user;
  if (!r.ports.empty()) {
    out << YAML::Key << "ports" << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (const auto& [first, last] : r.ports) {
      out << (first == last ? std::to_string(first)
                            : std::to_string(first) + "-" + std::to_string(last));
    }
    out << YAML::EndSeq;
  }
  WriteMap(out, "labels", r.labels, true);
  if (!r.any_of.empty()) {
    out << YAML::Key << (r.ordered ? "ordered" : "any_of") << YAML::Value << YAML::BeginSeq;
    for (const Resources& alternative : r.any_of) WriteResourceSet(out, alternative);
    out << YAML::EndSeq;
  }
  out << YAML::EndMap;
}

void WriteScript(YAML::Emitter& out, const char* key, const std::string& script) {
  if (script.empty()) return;
  out << YAML::Key << key << YAML::Value;
  if (script.find('\n') != std::string::npos) {
    out << YAML::Literal << script;
  } else {
    out << YAML::DoubleQuoted << script;
  }
}

void WriteTransfers(YAML::Emitter& out, const JobSpec& spec) {
  if (spec.workdir.empty()) {
    out << YAML::Key << "workdir" << YAML::Value << false;
  } else {
    out << YAML::Key << "workdir" << YAML::Value << spec.workdir;
  }
  if (!spec.inputs.empty()) {
    out << YAML::Key << "inputs" << YAML::Value << YAML::BeginMap;
    for (const InputSpec& in : spec.inputs)
      out << YAML::Key << in.remote << YAML::Value << in.source;
    out << YAML::EndMap;
  }
  if (!spec.outputs.empty()) {
    out << YAML::Key << "outputs" << YAML::Value << YAML::BeginSeq;
    for (const OutputSpec& o : spec.outputs) {
      if (o.dest.empty()) {
        out << o.remote;
      } else {
        out << YAML::BeginMap << YAML::Key << o.remote << YAML::Value << o.dest << YAML::EndMap;
      }
    }
    out << YAML::EndSeq;
  }
}

void WritePolicies(YAML::Emitter& out, const JobSpec& spec) {
  const CheckpointSpec& c = spec.checkpoint;
  out << YAML::Key << "checkpoint" << YAML::Value << YAML::BeginMap << YAML::Key << "dir"
      << YAML::Value << c.dir << YAML::Key << "sync_interval" << YAML::Value
      << Number(c.sync_interval_s);
  if (!c.store.empty()) out << YAML::Key << "store" << YAML::Value << c.store;
  out << YAML::EndMap;
  const RecoverySpec& r = spec.recovery;
  out << YAML::Key << "recovery" << YAML::Value << YAML::BeginMap << YAML::Key << "max_restarts"
      << YAML::Value << r.max_restarts << YAML::Key << "on_demand_fallback" << YAML::Value
      << r.on_demand_fallback << YAML::Key << "signal" << YAML::Value << r.signal << YAML::Key
      << "grace_period" << YAML::Value << Number(r.grace_period_s) << YAML::Key
      << "controller_timeout" << YAML::Value << Number(r.controller_timeout_s) << YAML::EndMap;
  const BudgetSpec& b = spec.budget;
  if (b.max_cost || b.max_duration_s || b.expected_s) {
    out << YAML::Key << "budget" << YAML::Value << YAML::BeginMap;
    if (b.expected_s)
      out << YAML::Key << "expected_hours" << YAML::Value << Number(*b.expected_s / 3600);
    if (b.max_cost) out << YAML::Key << "max_cost" << YAML::Value << Number(*b.max_cost);
    if (b.max_duration_s)
      out << YAML::Key << "max_duration" << YAML::Value << Number(*b.max_duration_s);
    out << YAML::EndMap;
  }
  if (spec.deadline_s) {
    out << YAML::Key << "deadline" << YAML::Value << Number(*spec.deadline_s);
    out << YAML::Key << "policy" << YAML::Value << spec.policy;
  }
}

}  // namespace

std::string WriteJobFile(const JobSpec& spec, const std::string& header) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << spec.name;
  out << YAML::Key << "cloud" << YAML::Value << spec.cloud;
  if (!spec.ssh_cidr.empty()) out << YAML::Key << "ssh_cidr" << YAML::Value << spec.ssh_cidr;
  out << YAML::Key << "resources" << YAML::Value;
  WriteResourceSet(out, spec.resources);
  WriteTransfers(out, spec);
  std::map<std::string, std::string> envs = spec.envs;
  for (const auto& [key, line] : spec.required_envs) {
    if (!spec.secrets.count(key)) envs[key] = "";
  }
  WriteMap(out, "envs", envs, true);
  WriteMap(out, "secrets", spec.secrets, false);  // Names only: values never leave memory.
  WriteScript(out, "setup", spec.setup);
  WriteScript(out, "run", spec.run);
  WritePolicies(out, spec);
  out << YAML::EndMap;
  std::string text;
  std::istringstream lines(header);
  for (std::string line; std::getline(lines, line);) text += "# " + line + "\n";
  for (const std::string& note : spec.notes) text += "# note: " + note + "\n";
  return text + out.c_str() + "\n";
}

}  // namespace spotrun
