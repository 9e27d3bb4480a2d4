// The local cloud's EC2-compatible IMDSv2 endpoint (see docs/local-cloud.md).
#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>

#include "cloud/local/local_cloud.h"
#include "cloud/local/market.h"
#include "cloud/local/sandbox.h"
#include "util/clock.h"
#include "util/fs.h"
#include "util/http_server.h"
#include "util/task_loop.h"

namespace spotrun {
namespace {

std::string NewToken() {
  std::random_device rd;
  std::string t;
  const char* hex = "0123456789abcdef";
  for (int i = 0; i < 40; ++i) t += hex[rd() % 16];
  return t;
}

std::string Iso8601(double epoch) { return FormatUtc(epoch, "%Y-%m-%dT%H:%M:%SZ"); }

class Imds {
 public:
  explicit Imds(std::string dir) : dir_(std::move(dir)) {}

  // IMDSv2's rules: a token comes from PUT /latest/api/token with a TTL of 1
  // to 21600 whole seconds, never through a proxy (X-Forwarded-For), and
  // opens the metadata until it expires.
  HttpResponse Handle(const HttpRequest& req) {
    const double now = clock_.Now();
    std::erase_if(tokens_, [&](const auto& t) { return t.second <= now; });
    if (req.path == "/latest/api/token") {
      if (req.method != "PUT") return {405, "text/plain", "use PUT"};
      if (req.headers.count("x-forwarded-for")) return {403, "text/plain", "Forbidden"};
      auto ttl = req.headers.find("x-aws-ec2-metadata-token-ttl-seconds");
      if (ttl == req.headers.end()) {
        return {400, "text/plain", "missing X-aws-ec2-metadata-token-ttl-seconds"};
      }
      const std::optional<int> seconds = TtlSeconds(ttl->second);
      if (!seconds) {
        return {400, "text/plain",
                "X-aws-ec2-metadata-token-ttl-seconds must be a whole number from 1 to 21600"};
      }
      std::string t = NewToken();
      tokens_[t] = now + *seconds;
      return {200, "text/plain", t};
    }
    if (req.method != "GET" && req.method != "HEAD") return {405, "text/plain", ""};
    auto tok = req.headers.find("x-aws-ec2-metadata-token");
    if (tok == req.headers.end() || !tokens_.count(tok->second)) return {401, "text/plain", ""};
    return Get(req.path);
  }

  bool InstanceAlive() const {
    auto meta = ReadFile(dir_ + "/meta.json");
    if (!meta.ok()) return false;
    auto j = nlohmann::json::parse(*meta, nullptr, false);
    return !j.is_discarded() && j.value("state", "") != "terminated";
  }

 private:
  HttpResponse Get(const std::string& path) {
    auto meta = nlohmann::json::parse(ReadFile(dir_ + "/meta.json").value(), nullptr, false);
    const std::string prefix = "/latest/meta-data/";
    if (path.rfind(prefix, 0) != 0 || meta.is_discarded()) return {404, "text/plain", ""};
    std::string key = path.substr(prefix.size());
    if (key == "instance-id") return {200, "text/plain", meta.value("id", "")};
    if (key == "instance-type") return {200, "text/plain", meta.value("instance_type", "")};
    if (key == "placement/availability-zone-id") return {200, "text/plain", meta.value("zone", "")};
    if (key == "placement/region") return {200, "text/plain", meta.value("region", "")};
    if (key == "instance-life-cycle") {
      return {200, "text/plain", meta.value("market", "spot") == "spot" ? "spot" : "on-demand"};
    }
    if (key == "spot/instance-action") return Notice("instance-action.json");
    if (key == "events/recommendations/rebalance") return Notice("rebalance.json");
    return {404, "text/plain", ""};
  }

  // Notices are written by the local cloud as {"action": ..., "time": epoch}.
  HttpResponse Notice(const std::string& file) {
    auto text = ReadFile(dir_ + "/" + file);
    if (!text.ok()) return {404, "text/plain", ""};
    auto j = nlohmann::json::parse(*text, nullptr, false);
    if (j.is_discarded()) return {404, "text/plain", ""};
    nlohmann::json out;
    if (j.contains("action")) out["action"] = j["action"];
    out[j.contains("action") ? "time" : "noticeTime"] = Iso8601(j.value("time", 0.0));
    return {200, "application/json", out.dump()};
  }

