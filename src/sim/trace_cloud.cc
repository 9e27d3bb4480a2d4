#include "sim/trace_cloud.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "remote/host.h"

namespace spotrun {
namespace {

// The agent's `serve` session on a TraceCloud instance: a poll request
// gets what the poll command prints.
class TraceSession : public HostSession {
 public:
  TraceSession(TraceCloud* cloud, std::string instance_id)
      : cloud_(cloud), instance_id_(std::move(instance_id)) {}
  Result<std::string> Call(const std::string& line, double timeout_s) override {
    (void)timeout_s;
    if (line.rfind("poll ", 0) != 0) return Unavailable("trace agent: unknown request");
    return cloud_->AgentPoll(instance_id_);
  }

 private:
  TraceCloud* cloud_;
  std::string instance_id_;
};

// The data plane of a TraceCloud instance: commands go to its simulated agent;
// files go nowhere (a pull leaves an empty directory: the job has no outputs).
class TraceHost : public Host {
 public:
  TraceHost(TraceCloud* cloud, std::string instance_id)
      : cloud_(cloud), instance_id_(std::move(instance_id)) {}

  Result<int> Run(const std::string& command, const RunOptions& options,
                  const OutputFn& on_output) override {
    (void)options;
    std::string output;
    Result<int> rc = cloud_->AgentCommand(instance_id_, command, &output);
    if (rc.ok() && on_output && !output.empty()) on_output(output);
    return rc;
  }
  Status Push(const std::string& local, const std::string& remote,
              const std::vector<std::string>& excludes) override {
    (void)local;
    (void)remote;
    (void)excludes;
    return Status::Ok();
  }
  Status PushFiles(const std::vector<std::pair<std::string, std::string_view>>& files,
                   const std::string& staging, const std::string& remote) override {
    (void)files;
    (void)staging;
    (void)remote;
    return Status::Ok();
  }
  Result<std::unique_ptr<HostSession>> OpenSession(const std::string& command) override {
    (void)command;
    return std::unique_ptr<HostSession>(new TraceSession(cloud_, instance_id_));
  }
  Status Pull(const std::string& remote, const std::string& local) override {
    (void)remote;
    std::error_code ec;
    std::filesystem::create_directories(local, ec);
    if (ec) return Internal("cannot create " + local + ": " + ec.message());
    return Status::Ok();
  }

 private:
  TraceCloud* cloud_;
  std::string instance_id_;
};

bool IsAlive(const Instance& i) { return i.state != InstanceState::kTerminated; }

}  // namespace

TraceCloud::TraceCloud(const Trace& trace, const JobTerms& terms, SimClock* clock, int64_t tick_now)
    : trace_(trace),
      terms_(terms),
      clock_(clock),
      epoch_(clock->Now() - static_cast<double>(tick_now * trace.gap_s)) {}

int64_t TraceCloud::TickAt(double t) const {
  return static_cast<int64_t>(std::floor((t - epoch_) / static_cast<double>(trace_.gap_s)));
}

double TraceCloud::TimeOfTick(int64_t tick) const {
  return epoch_ + static_cast<double>(tick * trace_.gap_s);
}

double TraceCloud::WorkDone(const std::string& job_id) const {
  auto it = work_.find(job_id);
  return it == work_.end() ? 0 : it->second.done_s;
}

double TraceCloud::FinishedAt(const std::string& job_id) const {
  auto it = work_.find(job_id);
  return it == work_.end() ? 0 : it->second.finished_at;
}

Result<std::vector<Offer>> TraceCloud::Offers(const std::string& region) {
  if (region != DefaultRegion()) return std::vector<Offer>{};
  Offer o;
  o.instance_type = kInstanceType;
  o.vcpus = 8;
  o.memory_gib = 61;
  o.accelerator = "V100";
  o.accelerator_count = 1;
  o.on_demand_price = terms_.on_demand_price;
  o.spot_price = terms_.spot_price;
  o.region = DefaultRegion();
  o.zone = trace_.name;
  return std::vector<Offer>{o};
}

Result<Instance> TraceCloud::Launch(const LaunchRequest& request) {
  if (auto it = by_token_.find(request.client_token); it != by_token_.end()) {
    return Describe(it->second);
  }
  const double now = clock_->Now();
  const int64_t tick = TickAt(now);
  if (request.market == Market::kSpot && !trace_.Available(tick)) {
    return CapacityError("no spot capacity in " + trace_.name + " at tick " + std::to_string(tick));
  }
  Machine m;
  Instance& i = m.instance;
  i.id = "trace-" + std::to_string(++launched_);
  i.state = InstanceState::kRunning;
  i.instance_type = kInstanceType;
  i.region = DefaultRegion();
  i.zone = trace_.name;
  i.market = request.market;
  i.price_per_hour = request.market == Market::kSpot ? terms_.spot_price : terms_.on_demand_price;
  i.launch_time = now;
  i.tags = request.tags;
  m.checked_tick = tick;
  auto job = request.tags.find(kTagJobId);
  m.work = &work_[job == request.tags.end() ? std::string() : job->second];
  if (!request.client_token.empty()) by_token_[request.client_token] = i.id;
  Machine& stored = machines_[i.id] = m;
  by_id_[i.id] = &stored;
  return i;
}

void TraceCloud::CountWork(Machine& m, double until) {
  Work& w = *m.work;
  if (!m.agent_started || m.agent_stopped || w.finished_at > 0) return;
  const double from = std::max(m.run_from, m.worked_until);
  m.worked_until = std::max(m.worked_until, until);
  if (until <= from) return;
  const double worked = std::min(until - from, terms_.work_s - w.done_s);
  w.done_s += worked;
  if (w.done_s >= terms_.work_s) w.finished_at = from + worked;
}

void TraceCloud::Update(Machine& m) {
  Instance& i = m.instance;
  if (!IsAlive(i)) return;
  const double now = clock_->Now();
  if (i.market == Market::kSpot) {
    const int64_t last = TickAt(now);
    for (int64_t tick = m.checked_tick + 1; tick <= last; ++tick) {
      if (trace_.Available(tick)) continue;
      const double end = TimeOfTick(tick);
      CountWork(m, end);
      i.state = InstanceState::kTerminated;
      i.end_time = end;
      i.state_reason = "Server.SpotInstanceTermination";
      m.checked_tick = tick;
      return;
    }
    m.checked_tick = std::max(m.checked_tick, last);
  }
  CountWork(m, now);
}

Result<Instance> TraceCloud::Describe(const std::string& instance_id) {
  auto it = machines_.find(instance_id);
  if (it == machines_.end()) return NotFound("no instance " + instance_id);
  Update(it->second);
  return it->second.instance;
}

Status TraceCloud::Terminate(const std::string& instance_id) {
  auto it = machines_.find(instance_id);
  if (it == machines_.end()) return Status::Ok();
  Machine& m = it->second;
  Update(m);
  if (!IsAlive(m.instance)) return Status::Ok();
  m.agent_stopped = true;
  m.instance.state = InstanceState::kTerminated;
  m.instance.end_time = clock_->Now();
  m.instance.state_reason = "Client.UserInitiatedShutdown";
  return Status::Ok();
}

Result<std::vector<Instance>> TraceCloud::ListTagged(
    const std::map<std::string, std::string>& tags) {
  std::vector<Instance> out;
  for (auto& [id, machine] : by_id_) {
    Machine& m = *machine;
    Update(m);
    if (!IsAlive(m.instance)) continue;
    const bool match = std::all_of(tags.begin(), tags.end(), [&](const auto& kv) {
      auto t = m.instance.tags.find(kv.first);
      return t != m.instance.tags.end() && t->second == kv.second;
    });
    if (match) out.push_back(m.instance);
  }
  return out;
}

Result<std::unique_ptr<Host>> TraceCloud::HostFor(const Instance& instance) {
  if (!machines_.count(instance.id)) return NotFound("no instance " + instance.id);
  return std::unique_ptr<Host>(new TraceHost(this, instance.id));
}

namespace {

// `v` in the fewest digits that read back as `v` (what %.17g gives, faster).
void AppendNumber(std::string* out, double v) {
  char digits[32];
  auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), v);
  out->append(digits, ec == std::errc() ? end : digits);
}

}  // namespace

