// Fakes for the seams: they record what was asked of them, and tests compare
// the record.
#pragma once

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "cloud/cloud.h"
#include "remote/host.h"
#include "util/clock.h"

namespace spotrun {

// A host whose agent follows a script: each poll returns the next status line
// (and log text) from `polls`, repeating the last one. Once the cloud has sent
// its instance a notice (FakeCloud::SendNotice), every poll answers as the
// agent does after its final snapshot: phase "interrupted", with the notice.
class FakeHost : public Host {
 public:
  struct Poll {
    std::string status_json;
    std::string log;
  };
  std::vector<std::string>* record;
  std::vector<Poll> polls;
  size_t next_poll = 0;
  std::map<std::string, std::string> out_files;  // Staged outputs: relative path -> content.
  // What a pull of one remote path brings (relative path -> content), e.g. the
  // agent's checkpoint snapshot; a pull of a path not listed brings out_files.
  std::map<std::string, std::map<std::string, std::string>> remote_files;
  // Set by FakeCloud::HostFor: the instance reached, and the notices sent.
  std::string instance_id;
  const std::map<std::string, std::string>* notices = nullptr;

  explicit FakeHost(std::vector<std::string>* r) : record(r) {}

  Result<int> Run(const std::string& command, const RunOptions&, const OutputFn& out) override {
    std::string verb = command.find(" poll ") != std::string::npos       ? "poll"
                       : command.find(" stop ") != std::string::npos     ? "stop"
                       : command.find(" start ") != std::string::npos    ? "start"
                       : command.find(" snapshot ") != std::string::npos ? "snapshot"
                                                                         : command;
    if (verb != "poll") record->push_back("run " + verb);
    if (verb == "stop") {
      // The agent stops the job and stages what there is.
      polls = {{R"({"phase":"done","exit_code":143,"message":"stopped"})", ""}};
      next_poll = 0;
    }
    if (verb == "poll" && notices && notices->count(instance_id)) {
      std::string notice = notices->at(instance_id);
      std::string escaped;
      for (char c : notice) escaped += c == '"' ? std::string("\\\"") : std::string(1, c);
      if (out) out(R"({"phase":"interrupted","notice":")" + escaped + "\"}\n");
      return 0;
    }
    if (verb == "poll") {
      const Poll& p = polls[std::min(next_poll++, polls.size() - 1)];
      if (out) out(p.status_json + "\n" + p.log);
      if (next_poll > polls.size()) polls.back().log.clear();
    }
    return 0;
  }
  Status Push(const std::string&, const std::string& remote,
              const std::vector<std::string>&) override {
    record->push_back("push " + remote);
    return Status::Ok();
  }
  Status Pull(const std::string& remote, const std::string& local) override {
    record->push_back("pull " + remote);
    auto listed = remote_files.find(remote);
    for (const auto& [path, content] : listed != remote_files.end() ? listed->second : out_files) {
      std::filesystem::create_directories(std::filesystem::path(local + "/" + path).parent_path());
      std::ofstream(local + "/" + path) << content;
    }
    return Status::Ok();
  }
};

// A cloud that launches instances i-1, i-2, ... and records every call as
// "launch TYPE ZONE MARKET max=PRICE" / "terminate ID". `fail_launches` maps
// "TYPE ZONE" to the Status its launch returns. ListTagged lists the
// instances not terminated (whatever the tags).
class FakeCloud : public Cloud {
 public:
  std::vector<std::string> record;
  std::vector<Offer> offers;
  std::map<std::string, Status> fail_launches;
  std::map<std::string, Instance> instances;
  std::function<void(FakeHost*)> setup_host = [](FakeHost*) {};
  std::map<std::string, std::string> notices;  // Instance id -> the notice its agent sees.
  double now = 1000;
  const Clock* clock = nullptr;  // When set, launch and end times are its Now(), else `now`.
  // Spot instances stay pending for this many Describe calls after launch.
  int spot_pending_describes = 0;
  std::map<std::string, int> pending_left;
  // Called on every Describe of a pending instance (recorded as
  // "describe ID pending").
  std::function<void(const std::string& id)> on_pending_describe = [](const std::string&) {};

  // Delivers an EC2-style interruption notice to `id`'s agent (for
  // FaultyCloud::deliver_notice).
  Status SendNotice(const std::string& id, double action_at) {
    notices[id] =
        R"({"action":"terminate","time":")" + FormatUtc(action_at, "%Y-%m-%dT%H:%M:%SZ") + R"("})";
    return Status::Ok();
  }

  std::string Name() const override { return "fake"; }
  std::string DefaultRegion() const override { return "us-east-1"; }
  Result<std::vector<Offer>> Offers(const std::string&) override { return offers; }
  Result<Instance> Launch(const LaunchRequest& r) override {
    std::ostringstream line;
    line << "launch " << r.instance_type << " " << r.zone << " " << MarketName(r.market)
         << " max=" << r.max_price;
    record.push_back(line.str());
    if (auto f = fail_launches.find(r.instance_type + " " + r.zone); f != fail_launches.end()) {
      return f->second;
    }
    Instance i;
    i.id = "i-" + std::to_string(instances.size() + 1);
    i.state = InstanceState::kRunning;
    i.instance_type = r.instance_type;
    i.region = r.region;
    i.zone = r.zone;
    i.market = r.market;
    i.price_per_hour = 0.5;
    i.launch_time = clock ? clock->Now() : now;
    i.tags = r.tags;
    if (r.market == Market::kSpot && spot_pending_describes > 0) {
      i.state = InstanceState::kPending;
      pending_left[i.id] = spot_pending_describes;
    }
    instances[i.id] = i;
    return i;
  }
  Result<Instance> Describe(const std::string& id) override {
    auto it = instances.find(id);
    if (it == instances.end()) return NotFound(id);
    if (it->second.state == InstanceState::kPending) {
      record.push_back("describe " + id + " pending");
      on_pending_describe(id);
      if (--pending_left[id] <= 0) it->second.state = InstanceState::kRunning;
    }
    return it->second;
  }
  Status Terminate(const std::string& id) override {
    record.push_back("terminate " + id);
    Instance& i = instances[id];
    if (i.state != InstanceState::kTerminated && clock) i.end_time = clock->Now();
    i.state = InstanceState::kTerminated;
    return Status::Ok();
  }
  Result<std::vector<Instance>> ListTagged(const std::map<std::string, std::string>&) override {
    std::vector<Instance> out;
    for (const auto& [id, i] : instances) {
      if (i.state != InstanceState::kTerminated) out.push_back(i);
    }
    return out;
  }
  Result<std::unique_ptr<Host>> HostFor(const Instance& instance) override {
    auto host = std::make_unique<FakeHost>(&record);
    host->instance_id = instance.id;
    host->notices = &notices;
    setup_host(host.get());
    std::unique_ptr<Host> h = std::move(host);
    return h;
  }
};

}  // namespace spotrun
