#include "jobs/checkpoint_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "util/sha256.h"

namespace spotrun {
namespace {

namespace fs = std::filesystem;

void Write(const fs::path& p, const std::string& content) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << content;
}

std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A host whose "remote" side is a local directory; Pull can be cut short
// after `pull_budget` bytes, as when the instance disappears mid-transfer.
class DirHost : public Host {
 public:
  explicit DirHost(fs::path root) : root_(std::move(root)) {}
  long long pull_budget = -1;

  Result<int> Run(const std::string&, const RunOptions&, const OutputFn&) override { return 0; }
  Status Push(const std::string& local, const std::string& remote,
              const std::vector<std::string>&) override {
    fs::create_directories(root_ / remote);
    fs::copy(local, root_ / remote,
             fs::copy_options::recursive | fs::copy_options::overwrite_existing);
    return Status::Ok();
  }
  Status Pull(const std::string& remote, const std::string& local) override {
    long long left = pull_budget;
    for (const auto& e : fs::recursive_directory_iterator(root_ / remote)) {
      if (!e.is_regular_file()) continue;
      fs::path dest = fs::path(local) / fs::relative(e.path(), root_ / remote);
      std::string data = Read(e.path());
      if (left >= 0 && static_cast<long long>(data.size()) > left) {
        Write(dest, data.substr(0, left));  // The connection dropped here.
        return Unavailable("connection lost");
      }
      if (left >= 0) left -= data.size();
      Write(dest, data);
    }
    return Status::Ok();
  }

 private:
  fs::path root_;
};

class CheckpointStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("spotrun-ckpt-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes an agent-style snapshot with MANIFEST.json, manifest last.
  void Snapshot(int generation, const std::map<std::string, std::string>& files) {
    fs::path snap = dir_ / "remote" / "snap";
    fs::remove_all(snap);
    std::string list;
    for (const auto& [path, content] : files) {
      Write(snap / "files" / path, content);
      if (!list.empty()) list += ",";
      list += R"({"path":")" + path + R"(","size":)" + std::to_string(content.size()) +
              R"(,"sha256":")" + Sha256OfBytes(content) + R"("})";
    }
    Write(snap / "MANIFEST.json",
          R"({"generation":)" + std::to_string(generation) + R"(,"files":[)" + list + "]}");
  }

  fs::path dir_;
};

TEST_F(CheckpointStoreTest, SavesVerifiesAndRestores) {
  DirHost host(dir_ / "remote");
  CheckpointStore store((dir_ / "store").string());
  EXPECT_EQ(store.Current().generation, 0);
  Snapshot(1, {{"epoch-1.pkl", "one"}, {"sub/meta.json", "{}"}});
  ASSERT_EQ(store.Save(host, "snap").value(), 1);
  Snapshot(2, {{"epoch-2.pkl", "two"}});
  ASSERT_EQ(store.Save(host, "snap").value(), 2);
  EXPECT_EQ(store.Current().files.size(), 1u);
  ASSERT_EQ(store.Restore(host, "restored").value(), 2);
  EXPECT_EQ(Read(dir_ / "remote" / "restored" / "epoch-2.pkl"), "two");
  EXPECT_FALSE(fs::exists(dir_ / "store" / "gen-1"));  // Old generations are dropped.
}

TEST_F(CheckpointStoreTest, TransferCutShortKeepsThePreviousGeneration) {
  DirHost host(dir_ / "remote");
  CheckpointStore store((dir_ / "store").string());
  Snapshot(1, {{"epoch-1.pkl", std::string(1000, 'a')}});
  ASSERT_EQ(store.Save(host, "snap").value(), 1);
  Snapshot(2, {{"epoch-2.pkl", std::string(1000, 'b')}});
  // Preempted mid-transfer: part of the new file arrives, and the manifest
  // from the earlier complete pull is still there.
  host.pull_budget = 500;
  EXPECT_FALSE(store.Save(host, "snap").ok());
  EXPECT_EQ(store.Current().generation, 1);
  // A later pull that brings the manifest but a corrupt file is refused too.
  host.pull_budget = -1;
  fs::path incoming = dir_ / "store" / "incoming";
  ASSERT_TRUE(store.Save(host, "snap").ok());  // Complete now.
  EXPECT_EQ(store.Current().generation, 2);
  Snapshot(3, {{"epoch-3.pkl", "three"}});
  Write(dir_ / "remote" / "snap" / "files" / "epoch-3.pkl", "thrEE");  // Corrupted in transit.
  EXPECT_FALSE(store.Save(host, "snap").ok());
  EXPECT_EQ(store.Current().generation, 2);
  ASSERT_EQ(store.Restore(host, "restored").value(), 2);
  EXPECT_EQ(Read(dir_ / "remote" / "restored" / "epoch-2.pkl"), std::string(1000, 'b'));
}

// A notice before the job's first checkpoint: the agent's final snapshot lists
// no files. That is a generation like any other, not a failed sync.
TEST_F(CheckpointStoreTest, AnEmptySnapshotIsAGeneration) {
  DirHost host(dir_ / "remote");
  CheckpointStore store((dir_ / "store").string());
  Snapshot(1, {});
  auto saved = store.Save(host, "snap");
  ASSERT_TRUE(saved.ok()) << saved.status().ToString();
  EXPECT_EQ(*saved, 1);
  EXPECT_EQ(store.Current().generation, 1);
  EXPECT_TRUE(store.Current().files.empty());
  EXPECT_EQ(store.Restore(host, "restored").value(), 1);
  Snapshot(2, {{"epoch-1.pkl", "one"}});
  ASSERT_EQ(store.Save(host, "snap").value(), 2);
  EXPECT_FALSE(fs::exists(dir_ / "store" / "gen-1"));
}

TEST_F(CheckpointStoreTest, RejectsManifestPathsOutsideTheDirectory) {
  EXPECT_FALSE(ParseManifest(R"({"generation":1,"files":[{"path":"../x","size":1}]})").ok());
  EXPECT_FALSE(ParseManifest(R"({"generation":1,"files":[{"path":"/etc/x","size":1}]})").ok());
  EXPECT_FALSE(ParseManifest("not json").ok());
}

}  // namespace
}  // namespace spotrun
