// The state store on a real file under damage: garbage, truncation, a
// newer or older schema version, and the file taken away from an open store.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "cli/orphan_sweep.h"
#include "store/schema.h"
#include "store/store.h"

namespace spotrun {
namespace {

namespace fs = std::filesystem;

class StoreDamageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("spotrun-store-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "state.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  static JobRecord Job(const std::string& id, double at) {
    JobRecord j;
    j.id = j.name = id;
    j.cloud = "local";
    j.spec_path = "/x/job.yaml";
    j.spec_text = "run: x\n";
    j.results_dir = "/r";
    j.created_at = j.updated_at = at;
    return j;
  }
  // A store with `n` jobs (big enough to span several pages), closed.
  void WriteStore(int n) {
    auto store = std::move(Store::Open(path_)).value();
    for (int i = 0; i < n; ++i) {
      JobRecord j = Job("job" + std::to_string(i), 100 + i);
      j.spec_text = std::string(2000, 'y');
      ASSERT_TRUE(store->InsertJob(j).ok());
    }
  }
  // Runs `sql` on the file with a plain connection.
  void Sql(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    std::string msg = err ? err : "";
    sqlite3_free(err);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << msg;
  }
  long long UserVersion() {
    sqlite3* db = nullptr;
    sqlite3_open(path_.c_str(), &db);
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, nullptr);
    sqlite3_step(s);
    long long v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return v;
  }
  std::string OpenError() {
    auto store = Store::Open(path_);
    return store.ok() ? "opened" : store.status().message();
  }

