// Builds checkpoint generation directories the way the agent and the
// CheckpointStore lay them out (gen-<N>/files/... + MANIFEST.json), and reads
// directory trees back for byte-for-byte comparison.
#pragma once

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "util/sha256.h"

namespace spotrun::test {

using FileTree = std::map<std::string, std::string>;  // Relative path -> content.

// Writes `files` under `gen_dir`/files and a manifest for them, replacing
// whatever `gen_dir` held.
inline void WriteGeneration(const std::filesystem::path& gen_dir, int generation,
                            const FileTree& files) {
  namespace fs = std::filesystem;
  fs::remove_all(gen_dir);
  fs::create_directories(gen_dir / "files");
  nlohmann::json entries = nlohmann::json::array();
  for (const auto& [path, content] : files) {
    fs::path file = gen_dir / "files" / path;
    fs::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << content;
    entries.push_back({{"path", path},
                       {"size", content.size()},
                       {"mtime_ns", 1700000000000000000LL},
                       {"sha256", Sha256OfBytes(content)}});
  }
  nlohmann::json manifest = {
      {"generation", generation}, {"created_at", 1700000000.5}, {"files", entries}};
  std::ofstream(gen_dir / "MANIFEST.json", std::ios::binary) << manifest.dump();
}

// Every regular file under `dir`, by path relative to it.
inline FileTree ReadTree(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  FileTree tree;
  if (!fs::exists(dir)) return tree;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    tree[fs::relative(entry.path(), dir).string()] =
        std::string(std::istreambuf_iterator<char>(in), {});
  }
  return tree;
}

}  // namespace spotrun::test
