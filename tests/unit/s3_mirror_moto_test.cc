// S3CheckpointMirror on S3ObjectStore and S3Client against a real moto_server:
// round trips, incremental uploads counted on the wire, and a connection
// dropped in the middle of an upload.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "checkpoint_gen_util.h"
#include "cloud/aws/s3_object_store.h"
#include "jobs/s3_checkpoint_mirror.h"
#include "s3_moto_fixture.h"
#include "util/faulty_http_client.h"

namespace spotrun {
namespace {

namespace fs = std::filesystem;
using test::FileTree;
using test::ReadTree;
using test::WriteGeneration;

std::string RandomBytes(size_t size, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string data(size, '\0');
  for (char& c : data) c = char(rng());
  return data;
}

class MirrorMotoTest : public test::S3MotoFixture {
 protected:
  void SetUp() override {
    S3MotoFixture::SetUp();
    if (IsSkipped()) return;
    Result<aws::S3Location> root = aws::ParseS3Url("s3://" + bucket_ + "/jobs/job-1/ckpt");
    ASSERT_TRUE(root.ok()) << root.status().ToString();
    root_ = *root;
    store_ = std::make_unique<aws::S3ObjectStore>(client_.get(), root_);
    mirror_ = std::make_unique<S3CheckpointMirror>(store_.get());
  }
  std::string Gen(int n, const FileTree& files) {
    fs::path dir = dir_ / "local" / ("gen-" + std::to_string(n));
    WriteGeneration(dir, n, files);
    return dir.string();
  }
  // Trace lines of requests that carried a file body to the blobs.
  int BlobBodiesSent() {
    int n = 0;
    for (const std::string& line : trace_.log()) {
      n += line.rfind("PUT ", 0) == 0 && line.find("/blobs/") != std::string::npos;
    }
    return n;
  }

  aws::S3Location root_;
  std::unique_ptr<aws::S3ObjectStore> store_;
  std::unique_ptr<S3CheckpointMirror> mirror_;
};

TEST_F(MirrorMotoTest, UploadThenDownloadIsByteIdentical) {
  FileTree files = {{"model.pt", RandomBytes(3000, 1)},  // Multipart.
                    {"optim/adam.bin", RandomBytes(700, 2)},
                    {"optim/copy.bin", RandomBytes(700, 2)},
                    {"step.txt", "1234\n"},
                    {"empty", ""}};
  std::string gen = Gen(4, files);
  Status upload = mirror_->Upload(gen);
  ASSERT_TRUE(upload.ok()) << upload.ToString();
  std::vector<std::string> log = trace_.log();
  ASSERT_FALSE(log.empty());
  EXPECT_EQ(log.back().rfind("PUT /" + bucket_ + "/jobs/job-1/ckpt/MANIFEST.json", 0), 0u)
      << log.back();

  std::set<std::string> expected = {"jobs/job-1/ckpt/MANIFEST.json"};
  for (const auto& [path, content] : files) {
    expected.insert("jobs/job-1/ckpt/" + MirrorBlobKey(Sha256OfBytes(content)));
  }
  Result<std::vector<aws::S3ObjectInfo>> objects = client_->ListObjects(bucket_, "");
  ASSERT_TRUE(objects.ok());
  std::set<std::string> keys;
  for (const aws::S3ObjectInfo& o : *objects) keys.insert(o.key);
  EXPECT_EQ(keys, expected);  // Identical files share a blob.

  fs::path dest = dir_ / "restored" / "gen";
  Result<int> got = mirror_->Download(dest.string());
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, 4);
  EXPECT_EQ(ReadTree(dest), ReadTree(gen));
  EXPECT_EQ(*mirror_->RemoteGeneration(), 4);
}

TEST_F(MirrorMotoTest, UploadsAreIncremental) {
  std::string gen1 = Gen(1, {{"a.bin", RandomBytes(1500, 1)}, {"b.bin", RandomBytes(400, 2)}});
  ASSERT_TRUE(mirror_->Upload(gen1).ok());
  trace_.Clear();
  ASSERT_TRUE(mirror_->Upload(gen1).ok());
  for (const std::string& line : trace_.log()) {
    EXPECT_EQ(line.rfind("GET ", 0), 0u) << "an unchanged generation sent " << line;
  }

  trace_.Clear();
  std::string gen2 = Gen(2, {{"a.bin", RandomBytes(1500, 1)}, {"b.bin", RandomBytes(400, 3)}});
  ASSERT_TRUE(mirror_->Upload(gen2).ok());
  EXPECT_EQ(BlobBodiesSent(), 1);
  EXPECT_EQ(trace_.log().back().rfind("PUT /" + bucket_ + "/jobs/job-1/ckpt/MANIFEST.json", 0), 0u);
  Result<int> got = mirror_->Download((dir_ / "restored").string());
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, 2);
  EXPECT_EQ(ReadTree(dir_ / "restored"), ReadTree(gen2));
}

