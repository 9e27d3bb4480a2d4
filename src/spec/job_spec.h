// JobSpec: the job file (YAML) as a value. Every field documents its default;
// docs/job-spec.md describes the file format field by field.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "util/status.h"

namespace spotrun {

struct Resources {
  // Minimum vCPUs. Default: 1.
  double cpus = 1;
  // Minimum memory in GiB (the YAML accepts "16", "16G", "16GiB", "512M"). Default: 0 (any).
  double memory_gib = 0;
  // Accelerator name and count ("V100:1" -> {"V100", 1}); empty name = no accelerator.
  std::string accelerator;
  int accelerator_count = 0;
  // Pin one instance type ("p3.2xlarge"); empty = cheapest type that fits.
  std::string instance_type;
  // Spot market when true, on-demand when false. Default: true.
  bool use_spot = true;
  // Highest price in USD per hour we accept; unset = the type's on-demand price.
  std::optional<double> max_price;
  // Region; empty = the cloud's default (local: us-east-1, aws: from config).
  std::string region;
  // Zone (AZ id such as use1-az1, or a zone name); empty = any zone.
  std::string zone;
  // Root disk size in GB; 0 = not given: 50, or the image's root snapshot when larger.
  int disk_size_gb = 0;
  // Machine image: an AMI id ("ami-0abc..."), an alias of kImageAliases, or a
  // name pattern ("Deep Learning*PyTorch*") when image_owner is set. Empty =
  // chosen by instance type (docs/gpu.md): the Deep Learning AMI with PyTorch
  // for NVIDIA GPUs, else Ubuntu 24.04 LTS, of the type's architecture.
  std::string image;
  // Owner of the image name pattern (`image: {name: ..., owner: ...}`): an
  // account id or "amazon"; empty with an id or an alias.
  std::string image_owner;
  // Login user on the instance; empty = the image's (ubuntu, ec2-user...).
  std::string ssh_user;
  // `cpus: "=4"` / `memory: "=16G"`: exactly that much, not at least. Default: at least.
  bool cpus_exact = false;
  bool memory_exact = false;
  // `memory: "4x"`: at least this many GiB per vCPU of the instance; 0 = unused.
  double memory_per_cpu = 0;
  // TCP ports (or ranges, first..last) opened on the instance. Default: none.
  std::vector<std::pair<int, int>> ports;
  // Tags put on the instance (and its volume). Default: none.
  std::map<std::string, std::string> labels;
  // Alternatives: when not empty, the job may run on any of these resource
  // sets (each a full Resources, defaults already applied from the outer one);
  // `ordered` = tried in the written order, else cheapest offer first.
  std::vector<Resources> any_of;
  bool ordered = false;
};

// One input: a file or directory placed on the instance before setup.
struct InputSpec {
  std::string remote;   // Path on the instance, relative to the workdir there.
  std::string source;   // A local path (uploaded) or an http(s)/Google Drive/s3 URL.
  bool is_url = false;  // True when `source` is a URL the instance downloads itself.
  int line = 0;         // Line in the job file, for error messages.
};

// One output: remote path or glob, brought back into the results directory.
struct OutputSpec {
  std::string remote;  // Path or glob, relative to the workdir on the instance.
  std::string dest;    // Relative path inside the results directory; empty = basename(s).
  int line = 0;
};

struct CheckpointSpec {
  // Directory the job writes checkpoints to, relative to the workdir on the
  // instance; given to the job as SPOTRUN_CHECKPOINT_DIR. Default: "checkpoints".
  std::string dir = "checkpoints";
  // Seconds between copies of the checkpoint directory to the checkpoint store
  // (besides the final copy on an interruption notice). Default: 300.
  double sync_interval_s = 300;
  // Where verified checkpoints are also kept, so they outlive the controller's
  // disk: "s3://bucket/prefix/" (the job's id is appended). Empty = the
  // controller's disk only (SPOTRUN_HOME/jobs/<id>/checkpoints).
  std::string store;
};

// What happens when the instance is taken back or the job's own code fails.
struct RecoverySpec {
  // Times a failing `run` (non-zero exit, not a preemption) is started again,
  // on a new instance, from the last checkpoint. Default: 0.
  int max_restarts = 0;
  // Relaunch on on-demand capacity when no spot offer can be had. Default: false.
  bool on_demand_fallback = false;
  // Signal sent to the job on an interruption notice: SIGTERM (default),
  // SIGINT, SIGUSR1, SIGUSR2 or SIGHUP.
  std::string signal = "SIGTERM";
  // Seconds the job gets after the signal before the final checkpoint copy
  // (capped by the time left before the instance goes). Default: 60.
  double grace_period_s = 60;
  // The instance terminates itself when the controller has been silent this
  // many seconds (dead man's switch). Default: 1800.
  double controller_timeout_s = 1800;
};

struct BudgetSpec {
  // Hard cap on the job's total cost in USD; unset = no cap.
  std::optional<double> max_cost;
  // Wall-clock cap in seconds ("90m", "2h", "3600"); unset = no cap.
  std::optional<double> max_duration_s;
  // How long `run` needs on one instance, in seconds (the YAML gives hours);
  // with `deadline`, what the spot/on-demand policy plans with.
  std::optional<double> expected_s;
};

// A notebook session (`spotrun notebook`): Jupyter in place of `run`; the
// workdir's new and changed files are its checkpoint and its outputs.
struct NotebookSpec {
  bool enabled = false;
  // Stops after this long with no kernel busy, no activity and no open
  // `spotrun ssh` session (idle_minutes; default 30).
  double idle_s = 30 * 60;
};

struct JobSpec {
  // Job name: letters, digits, '-', '_' and '.'; default: the job file's directory name.
  std::string name;
  // "local" (default) or "aws".
  std::string cloud = "local";
  // aws: the only addresses allowed to reach SSH on the instance, as a CIDR
  // range ("203.0.113.7/32"); never one matching every address. Empty = the
  // SPOTRUN_SSH_CIDR variable, else this machine's public address.
  std::string ssh_cidr;
  Resources resources;
  // Local directory uploaded to the instance (honours .gitignore and .spotrunignore),
  // resolved relative to the job file. Default: the job file's directory.
  std::string workdir;
  std::vector<InputSpec> inputs;
  // Environment variables given to setup and run.
  std::map<std::string, std::string> envs;
  // Variables written without a value (`KEY:` / `KEY: null`) in envs or
  // secrets: required, given at launch with `--env KEY=VALUE` (ApplyEnvOverrides).
  // Maps the name to the line it was declared on.
  std::map<std::string, int> required_envs;
  // Secret variables for setup and run: like envs, but their values are held
  // in memory only (never stored, logged or shown). Values may be empty until
  // ApplyEnvOverrides fills them.
  std::map<std::string, std::string> secrets;
  // Shell script run once per instance before `run`; empty = none.
  std::string setup;
  // Shell script that trains. Required.
  std::string run;
  NotebookSpec notebook;
  std::vector<OutputSpec> outputs;
  CheckpointSpec checkpoint;
  RecoverySpec recovery;
  BudgetSpec budget;
  // Seconds after the launch by which the job must be done; unset = none. With
  // a deadline, `policy` chooses between spot and on-demand at every step.
  std::optional<double> deadline_s;
  // The spot/on-demand policy (src/policy/registry.h): "default" (spotrun's
  // own), "uniform-progress", "greedy", "spot-only" or "on-demand".
  std::string policy = "default";

