// S3CheckpointMirror over an in-memory ObjectStore that records each call:
// the order of writes, incremental uploads, cleanup, verification and a
// download racing an upload.
#include "jobs/s3_checkpoint_mirror.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <map>
#include <set>

#include "checkpoint_gen_util.h"
#include "util/fs.h"
#include "util/sha256.h"

namespace spotrun {
namespace {

namespace fs = std::filesystem;
using test::FileTree;
using test::ReadTree;
using test::WriteGeneration;

// Objects in a map; records "put KEY", "get KEY", "list PREFIX", "delete KEY".
class MemoryObjectStore : public ObjectStore {
 public:
  std::map<std::string, std::string> objects;
  std::vector<std::string> record;
  std::function<void(const std::string&)> before_get_file;  // Runs before each GetFile.

  std::string Describe() const override { return "mem://ckpt/"; }
  Status PutFile(const std::string& key, const std::string& path,
                 const std::string& sha256) override {
    Result<std::string> content = ReadFile(path);
    if (!content.ok()) return content.status();
    if (Sha256OfBytes(*content) != sha256) return Unavailable(path + " changed");
    return PutBytes(key, *content);
  }
  Status PutBytes(const std::string& key, std::string_view bytes) override {
    record.push_back("put " + key);
    objects[key] = std::string(bytes);
    return Status::Ok();
  }
  Result<std::string> GetBytes(const std::string& key) override {
    record.push_back("get " + key);
    auto it = objects.find(key);
    if (it == objects.end()) return NotFound("no " + key);
    return it->second;
  }
  Status GetFile(const std::string& key, const std::string& path) override {
    if (before_get_file) before_get_file(key);
    Result<std::string> content = GetBytes(key);
    if (!content.ok()) return content.status();
    return WriteFileAtomic(path, *content);
  }
  Result<std::vector<StoredObject>> List(const std::string& prefix) override {
    record.push_back("list " + prefix);
    std::vector<StoredObject> out;
    for (const auto& [key, value] : objects) {
      if (key.rfind(prefix, 0) == 0) out.push_back({key, (long long)value.size()});
    }
    return out;
  }
  Status Delete(const std::vector<std::string>& keys) override {
    for (const std::string& key : keys) {
      record.push_back("delete " + key);
      objects.erase(key);
    }
    return Status::Ok();
  }
};

class MirrorTest : public testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(testing::TempDir()) / ("mirror-" + std::to_string(getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  std::string Blob(const std::string& content) { return MirrorBlobKey(Sha256OfBytes(content)); }
  std::string Gen(int n, const FileTree& files) {
    fs::path dir = root_ / ("gen-" + std::to_string(n));
    WriteGeneration(dir, n, files);
    return dir.string();
  }

  fs::path root_;
  MemoryObjectStore store_;
  S3CheckpointMirror mirror_{&store_};
};

TEST_F(MirrorTest, BlobsGoFirstAndTheManifestLast) {
  std::string gen =
      Gen(1, {{"model.pt", "weights"}, {"opt/state", "adam"}, {"copy.pt", "weights"}});
  ASSERT_TRUE(mirror_.Upload(gen).ok());
  EXPECT_EQ(store_.record,
            (std::vector<std::string>{"get MANIFEST.json", "list blobs/", "put " + Blob("weights"),
                                      "put " + Blob("adam"), "put MANIFEST.json"}));
  EXPECT_EQ(store_.objects["MANIFEST.json"], *ReadFile(gen + "/MANIFEST.json"));
  EXPECT_EQ(*mirror_.RemoteGeneration(), 1);
}

TEST_F(MirrorTest, OnlyNewContentTravelsAndOldBlobsAreCleanedUp) {
  ASSERT_TRUE(mirror_.Upload(Gen(1, {{"a", "a1"}, {"b", "b1"}})).ok());
  store_.record.clear();
  ASSERT_TRUE(mirror_.Upload(root_ / "gen-1").ok());  // Unchanged: reads only.
  EXPECT_EQ(store_.record, (std::vector<std::string>{"get MANIFEST.json", "list blobs/"}));

  store_.record.clear();
  ASSERT_TRUE(mirror_.Upload(Gen(2, {{"a", "a1"}, {"b", "b2"}})).ok());
  EXPECT_EQ(store_.record, (std::vector<std::string>{"get MANIFEST.json", "list blobs/",
                                                     "put " + Blob("b2"), "put MANIFEST.json"}));
  EXPECT_TRUE(store_.objects.count(Blob("b1")));  // Readers of gen 1 may still need it.

  store_.record.clear();
  ASSERT_TRUE(mirror_.Upload(Gen(3, {{"a", "a3"}, {"b", "b2"}})).ok());
  EXPECT_EQ(store_.record.back(), "delete " + Blob("b1"));
  EXPECT_FALSE(store_.objects.count(Blob("b1")));
  EXPECT_TRUE(store_.objects.count(Blob("a1")));  // Named by gen 2.
}

TEST_F(MirrorTest, ANewerStoredGenerationIsLeftAlone) {
  ASSERT_TRUE(mirror_.Upload(Gen(5, {{"a", "new"}})).ok());
  store_.record.clear();
  ASSERT_TRUE(mirror_.Upload(Gen(4, {{"a", "old"}})).ok());
  EXPECT_EQ(store_.record, (std::vector<std::string>{"get MANIFEST.json"}));
  EXPECT_EQ(*mirror_.RemoteGeneration(), 5);
}

TEST_F(MirrorTest, AFileThatNoLongerMatchesItsManifestStopsTheUpload) {
  ASSERT_TRUE(mirror_.Upload(Gen(1, {{"a", "one"}})).ok());
  std::string gen = Gen(2, {{"a", "two"}});
  std::ofstream(gen + "/files/a") << "tampered";
  Status upload = mirror_.Upload(gen);
  EXPECT_EQ(upload.code(), Code::kUnavailable);
  EXPECT_EQ(*mirror_.RemoteGeneration(), 1);
}

TEST_F(MirrorTest, ABadLocalManifestIsRejected) {
  fs::create_directories(root_ / "gen-9");
  EXPECT_EQ(mirror_.Upload((root_ / "gen-9").string()).code(), Code::kInternal);
  std::ofstream(root_ / "gen-9" / "MANIFEST.json")
      << R"({"generation": 9, "files": [{"path": "../x", "size": 1, "sha256": "00"}]})";
  EXPECT_EQ(mirror_.Upload((root_ / "gen-9").string()).code(), Code::kInternal);
  EXPECT_TRUE(store_.objects.empty());
}

TEST_F(MirrorTest, DownloadWritesTheWholeGenerationOrNothing) {
  fs::path dest = root_ / "restored";
  Result<int> none = mirror_.Download(dest.string());
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0);
  EXPECT_FALSE(fs::exists(dest));

  std::string gen1 = Gen(1, {{"a", "one"}, {"d/b", "bee"}, {"empty", ""}});
  ASSERT_TRUE(mirror_.Upload(gen1).ok());
  Result<int> got = mirror_.Download(dest.string());
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, 1);
  EXPECT_EQ(ReadTree(dest), ReadTree(gen1));