std::string TraceCloud::PollOutput(const Machine& m) const {
  // The agent's status line (see jobs/agent_protocol.h), then no log.
  if (m.agent_stopped) {
    return R"({"phase":"done","exit_code":143,"message":"stopped","supervisor_alive":true})"
           "\n";
  }
  std::string line;
  if (m.work->finished_at > 0) {
    // Done just before the last instance was taken back: the job resumes
    // from its final checkpoint with nothing left to do (and this agent
    // says so at once, so that a controller polling once a tick sees it).
    line = R"({"phase":"done","exit_code":0,"finished_at":)";
    AppendNumber(&line, m.work->finished_at);
  } else if (clock_->Now() < m.run_from) {
    line = R"({"phase":"setup")";
  } else {
    line = R"({"phase":"run","run_started_at":)";
    AppendNumber(&line, m.run_from);
    line += R"(,"progress":)";
    AppendNumber(&line, m.work->done_s / terms_.work_s);
  }
  line += R"(,"supervisor_alive":true})"
          "\n";
  return line;
}

Result<TraceCloud::Machine*> TraceCloud::Reach(const std::string& instance_id) {
  auto it = machines_.find(instance_id);
  if (it == machines_.end()) return Unavailable("no route to " + instance_id);
  Machine& m = it->second;
  Update(m);
  if (!IsAlive(m.instance)) return Unavailable("connection to " + instance_id + " lost");
  return &m;
}

Result<std::string> TraceCloud::AgentPoll(const std::string& instance_id) {
  Result<Machine*> m = Reach(instance_id);
  if (!m.ok()) return m.status();
  return PollOutput(**m);
}

Result<int> TraceCloud::AgentCommand(const std::string& instance_id, const std::string& command,
                                     std::string* output) {
  Result<Machine*> reached = Reach(instance_id);
  if (!reached.ok()) return reached.status();
  Machine& m = **reached;
  const double now = clock_->Now();
  if (command.find(" start ") != std::string::npos) {
    if (!m.agent_started) {
      m.agent_started = true;
      m.run_from = std::max(m.instance.launch_time + terms_.overhead_s, now);
    }
    return 0;
  }
  if (command.find(" poll ") != std::string::npos) {
    *output = PollOutput(m);
    return 0;
  }
  if (command.find(" stop ") != std::string::npos) {
    CountWork(m, now);
    m.agent_stopped = true;
    *output = "stopped\n";
    return 0;
  }
  if (command.find(" snapshot ") != std::string::npos) {
    // Progress is kept by the market model itself; there are no files.
    *output = "no checkpoint directory\n";
    return 1;
  }
  *output = "trace agent: unknown command\n";
  return 127;
}

}  // namespace spotrun