TEST_F(MirrorMotoTest, AConnectionDroppedMidUploadKeepsThePreviousGeneration) {
  std::string gen1 = Gen(1, {{"model.pt", RandomBytes(2000, 1)}, {"step", "1"}});
  ASSERT_TRUE(mirror_->Upload(gen1).ok());

  FaultyHttpClient faulty(&trace_);
  int blob_puts = 0;
  test::HookedHttpClient hooked(&faulty, [&](const HttpRequest& r) {
    bool blob_put = r.method == "PUT" && r.url.find("/blobs/") != std::string::npos;
    if (blob_put && ++blob_puts == 2) faulty.FailNext(1000, HttpFault::DropBeforeSend());
  });
  aws::S3Client client = MakeClient(&hooked);
  aws::S3ObjectStore store(&client, root_);
  S3CheckpointMirror mirror(&store);
  std::string gen2 = Gen(
      2, {{"model.pt", RandomBytes(900, 5)}, {"optim.bin", RandomBytes(800, 6)}, {"step", "2"}});
  Status upload = mirror.Upload(gen2);
  EXPECT_EQ(upload.code(), Code::kUnavailable) << upload.ToString();
  EXPECT_GT(faulty.injected(), 0);
  faulty.Clear();

  EXPECT_EQ(*mirror.RemoteGeneration(), 1);
  fs::path dest = dir_ / "restored";
  Result<int> got = mirror.Download(dest.string());
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, 1);
  EXPECT_EQ(ReadTree(dest), ReadTree(gen1));

  trace_.Clear();  // The retry sends only what did not arrive before.
  ASSERT_TRUE(mirror.Upload(gen2).ok());
  EXPECT_EQ(BlobBodiesSent(), 2);
  got = mirror.Download(dest.string());
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, 2);
  EXPECT_EQ(ReadTree(dest), ReadTree(gen2));
}

TEST_F(MirrorMotoTest, ABlobReplacedInTheBucketIsCaughtOnDownload) {
  std::string gen1 = Gen(1, {{"w", RandomBytes(600, 1)}});
  ASSERT_TRUE(mirror_->Upload(gen1).ok());
  fs::path dest = dir_ / "restored";
  ASSERT_TRUE(mirror_->Download(dest.string()).ok());
  // Someone rewrites the blob with other bytes (and a matching x-amz-meta-sha256).
  std::string key = root_.prefix + MirrorBlobKey(Sha256OfBytes(RandomBytes(600, 1)));
  ASSERT_TRUE(client_->PutObject(bucket_, key, RandomBytes(600, 9)).ok());
  Result<int> got = mirror_->Download(dest.string());
  EXPECT_EQ(got.status().code(), Code::kUnavailable);
  EXPECT_EQ(ReadTree(dest), ReadTree(gen1));
}

}  // namespace
}  // namespace spotrun
