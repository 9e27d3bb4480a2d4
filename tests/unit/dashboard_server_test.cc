#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "dashboard/server.h"
#include "dashboard/simulate_view.h"

namespace spotrun {
namespace {

constexpr char kToken[] = "0123456789abcdef0123456789abcdef";
constexpr int kPort = 8123;
constexpr char kOrigin[] = "http://127.0.0.1:8123";

class DashboardServerTest : public testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(Store::Open(":memory:")).value();
    JobRecord j;
    j.id = "ab12cd34";
    j.name = "train";
    j.state = JobState::kRunning;
    j.cloud = "local";
    j.spec_text = "run: x\n";
    j.created_at = j.updated_at = clock_.Now() - 60;
    ASSERT_TRUE(store_->InsertJob(j).ok());
    DashboardOptions o{"/nonexistent/jobs", kToken, kPort, [this](const JobRecord& job) {
                         cancelled_.push_back(job.id);
                         return Status::Ok();
                       }};
    o.live_offers = [this](const JobRecord& job, const std::string& region) {
      live_asked_.push_back(job.id + " " + region);
      return live_;
    };
    dashboard_ = std::make_unique<Dashboard>(store_.get(), &clock_, o);
  }

  // A job on `cloud` with one started attempt of t3.medium in us-east-1.
  void AddJobWithAttempt(const std::string& id, const std::string& cloud) {
    JobRecord j;
    j.id = id;
    j.name = id;
    j.state = JobState::kRunning;
    j.cloud = cloud;
    j.spec_text = "run: x\n";
    j.created_at = j.updated_at = clock_.Now() - 60;
    ASSERT_TRUE(store_->InsertJob(j).ok());
    AttemptRecord a;
    a.job_id = id;
    a.number = 1;
    a.instance_type = "t3.medium";
    a.region = "us-east-1";
    a.zone = "use1-az2";
    a.market = "spot";
    a.started_at = clock_.Now() - 50;
    ASSERT_TRUE(store_->UpsertAttempt(a).ok());
  }

  HttpResponse Send(std::string method, std::string path, std::string query,
                    std::map<std::string, std::string> headers) {
    HttpRequest r;
    r.method = std::move(method);
    r.path = std::move(path);
    r.query = std::move(query);
    r.headers = std::move(headers);
    r.headers.emplace("host", "127.0.0.1:8123");
    return dashboard_->Handle(r);
  }

  ManualClock clock_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Dashboard> dashboard_;
  std::vector<std::string> cancelled_;
  std::vector<std::string> live_asked_;
  Result<std::vector<Offer>> live_ = std::vector<Offer>{};
};

TEST_F(DashboardServerTest, RefusesRequestsWithoutTheToken) {
  EXPECT_EQ(Send("GET", "/", "", {}).status, 403);
  EXPECT_EQ(Send("GET", "/api/jobs", "token=nope", {}).status, 403);
  EXPECT_EQ(Send("GET", "/static/app.js", "", {}).status, 403);
  HttpRequest foreign;
  foreign.method = "GET";
  foreign.path = "/";
  foreign.query = std::string("token=") + kToken;
  foreign.headers = {{"host", "evil.example:8123"}};
  EXPECT_EQ(dashboard_->Handle(foreign).status, 403);
}

TEST_F(DashboardServerTest, APageLoadWithTheTokenSetsAStrictHttpOnlyCookie) {
  HttpResponse r = Send("GET", "/", std::string("token=") + kToken, {});
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find(std::string("content=\"") + kToken + "\""), std::string::npos);
  EXPECT_NE(r.body.find("content=\"jobs\""), std::string::npos);
  EXPECT_EQ(r.headers["Set-Cookie"],
            std::string("spotrun_dashboard=") + kToken + "; Path=/; HttpOnly; SameSite=Strict");
  EXPECT_EQ(r.headers["X-Frame-Options"], "DENY");
  r = Send("GET", "/jobs/ab12cd34", "", {{"cookie", std::string("spotrun_dashboard=") + kToken}});
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("content=\"job\""), std::string::npos);
  EXPECT_EQ(r.headers.count("Set-Cookie"), 0u);
}

TEST_F(DashboardServerTest, ServesTheJobsAndAJob) {
  const std::map<std::string, std::string> auth = {{"x-spotrun-token", kToken}};
  HttpResponse r = Send("GET", "/api/jobs", "", auth);
  ASSERT_EQ(r.status, 200);
  auto jobs = nlohmann::json::parse(r.body);
  ASSERT_EQ(jobs["jobs"].size(), 1u);
  EXPECT_EQ(jobs["jobs"][0]["state"], "RUNNING");
  r = Send("GET", "/api/jobs/ab12cd34", "", auth);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(nlohmann::json::parse(r.body)["timeline"][0]["kind"], "waiting");
  r = Send("GET", "/api/jobs/ab12cd34/log", "offset=0", auth);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(nlohmann::json::parse(r.body)["text"], "");
  EXPECT_EQ(Send("GET", "/api/jobs/nosuchjob", "", auth).status, 404);
  EXPECT_EQ(Send("GET", "/static/d3.min.js", "", auth).content_type, "text/javascript");
  EXPECT_EQ(Send("GET", "/static/../x", "", auth).status, 404);
}

