#include "cloud/faulty_cloud.h"

#include <gtest/gtest.h>

#include "fakes.h"

namespace spotrun {
namespace {

using Record = std::vector<std::string>;

class FaultyCloudTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fake_.clock = &clock_;
    cloud_.deliver_notice = [this](const std::string& id, double at) {
      return fake_.SendNotice(id, at);
    };
  }
  Instance Launch(const std::string& zone = "use1-az1") {
    return cloud_.Launch({.instance_type = "c.large", .zone = zone, .max_price = 0.9}).value();
  }

  ManualClock clock_{1000};
  FakeCloud fake_;
  FaultyCloud cloud_{&fake_, &clock_, &fake_.record};
};

TEST_F(FaultyCloudTest, FailsTheNextCallsOfAKindThenPassesThrough) {
  cloud_.FailNext(CloudCall::kLaunch, 2, CapacityError("InsufficientInstanceCapacity"));
  auto first = cloud_.Launch({.instance_type = "c.large", .zone = "use1-az1"});
  EXPECT_EQ(first.status().code(), Code::kCapacity);
  EXPECT_EQ(first.status().message(), "InsufficientInstanceCapacity");
  EXPECT_TRUE(cloud_.Offers("us-east-1").ok());  // Not a launch: through.
  EXPECT_FALSE(cloud_.Launch({.instance_type = "c.large", .zone = "use1-az2"}).ok());
  Instance i = Launch();
  EXPECT_EQ(i.id, "i-1");
  EXPECT_EQ(fake_.record, (Record{"fault: launch c.large use1-az1: Capacity",
                                  "fault: launch c.large use1-az2: Capacity",
                                  "launch c.large use1-az1 spot max=0.9"}));
  EXPECT_EQ(cloud_.calls(), 4);
  EXPECT_EQ(cloud_.injected(), 2);
}

TEST_F(FaultyCloudTest, ThrottlingIsARetryableRequestLimitExceeded) {
  Instance i = Launch();
  cloud_.Throttle(CloudCall::kTerminate, 2);
  for (int n = 0; n < 2; ++n) {
    Status s = cloud_.Terminate(i.id);
    EXPECT_EQ(s.code(), Code::kUnavailable);
    EXPECT_NE(s.message().find("RequestLimitExceeded"), std::string::npos) << s.message();
  }
  EXPECT_TRUE(cloud_.Terminate(i.id).ok());
  EXPECT_EQ(fake_.record,
            (Record{"launch c.large use1-az1 spot max=0.9", "fault: terminate i-1: Unavailable",
                    "fault: terminate i-1: Unavailable", "terminate i-1"}));
}

TEST_F(FaultyCloudTest, ReclaimSendsTheNoticeThenTakesTheInstance) {
  Instance i = Launch();
  auto host = cloud_.HostFor(i).value();
  cloud_.Reclaim(i.id, 1200, /*notice_s=*/120);
  clock_.Advance(79);
  EXPECT_EQ(cloud_.Describe(i.id)->state, InstanceState::kRunning);
  EXPECT_TRUE(fake_.notices.empty());
  clock_.Advance(1);  // 1080: the notice, two minutes ahead.
  EXPECT_TRUE(host->Run("python3 agent.py poll root 0", {}, nullptr).ok());
  EXPECT_EQ(fake_.notices.at(i.id), R"({"action":"terminate","time":"1970-01-01T00:20:00Z"})");
  EXPECT_EQ(cloud_.Describe(i.id)->state, InstanceState::kRunning);
  clock_.Advance(120);  // 1200: taken back.
  auto d = cloud_.Describe(i.id);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->state, InstanceState::kTerminated);
  EXPECT_EQ(d->end_time, 1200);
  EXPECT_EQ(d->state_reason, kSpotReclaimReason);
  EXPECT_EQ(host->Run("python3 agent.py poll root 0", {}, nullptr).status().code(),
            Code::kUnavailable);
  EXPECT_EQ(cloud_.HostFor(i).status().code(), Code::kUnavailable);
  EXPECT_TRUE(cloud_.ListTagged({}).value().empty());
  EXPECT_EQ(fake_.record,
            (Record{"launch c.large use1-az1 spot max=0.9", "fault: notice i-1 (reclaim at 1200)",
                    "fault: reclaim i-1", "terminate i-1"}));
}

TEST_F(FaultyCloudTest, AnInstanceGivenBackBeforeItsReclaimIsLeftAlone) {
  Instance i = Launch();
  cloud_.Reclaim(i.id, 1200, /*notice_s=*/0);
  ASSERT_TRUE(cloud_.Terminate(i.id).ok());
  clock_.Advance(500);
  EXPECT_EQ(cloud_.Describe(i.id)->state_reason, "");
  EXPECT_EQ(fake_.record, (Record{"launch c.large use1-az1 spot max=0.9", "terminate i-1"}));
}

TEST_F(FaultyCloudTest, AVanishedInstanceIsNotFoundAndUnreachable) {
  Instance gone = Launch();
  Instance kept = Launch("use1-az2");
  auto host = cloud_.HostFor(gone).value();
  cloud_.Vanish(gone.id, 1010);
  clock_.Advance(10);
  EXPECT_EQ(cloud_.Describe(gone.id).status().code(), Code::kNotFound);
  EXPECT_EQ(host->Push("/nonexistent", "w", {}).code(), Code::kUnavailable);
  auto listed = cloud_.ListTagged({}).value();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].id, kept.id);
  EXPECT_TRUE(fake_.notices.empty());
  EXPECT_EQ(fake_.record,
            (Record{"launch c.large use1-az1 spot max=0.9", "launch c.large use1-az2 spot max=0.9",
                    "fault: vanish i-1", "terminate i-1"}));
}

TEST_F(FaultyCloudTest, HostsAreFaultyHostsLoggingIntoTheSameRecord) {
  cloud_.on_host = [](const Instance& i, FaultyHost* host) {
    if (i.id == "i-1") host->DropAfter(1);
  };
  Instance i = Launch();
  auto host = cloud_.HostFor(i).value();
  EXPECT_TRUE(host->Push("/nonexistent", "w", {}).ok());
  EXPECT_EQ(host->Push("/nonexistent", "w", {}).code(), Code::kUnavailable);
  EXPECT_TRUE(host->Push("/nonexistent", "w", {}).ok());
  EXPECT_EQ(fake_.record, (Record{"launch c.large use1-az1 spot max=0.9", "push w",
                                  "fault: drop push w", "push w"}));
}

}  // namespace
}  // namespace spotrun