  ASSERT_TRUE(mirror_.Upload(Gen(2, {{"a", "two"}})).ok());
  store_.objects[Blob("two")] = "owt";  // Damaged in the store.
  Result<int> bad = mirror_.Download(dest.string());
  EXPECT_EQ(bad.status().code(), Code::kUnavailable);
  EXPECT_EQ(ReadTree(dest), ReadTree(gen1));
  std::set<std::string> names;  // No partial or moved-aside directories are left.
  for (const auto& entry : fs::directory_iterator(root_)) names.insert(entry.path().filename());
  EXPECT_EQ(names, (std::set<std::string>{"gen-1", "gen-2", "restored"}));

  store_.objects.erase(Blob("two"));  // Missing from the store.
  bad = mirror_.Download(dest.string());
  EXPECT_EQ(bad.status().code(), Code::kUnavailable);
  EXPECT_NE(bad.status().message().find("not stored"), std::string::npos);
  EXPECT_EQ(ReadTree(dest), ReadTree(gen1));
}

TEST_F(MirrorTest, ADownloadRacingAnUploadStartsOverWithTheNewManifest) {
  ASSERT_TRUE(mirror_.Upload(Gen(1, {{"a", "one"}})).ok());
  MemoryObjectStore* store = &store_;
  S3CheckpointMirror writer(store);
  bool raced = false;
  store_.before_get_file = [&](const std::string&) {
    if (raced) return;
    raced = true;  // Two uploads land while the reader holds gen 1's manifest.
    ASSERT_TRUE(writer.Upload(Gen(2, {{"a", "two"}})).ok());
    ASSERT_TRUE(writer.Upload(Gen(3, {{"a", "three"}})).ok());
  };
  fs::path dest = root_ / "restored";
  Result<int> got = mirror_.Download(dest.string());
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, 3);
  EXPECT_EQ(ReadTree(dest), ReadTree(root_ / "gen-3"));
}

}  // namespace
}  // namespace spotrun