TEST_F(DashboardServerTest, CancelNeedsTheTokenInHeaderOrBodyAndTheOwnOrigin) {
  const std::string path = "/api/jobs/ab12cd34/cancel";
  const std::string cookie = std::string("spotrun_dashboard=") + kToken;
  EXPECT_EQ(Send("POST", path, "", {{"origin", kOrigin}, {"cookie", cookie}}).status, 403);
  EXPECT_EQ(Send("POST", path, "", {{"x-spotrun-token", kToken}, {"origin", "http://evil"}}).status,
            403);
  EXPECT_EQ(Send("POST", path, "", {{"x-spotrun-token", kToken}}).status, 403);
  EXPECT_TRUE(cancelled_.empty());
  EXPECT_EQ(Send("POST", path, "", {{"x-spotrun-token", kToken}, {"origin", kOrigin}}).status, 200);
  EXPECT_EQ(cancelled_, std::vector<std::string>{"ab12cd34"});
  HttpRequest form;
  form.method = "POST";
  form.path = path;
  form.headers = {{"host", "127.0.0.1:8123"},
                  {"referer", std::string(kOrigin) + "/jobs/ab12cd34"},
                  {"cookie", cookie}};
  form.body = std::string("token=") + kToken;
  EXPECT_EQ(dashboard_->Handle(form).status, 200);
  EXPECT_EQ(cancelled_.size(), 2u);
}

TEST_F(DashboardServerTest, MarketPricesLiveOnAwsElseFromTheCatalog) {
  AddJobWithAttempt("aaaa0001", "local");
  AddJobWithAttempt("bbbb0002", "aws");
  const std::map<std::string, std::string> auth = {{"x-spotrun-token", kToken}};
  auto market = [&](const std::string& id) {
    HttpResponse r = Send("GET", "/api/jobs/" + id + "/market", "", auth);
    EXPECT_EQ(r.status, 200);
    return nlohmann::json::parse(r.body);
  };
  nlohmann::json m = market("aaaa0001");
  EXPECT_EQ(m["price_source"], "the bundled catalog snapshot (data/catalog/aws-vms.csv)");
  EXPECT_FALSE(m["catalog"].empty());
  EXPECT_EQ(m["trace"]["match"], "region");
  EXPECT_TRUE(live_asked_.empty());  // Local jobs: the catalog's prices, nothing asked.
  Offer live;
  live.instance_type = "t3.medium";
  live.region = "us-east-1";
  live.zone = "use1-az2";
  live.spot_price = 0.5;
  live.on_demand_price = 1;
  live_ = std::vector<Offer>{live};
  m = market("bbbb0002");
  EXPECT_EQ(live_asked_, std::vector<std::string>{"bbbb0002 us-east-1"});
  EXPECT_EQ(m["price_source"].get<std::string>().rfind("live from EC2 at ", 0), 0u);
  ASSERT_EQ(m["catalog"].size(), 1u);
  EXPECT_EQ(m["catalog"][0]["spot_price"], 0.5);
  live_ = Unavailable("throttled");
  m = market("bbbb0002");
  EXPECT_EQ(m["price_source"],
            "the bundled catalog snapshot (data/catalog/aws-vms.csv) (live prices failed: "
            "throttled)");
}

TEST(DashboardSimulateTest, ParsesTheFormAndRefusesBadValues) {
  auto q = ParseSimulateQuery(
      "trace=us-east-1c_v100_1&job_hours=10&deadline_hours=12&starts=3"
      "&policies=spotrun,greedy");
  ASSERT_TRUE(q.ok()) << q.status().message();
  EXPECT_EQ(q->trace, "us-east-1c_v100_1");
  EXPECT_DOUBLE_EQ(q->terms.work_s, 36000);
  EXPECT_DOUBLE_EQ(q->terms.deadline_s, 43200);
  EXPECT_EQ(q->starts, 3);
  EXPECT_EQ(q->policies, (std::vector<std::string>{"spotrun", "greedy"}));
  EXPECT_FALSE(ParseSimulateQuery("job_hours=abc").ok());
  EXPECT_FALSE(ParseSimulateQuery("job_hours=10&deadline_hours=5").ok());
  EXPECT_FALSE(ParseSimulateQuery("starts=2.5").ok());
  EXPECT_FALSE(ParseSimulateQuery("policies=nosuch").ok());
}

TEST(DashboardSimulateTest, RunsTheReplayOfSpotrunSimulate) {
  auto q = ParseSimulateQuery("job_hours=10&deadline_hours=12&starts=3&policies=on-demand,spotrun");
  ASSERT_TRUE(q.ok());
  auto r = RunSimulation(*q);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ((*r)["policies"].size(), 2u);
  EXPECT_EQ((*r)["policies"][0]["costs"].size(), 3u);
  // On demand costs the job's hours (and one changeover) at the on-demand price.
  EXPECT_NEAR((*r)["policies"][0]["costs"][0].get<double>(), 10.2 * 3.06, 0.5);
  q->trace = "nosuch";
  EXPECT_EQ(RunSimulation(*q).status().code(), Code::kNotFound);
}

}  // namespace
}  // namespace spotrun
