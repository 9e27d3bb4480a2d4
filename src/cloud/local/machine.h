// The machine the local cloud runs on: its CPUs, memory and NVIDIA GPUs (as
// nvidia-smi lists them), and the instance types it can stand in for. Pure
// code over values except MachineCapacity::Probe. docs/local-cloud.md.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "catalog/catalog.h"

namespace spotrun {

// One GPU of this machine.
struct LocalGpu {
  int index = 0;          // nvidia-smi's index: what CUDA_VISIBLE_DEVICES names.
  std::string uuid;       // "GPU-5f3c..."
  std::string name;       // "NVIDIA H100 80GB HBM3"
  std::string model;      // "H100": the name the catalog and `accelerators:` use.
  double memory_mib = 0;  // memory.total
  std::string driver;     // "580.159.04"
};

// The nvidia-smi arguments whose output ParseNvidiaSmiCsv reads.
inline constexpr const char* kNvidiaSmiQuery =
    "--query-gpu=index,uuid,name,memory.total,driver_version";
inline constexpr const char* kNvidiaSmiFormat = "--format=csv,noheader,nounits";

// Parses the output of `nvidia-smi kNvidiaSmiQuery kNvidiaSmiFormat` (one
// GPU per line; a " MiB" unit is accepted too). Lines that do not parse are
// skipped.
std::vector<LocalGpu> ParseNvidiaSmiCsv(const std::string& text);

// The model AWS sells a GPU as, from nvidia-smi's name: the first word after
// the maker's ("NVIDIA", "Tesla", "GeForce", "Quadro"), cut at '-':
// "NVIDIA A100-SXM4-40GB" -> "A100", "Tesla T4" -> "T4". A word of letters
// only keeps the next one: "NVIDIA GeForce RTX 4090" -> "RTX-4090".
std::string GpuModel(const std::string& name);

// What the machine can actually give.
struct MachineCapacity {
  double cpus = 0;
  double memory_gib = 0;
  std::vector<LocalGpu> gpus;
  // Reads /proc and runs nvidia-smi (from PATH; no GPUs when it is missing or fails).
  // `env`: the environment nvidia-smi is looked up and run in (null = this
  // process's).
  static MachineCapacity Probe(const std::map<std::string, std::string>* env = nullptr);
  // How many GPUs of `model` (compared without case) the machine has.
  int CountOf(const std::string& model) const;
};

// The name of the local type for `count` GPUs of `model`: "local-h200x2".
std::string LocalGpuTypeName(const std::string& model, int count);

// The offers this machine can run, from `catalog`:
// - every type without GPUs, as it is;
// - a GPU type only when the machine has at least its count of that model;
// - for each count 1..N of a model the machine has N of, where the catalog
//   has no type of that model and count, a local type (LocalGpuTypeName)
//   with a share of the machine's CPUs and memory, in every zone where the
//   catalog sells that model, priced per GPU like the catalog's smallest type
//   of the model there; when the catalog has no type of that model at all,
//   in every zone of the catalog at $0 (spot and on-demand).
std::vector<Offer> MachineOffers(const std::vector<Offer>& catalog, const MachineCapacity& machine);

// True for the names LocalGpuTypeName makes.
bool IsLocalGpuType(const std::string& instance_type);

}  // namespace spotrun