  static std::optional<int> TtlSeconds(const std::string& text) {
    if (text.empty() || text.size() > 5 ||
        !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return std::nullopt;
    }
    const int n = std::stoi(text);
    if (n < 1 || n > 21600) return std::nullopt;
    return n;
  }

  std::string dir_;
  RealClock clock_;
  std::map<std::string, double> tokens_;  // Token -> when it expires.
};

// Carries out the instance's preemption schedule, if it has one.
class Reclaimer {
 public:
  explicit Reclaimer(const std::string& dir)
      : dir_(dir),
        id_(std::filesystem::path(dir).filename().string()),
        cloud_(LocalCloudOptions{std::filesystem::path(dir).parent_path().parent_path().string(),
                                 "", MachineCapacity{}},
               &clock_) {
    if (auto s = LoadSchedule(dir + "/preempt.json"); s.ok()) schedule_ = *s;
  }

  void Tick() {
    // The instance asked to end itself from inside its sandbox, where it
    // cannot reach its init (`spotrun _local-terminate`).
    if (!done_ && PathExists(dir_ + "/" + kTerminateRequest)) {
      done_ = cloud_.Terminate(id_).ok();
      return;
    }
    if (!schedule_ || done_) return;
    std::optional<double> at = ReclaimTime();
    if (!at) return;
    const double now = clock_.Now();
    if (!noticed_ && now >= *at - kLocalNoticeSeconds) {
      // A notice always gives its full time, even when this daemon was late
      // (a loaded machine): the reclaim moves back if need be.
      reclaim_at_ = std::max(*at, now + kLocalNoticeSeconds);
      noticed_ = cloud_.SendInterruptionNotice(id_, reclaim_at_).ok();
    }
    if (noticed_ && now >= reclaim_at_) done_ = cloud_.Preempt(id_).ok();
  }

 private:
  std::optional<double> ReclaimTime() {
    if (!schedule_->after_run_start) {
      auto inst = cloud_.Describe(id_);
      if (!inst.ok()) return std::nullopt;
      return inst->launch_time + schedule_->seconds;
    }
    // The agent records when `run` started in its status file.
    std::error_code ec;
    for (const auto& job : std::filesystem::directory_iterator(dir_ + "/home/spotrun", ec)) {
      auto text = ReadFile(job.path().string() + "/status.json");
      if (!text.ok()) continue;
      auto j = nlohmann::json::parse(*text, nullptr, false);
      if (!j.is_discarded() && j.contains("run_started_at")) {
        return j["run_started_at"].get<double>() + schedule_->seconds;
      }
    }
    return std::nullopt;
  }

  std::string dir_;
  std::string id_;
  RealClock clock_;
  LocalCloud cloud_;
  std::optional<PreemptSchedule> schedule_;
  bool noticed_ = false;
  double reclaim_at_ = 0;  // Set with the notice.
  bool done_ = false;
};

}  // namespace

int TerminateLocalInstance(const std::string& instance_dir) {
  if (InsideSandbox(instance_dir)) {
    // The IMDS daemon, outside, carries it out (and ends this process).
    Status s = WriteFileAtomic(instance_dir + "/" + kTerminateRequest, "terminate\n");
    if (!s.ok()) fprintf(stderr, "spotrun: %s\n", s.ToString().c_str());
    for (int i = 0; s.ok() && i < 600; ++i) PauseRealTime(0.1);
    return 1;
  }
  RealClock clock;
  std::filesystem::path dir(instance_dir);
  LocalCloud cloud({dir.parent_path().parent_path().string(), "", MachineCapacity{}}, &clock);
  Status s = cloud.Terminate(dir.filename().string());
  if (!s.ok()) fprintf(stderr, "spotrun: %s\n", s.ToString().c_str());
  return s.ok() ? 0 : 1;
}

int RunImdsDaemon(const std::string& instance_dir) {
  LoopbackHttpServer server;
  if (Status s = server.Listen(0); !s.ok()) {
    fprintf(stderr, "spotrun _imds: %s\n", s.ToString().c_str());
    return 1;
  }
  Imds imds(instance_dir);
  Reclaimer reclaimer(instance_dir);
  if (!WriteFileAtomic(instance_dir + "/imds.port", std::to_string(server.port())).ok()) return 1;
  server.Serve([&](const HttpRequest& r) { return imds.Handle(r); },
               [&] {
                 reclaimer.Tick();
                 return imds.InstanceAlive();
               },
               100);
  return 0;
}

}  // namespace spotrun
