#include "cloud/local/gpu_allocation.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "util/ascii.h"
#include "util/fs.h"

namespace spotrun {
namespace {

using nlohmann::json;

std::string GpusFile(const std::string& instance_dir) { return instance_dir + "/gpus.json"; }

// An instance that is being launched has no meta.json yet: it holds its GPUs.
bool Terminated(const std::string& instance_dir) {
  auto meta = ReadFile(instance_dir + "/meta.json");
  if (!meta.ok()) return false;
  json j = json::parse(*meta, nullptr, false);
  return j.is_object() && j.value("state", "") == "terminated";
}

// Holds an exclusive flock on a file while alive.
class FileLock {
 public:
  explicit FileLock(const std::string& path) : fd_(open(path.c_str(), O_CREAT | O_RDWR, 0644)) {
    if (fd_ >= 0) locked_ = flock(fd_, LOCK_EX) == 0;
  }
  ~FileLock() {
    if (fd_ >= 0) close(fd_);
  }
  bool locked() const { return locked_; }

 private:
  int fd_;
  bool locked_ = false;
};

std::string HoldersText(const std::vector<LocalGpu>& gpus, const GpusInUse& in_use,
                        const std::string& model) {
  std::ostringstream m;
  for (const LocalGpu& g : gpus) {
    auto held = in_use.find(g.index);
    if (!EqualsNoCase(g.model, model) || held == in_use.end()) continue;
    m << (m.tellp() ? ", " : "") << "GPU " << g.index << " by " << held->second;
  }
  return m.str();
}

}  // namespace

Result<std::vector<int>> PickFreeGpus(const std::vector<LocalGpu>& gpus, const GpusInUse& in_use,
                                      const std::string& model, int count) {
  std::vector<int> picked;
  int total = 0;
  for (const LocalGpu& g : gpus) {
    if (!EqualsNoCase(g.model, model)) continue;
    ++total;
    if (!in_use.count(g.index) && static_cast<int>(picked.size()) < count) {
      picked.push_back(g.index);
    }
  }
  if (static_cast<int>(picked.size()) == count) return picked;
  int free = 0;
  for (const LocalGpu& g : gpus) free += EqualsNoCase(g.model, model) && !in_use.count(g.index);
  std::ostringstream m;
  m << model << ":" << count << " needs " << count << " free GPU(s); " << free << " of this "
    << "machine's " << total << " " << model << " are free";
  if (std::string held = HoldersText(gpus, in_use, model); !held.empty()) {
    m << " (in use: " << held << ")";
  }
  return CapacityError(m.str());
}

GpusInUse ScanGpusInUse(const std::string& root) {
  GpusInUse out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(root + "/instances", ec)) {
    const std::string dir = entry.path().string();
    if (Terminated(dir)) continue;
    for (int index : AssignedGpus(dir)) out[index] = entry.path().filename().string();
  }
  return out;
}

Result<std::vector<int>> AllocateGpus(const std::string& root, const std::string& id,
                                      const MachineCapacity& machine, const std::string& model,
                                      int count) {
  SPOTRUN_RETURN_IF_ERROR(MakeDirs(root + "/instances"));
  FileLock lock(root + "/gpus.lock");
  if (!lock.locked()) return Internal("cannot lock " + root + "/gpus.lock");
  auto picked = PickFreeGpus(machine.gpus, ScanGpusInUse(root), model, count);
  if (!picked.ok()) return picked.status();
  const std::string dir = root + "/instances/" + id;
  SPOTRUN_RETURN_IF_ERROR(MakeDirs(dir));
  SPOTRUN_RETURN_IF_ERROR(WriteFileAtomic(GpusFile(dir), json{{"indices", *picked}}.dump()));
  return picked;
}

std::vector<int> AssignedGpus(const std::string& instance_dir) {
  auto text = ReadFile(GpusFile(instance_dir));
  if (!text.ok()) return {};
  json j = json::parse(*text, nullptr, false);
  if (!j.is_object() || !j.contains("indices") || !j["indices"].is_array()) return {};
  std::vector<int> out;
  for (const auto& v : j["indices"]) {
    if (v.is_number_integer()) out.push_back(v.get<int>());
  }
  return out;
}

std::map<std::string, std::string> InstanceGpuEnvironment(const std::string& instance_dir) {
  std::string list;
  for (int index : AssignedGpus(instance_dir)) {
    list += (list.empty() ? "" : ",") + std::to_string(index);
  }
  return {{"CUDA_VISIBLE_DEVICES", list}};
}

}  // namespace spotrun
