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

namespace spotrun {

// A host whose agent follows a script: each poll returns the next status line
// (and log text) from `polls`, repeating the last one.
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

  explicit FakeHost(std::vector<std::string>* r) : record(r) {}

  Result<int> Run(const std::string& command, const RunOptions&, const OutputFn& out) override {
    std::string verb = command.find(" poll ") != std::string::npos    ? "poll"
                       : command.find(" stop ") != std::string::npos  ? "stop"
                       : command.find(" start ") != std::string::npos ? "start"
                                                                      : command;
    if (verb != "poll") record->push_back("run " + verb);
    if (verb == "stop") {
      // The agent stops the job and stages what there is.
      polls = {{R"({"phase":"done","exit_code":143,"message":"stopped"})", ""}};
      next_poll = 0;
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
    for (const auto& [path, content] : out_files) {
      std::filesystem::create_directories(std::filesystem::path(local + "/" + path).parent_path());
      std::ofstream(local + "/" + path) << content;
    }
    return Status::Ok();
  }
};

// A cloud that launches instances i-1, i-2, ... and records every call as
// "launch TYPE ZONE MARKET max=PRICE" / "terminate ID". `fail_launches` maps
// "TYPE ZONE" to the Status its launch returns.
class FakeCloud : public Cloud {
 public:
  std::vector<std::string> record;
  std::vector<Offer> offers;
  std::map<std::string, Status> fail_launches;
  std::map<std::string, Instance> instances;
  std::function<void(FakeHost*)> setup_host = [](FakeHost*) {};
  double now = 1000;

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
    i.launch_time = now;
    i.tags = r.tags;
    instances[i.id] = i;
    return i;
  }
  Result<Instance> Describe(const std::string& id) override {
    auto it = instances.find(id);
    if (it == instances.end()) return NotFound(id);
    return it->second;
  }
  Status Terminate(const std::string& id) override {
    record.push_back("terminate " + id);
    instances[id].state = InstanceState::kTerminated;
    return Status::Ok();
  }
  Result<std::vector<Instance>> ListTagged(const std::map<std::string, std::string>&) override {
    return std::vector<Instance>{};
  }
  Result<std::unique_ptr<Host>> HostFor(const Instance&) override {
    auto host = std::make_unique<FakeHost>(&record);
    setup_host(host.get());
    std::unique_ptr<Host> h = std::move(host);
    return h;
  }
};

}  // namespace spotrun