  fs::path dir_;
  std::string path_;
};

TEST_F(StoreDamageTest, GarbageIsRefusedInOneLineNamingTheFile) {
  std::ofstream(path_) << std::string(5000, 'g');
  std::string err = OpenError();
  EXPECT_NE(err.find(path_ + " is unreadable"), std::string::npos) << err;
  EXPECT_NE(err.find("docs/state-store.md"), std::string::npos) << err;
  EXPECT_EQ(err.find('\n'), std::string::npos);
}

TEST_F(StoreDamageTest, ATruncatedStoreIsRefused) {
  WriteStore(40);
  fs::resize_file(path_, fs::file_size(path_) / 2);
  std::string err = OpenError();
  EXPECT_NE(err.find(path_ + " is unreadable"), std::string::npos) << err;
}

TEST_F(StoreDamageTest, AnEmptiedFileOpensAsANewStore) {
  WriteStore(2);
  fs::resize_file(path_, 0);
  auto store = std::move(Store::Open(path_)).value();
  EXPECT_TRUE(store->ListJobs()->empty());
  // Born now: the orphan sweep leaves the instances of the jobs it lost.
  EXPECT_GT(store->created_at(), 1.7e9);
}

TEST_F(StoreDamageTest, ANewerVersionIsRefusedNamingBothVersions) {
  WriteStore(1);
  Sql("PRAGMA user_version = 99");
  std::string err = OpenError();
  EXPECT_EQ(err, "state store " + path_ +
                     " has schema version 99; this spotrun reads version 4: use a newer spotrun");
  EXPECT_EQ(UserVersion(), 99);  // Not relabelled.
}

TEST_F(StoreDamageTest, AnUnversionedStoreWithTablesIsRefused) {
  Sql("CREATE TABLE jobs (id TEXT)");
  EXPECT_NE(OpenError().find("no schema version"), std::string::npos);
}

TEST_F(StoreDamageTest, AVersion1StoreIsMigrated) {
  // As the 0.1 release wrote it: version 1, no store_info.
  Sql(std::string(kSchemaV1ForTests) +
      "INSERT INTO jobs (id, name, state, cloud, spec_path, spec_text, results_dir, created_at, "
      "updated_at) VALUES ('old1', 'old', 'RUNNING', 'local', '/j', 'run: x', '/r', 500, 600);"
      "INSERT INTO attempts (job_id, number, client_token, instance_id) "
      "VALUES ('old1', 1, 'tok', 'i-9');"
      "PRAGMA user_version = 1;");
  auto store = std::move(Store::Open(path_)).value();
  EXPECT_EQ(store->GetJob("old1")->state, JobState::kRunning);
  EXPECT_EQ(store->Attempts("old1")->at(0).instance_id, "i-9");
  EXPECT_DOUBLE_EQ(store->created_at(), 500);  // Dated from its oldest job.
  EXPECT_EQ(UserVersion(), kSchemaVersion);
  EXPECT_EQ(store->GetJob("old1")->kind, JobKind::kJob);  // Version 4's column, defaulted.
  ASSERT_TRUE(store->InsertJob(Job("new1", 700)).ok());
}

TEST_F(StoreDamageTest, AFailedMigrationLeavesTheStoreAsItWas) {
  // A version-1 store that already has the table version 2 adds: the
  // migration fails halfway and rolls back.
  Sql(std::string(kSchemaV1ForTests) + "CREATE TABLE store_info (x); PRAGMA user_version = 1;");
  EXPECT_NE(OpenError().find("migrating from version 1 failed"), std::string::npos);
  EXPECT_EQ(UserVersion(), 1);
}

TEST_F(StoreDamageTest, CheckFileSeesTheFileDeleted) {
  auto store = std::move(Store::Open(path_)).value();
  EXPECT_TRUE(store->CheckFile().ok());
  fs::remove(path_);
  EXPECT_EQ(store->CheckFile().message(), "state store " + path_ + " was deleted");
}

TEST_F(StoreDamageTest, CheckFileSeesTheFileReplaced) {
  auto store = std::move(Store::Open(path_)).value();
  fs::copy_file(path_, path_ + ".copy");
  fs::rename(path_ + ".copy", path_);
  EXPECT_EQ(store->CheckFile().message(), "state store " + path_ + " was replaced by another file");
}

TEST_F(StoreDamageTest, CheckFileSeesTheFileOverwrittenOrEmptied) {
  WriteStore(40);
  auto store = std::move(Store::Open(path_)).value();
  { std::fstream(path_, std::ios::in | std::ios::out | std::ios::binary) << "garbage!"; }
  EXPECT_NE(store->CheckFile().message().find("no longer an SQLite file"), std::string::npos);
  fs::resize_file(path_, 0);
  EXPECT_EQ(store->CheckFile().message(), "state store " + path_ + " was emptied");
}

TEST_F(StoreDamageTest, InMemoryStoresAlwaysCheckOk) {
  auto store = std::move(Store::Open(":memory:")).value();
  EXPECT_TRUE(store->CheckFile().ok());
  EXPECT_FALSE(store->read_only());
}

// The orphan sweep's decision.
TEST(SweepVerdictTest, OnlyWhatTheStoreSaysIsOverOrNeverSawIsSwept) {
  JobRecord running;
  running.state = JobState::kRunning;
  JobRecord over;
  over.state = JobState::kSucceeded;
  const double born = 1000;
  EXPECT_EQ(JudgeTaggedInstance(running, 2000, born), SweepVerdict::kKeep);
  EXPECT_EQ(JudgeTaggedInstance(over, 2000, born), SweepVerdict::kSweep);
  EXPECT_EQ(JudgeTaggedInstance(NotFound("no job"), 2000, born), SweepVerdict::kSweep);
  // The store was made after the instance (the old one deleted): it cannot say.
  EXPECT_EQ(JudgeTaggedInstance(NotFound("no job"), 500, born), SweepVerdict::kOlderThanStore);
  EXPECT_EQ(JudgeTaggedInstance(NotFound("no job"), 0, born), SweepVerdict::kOlderThanStore);
  // A store error sweeps nothing.
  EXPECT_EQ(JudgeTaggedInstance(Internal("sqlite: disk I/O error"), 2000, born),
            SweepVerdict::kStoreError);
  EXPECT_EQ(JudgeTaggedInstance(Unavailable("sqlite: database is locked"), 2000, born),
            SweepVerdict::kStoreError);
}

}  // namespace
}  // namespace spotrun