  // Where the spec came from (absolute path of the job file).
  std::string source_path;
  // The file's format (SpecFormat::kSkyPilot when it was translated).
  int format = 0;
  // One line each: where the translation of a SkyPilot file changes meaning or
  // leaves something out on purpose ("FILE:LINE: FIELD: what spotrun does").
  std::vector<std::string> notes;
};

// Which job-file format to read. kAuto: SkyPilot's task format when the file
// uses a key only SkyPilot has (docs/skypilot.md), else spotrun's own.
enum class SpecFormat { kAuto = 0, kSpotrun = 1, kSkyPilot = 2 };
// "auto" / "spotrun" / "skypilot" -> SpecFormat; nullopt for anything else.
std::optional<SpecFormat> ParseSpecFormat(const std::string& name);

// Reads `--env` flags: "KEY=VALUE" sets KEY, "KEY" takes the value of KEY in
// `environ` (the caller's environment; an unset KEY is an error, one line).
Result<std::map<std::string, std::string>> ResolveEnvFlags(
    const std::vector<std::string>& flags, const std::map<std::string, std::string>& environ);

// Applies resolved `--env` values: a KEY declared in `secrets` sets the
// secret, any other sets envs. Then every required variable must have a
// value; errors are one line naming the file, the line and the field
// ("FILE:LINE:1: envs.KEY: required ...").
Status ApplyEnvOverrides(const std::map<std::string, std::string>& values, JobSpec* spec);

struct ParseOptions {
  // Which format the file is in. Default: recognised by its keys.
  SpecFormat format = SpecFormat::kAuto;
  // Resolved `--env` values, which `${VAR}` in SkyPilot's file_mounts sees.
  std::map<std::string, std::string> env_overrides;
  // The text was read before, by this same code (a job in the store): it is
  // not first parsed in a child process (spec/yaml_syntax.h).
  bool parsed_before = false;
  // For `spotrun notebook`: `run` may be absent and `idle_minutes` is read.
  bool notebook = false;
};

// The options for the text of a job in the store.
inline ParseOptions StoredSpecOptions(bool notebook = false) {
  ParseOptions o;
  o.parsed_before = true;
  o.notebook = notebook;
  return o;
}

// The names `resources.image` accepts besides an AMI id (cloud/aws resolves them).
inline constexpr const char* kImageAliases[] = {"ubuntu-22.04", "ubuntu-24.04", "dlami-pytorch",
                                                "dlami-base"};

// Parses and validates a job file, applying defaults. On error the Status is
// InvalidArgument and its message is one line: "FILE:LINE:COLUMN: FIELD: what
// is wrong", with LINE and COLUMN 1-based and FIELD a path such as
// "resources.cpus", "outputs[1]" (0-based) or "inputs.data/train.csv". Errors
// about the file as a whole (YAML syntax, top level not a mapping, several
// documents, non-string keys at the top level) have no FIELD:
// "FILE:LINE:COLUMN: what is wrong". A file that cannot be read gives
// "FILE: why". Paths in the result are normalized: local ones (workdir, local
// input sources) absolute, remote ones and output destinations relative.
// Reads the disk to check the workdir and local inputs; never throws.
Result<JobSpec> LoadJobSpec(const std::string& path, const ParseOptions& options = {});

// Same, from text already in memory; `path` is used in messages and to
// resolve relative paths (an empty `path` resolves them against the current
// directory and leaves source_path empty).
Result<JobSpec> ParseJobSpec(const std::string& text, const std::string& path,
                             const ParseOptions& options = {});

}  // namespace spotrun
