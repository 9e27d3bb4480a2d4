#include "jobs/checkpoint_store.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "util/fs.h"
#include "util/sha256.h"

namespace spotrun {

namespace fs = std::filesystem;

Result<CheckpointManifest> ParseManifest(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Unavailable("checkpoint manifest is not JSON");
  CheckpointManifest m;
  m.generation = j.value("generation", 0);
  for (const auto& f : j.value("files", nlohmann::json::array())) {
    CheckpointFile file{f.value("path", ""), f.value("size", 0LL), f.value("sha256", "")};
    fs::path p(file.path);
    if (file.path.empty() || p.is_absolute() || file.path.find("..") != std::string::npos) {
      return Unavailable("checkpoint manifest names a bad path: " + file.path);
    }
    m.files.push_back(std::move(file));
  }
  return m;
}

CheckpointManifest CheckpointStore::Current() const {
  if (none_yet_) return {};
  auto current = ReadFile(dir_ + "/CURRENT");
  if (!current.ok()) {
    none_yet_ = true;
    return {};
  }
  auto text = ReadFile(dir_ + "/" + *current + "/MANIFEST.json");
  if (!text.ok()) return {};
  auto m = ParseManifest(*text);
  return m.ok() ? *m : CheckpointManifest{};
}

Status CheckpointStore::Verify(const std::string& dir, const CheckpointManifest& m) const {
  for (const auto& f : m.files) {
    const std::string path = dir + "/files/" + f.path;
    std::error_code ec;
    auto size = fs::file_size(path, ec);
    if (ec || static_cast<long long>(size) != f.size) {
      return Unavailable("checkpoint file " + f.path + " is incomplete");
    }
    auto sum = Sha256OfFile(path);
    if (!sum.ok() || *sum != f.sha256) {
      return Unavailable("checkpoint file " + f.path + " does not match its checksum");
    }
  }
  return Status::Ok();
}

Status CheckpointStore::Install(const CheckpointManifest& m) {
  const std::string name = "gen-" + std::to_string(m.generation);
  const std::string gen = dir_ + "/" + name;
  SPOTRUN_RETURN_IF_ERROR(RemoveAll(gen));
  // An empty checkpoint (a notice before the job wrote one) is a generation too.
  SPOTRUN_RETURN_IF_ERROR(MakeDirs(gen + "/files"));
  for (const auto& f : m.files) {
    const fs::path dest = gen + "/files/" + f.path;
    SPOTRUN_RETURN_IF_ERROR(MakeDirs(dest.parent_path().string()));
    std::error_code ec;
    // rsync replaces files by rename, never in place, so a hard link is a stable copy.
    fs::create_hard_link(dir_ + "/incoming/files/" + f.path, dest, ec);
    if (ec) fs::copy_file(dir_ + "/incoming/files/" + f.path, dest, ec);
    if (ec) return Internal("cannot store checkpoint file " + f.path + ": " + ec.message());
  }
  SPOTRUN_RETURN_IF_ERROR(
      WriteFileAtomic(gen + "/MANIFEST.json", ReadFile(dir_ + "/incoming/MANIFEST.json").value()));
  const std::string previous = ReadFile(dir_ + "/CURRENT").value_or("");
  none_yet_ = false;
  SPOTRUN_RETURN_IF_ERROR(WriteFileAtomic(dir_ + "/CURRENT", name));
  if (!previous.empty() && previous != name) (void)RemoveAll(dir_ + "/" + previous);
  return Status::Ok();
}

Result<int> CheckpointStore::Save(Host& host, const std::string& remote_snapshot) {
  SPOTRUN_RETURN_IF_ERROR(MakeDirs(dir_ + "/incoming"));
  SPOTRUN_RETURN_IF_ERROR(host.Pull(remote_snapshot, dir_ + "/incoming"));
  auto text = ReadFile(dir_ + "/incoming/MANIFEST.json");
  if (!text.ok()) return Unavailable("the checkpoint snapshot has no manifest yet");
  auto m = ParseManifest(*text);
  if (!m.ok()) return m.status();
  if (m->generation <= Current().generation) return Current().generation;
  SPOTRUN_RETURN_IF_ERROR(Verify(dir_ + "/incoming", *m));
  SPOTRUN_RETURN_IF_ERROR(Install(*m));
  return m->generation;
}

std::string CheckpointStore::CurrentDir() const {
  if (none_yet_) return "";
  auto current = ReadFile(dir_ + "/CURRENT");
  return current.ok() ? dir_ + "/" + *current : "";
}

Result<int> CheckpointStore::Adopt(const std::string& gen_dir) {
  auto text = ReadFile(gen_dir + "/MANIFEST.json");
  if (!text.ok()) return Unavailable("no manifest in " + gen_dir);
  auto m = ParseManifest(*text);
  if (!m.ok()) return m.status();
  SPOTRUN_RETURN_IF_ERROR(Verify(gen_dir, *m));
  const std::string name = "gen-" + std::to_string(m->generation);
  if (gen_dir != dir_ + "/" + name) {
    SPOTRUN_RETURN_IF_ERROR(RemoveAll(dir_ + "/" + name));
    std::error_code ec;
    fs::rename(gen_dir, dir_ + "/" + name, ec);
    if (ec) return Internal("cannot adopt " + gen_dir + ": " + ec.message());
  }
  none_yet_ = false;
  SPOTRUN_RETURN_IF_ERROR(WriteFileAtomic(dir_ + "/CURRENT", name));
  return m->generation;
}

Result<int> CheckpointStore::Restore(Host& host, const std::string& remote_dir) {
  CheckpointManifest m = Current();
  if (m.generation == 0) return 0;
  const std::string gen = dir_ + "/" + ReadFile(dir_ + "/CURRENT").value();
  SPOTRUN_RETURN_IF_ERROR(Verify(gen, m));
  if (m.files.empty()) return m.generation;
  SPOTRUN_RETURN_IF_ERROR(host.Push(gen + "/files", remote_dir, {}));
  return m.generation;
}

}  // namespace spotrun
