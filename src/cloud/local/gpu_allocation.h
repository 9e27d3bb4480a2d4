// Which of the machine's GPUs each local instance holds. Launches run in
// separate processes (one controller per job), so the record is on disk:
// an instance's GPUs are in its sandbox's gpus.json ({"indices": [0, 1]}),
// written under an exclusive lock on ROOT/gpus.lock together with the scan of
// every other instance's, so that two instances never hold one GPU. An
// instance holds its GPUs until its meta.json says it is terminated.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "cloud/local/machine.h"
#include "util/status.h"

namespace spotrun {

// GPU index -> the instance holding it.
using GpusInUse = std::map<int, std::string>;

// `count` GPUs of `model` (lowest index first) that are not in `in_use`.
// kCapacity when fewer are free, naming which instances hold the others.
Result<std::vector<int>> PickFreeGpus(const std::vector<LocalGpu>& gpus, const GpusInUse& in_use,
                                      const std::string& model, int count);

// The GPUs held by the instances under ROOT/instances that are not terminated.
GpusInUse ScanGpusInUse(const std::string& root);

// Under the lock: picks `count` GPUs of `model` for the instance `id`, creates
// its sandbox directory ROOT/instances/<id> and writes its gpus.json there.
Result<std::vector<int>> AllocateGpus(const std::string& root, const std::string& id,
                                      const MachineCapacity& machine, const std::string& model,
                                      int count);

// The GPUs the instance in `instance_dir` holds; empty when none.
std::vector<int> AssignedGpus(const std::string& instance_dir);

// What every process of the instance gets: CUDA_VISIBLE_DEVICES listing its
// GPUs ("" when it holds none, which hides the machine's GPUs from CUDA).
std::map<std::string, std::string> InstanceGpuEnvironment(const std::string& instance_dir);

}  // namespace spotrun
