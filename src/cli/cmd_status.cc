// `spotrun status` and `spotrun logs`.
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/commands.h"
#include "jobs/attempt_logs.h"
#include "jobs/controller.h"
#include "jobs/job_summary.h"
#include "util/clock.h"
#include "util/terminal_text.h"

namespace spotrun {
namespace {

using nlohmann::json;

json AttemptJson(const AttemptRecord& a, double now) {
  return {{"number", a.number},
          {"instance_id", a.instance_id},
          {"instance_type", a.instance_type},
          {"zone", a.zone},
          {"market", a.market},
          {"price_per_hour", a.price_per_hour},
          {"started_at", a.started_at},
          {"ended_at", a.ended_at},
          {"outcome", a.outcome},
          {"cost_usd", a.Cost(now)}};
}

// A notebook's URL port (the token is not kept) and idle time; null for a job.
json NotebookJson(const JobSummary& s, double now) {
  if (s.job.kind != JobKind::kNotebook) return nullptr;
  json j = json::object();
  j["port"] = s.notebook_port ? json(*s.notebook_port) : json(nullptr);
  j["idle_s"] = s.notebook_active_at && !IsTerminal(s.job.state)
                    ? json(std::max(0.0, now - *s.notebook_active_at))
                    : json(nullptr);
  return j;
}

// What the table says of a running notebook: "notebook at 127.0.0.1:8888, idle 3 min".
std::string NotebookText(const JobSummary& s, double now) {
  std::string text = "notebook";
  if (s.notebook_port) text += " at 127.0.0.1:" + std::to_string(*s.notebook_port);
  if (s.notebook_active_at) {
    char idle[32];
    std::snprintf(idle, sizeof idle, ", idle %.0f min",
                  std::max(0.0, now - *s.notebook_active_at) / 60);
    text += idle;
  }
  return text;
}

json SummaryJson(const JobSummary& s, double now) {
  json attempts = json::array();
  for (const auto& a : s.attempts) {
    if (a.started_at > 0) attempts.push_back(AttemptJson(a, now));
  }
  return {{"id", s.job.id},
          {"name", s.job.name},
          {"state", JobStateName(s.job.state)},
          {"cloud", s.job.cloud},
          {"instance_type", s.instance_type},
          {"zone", s.zone},
          {"market", s.market},
          {"attempts", static_cast<int>(attempts.size())},
          {"preemptions", s.preemptions},
          {"cost_usd", s.cost_usd},
          {"on_demand_cost_usd", s.on_demand_cost_usd},
          {"results_dir", s.job.results_dir},
          {"created_at", s.job.created_at},
          {"message", s.job.message},
          {"progress", s.progress ? json(*s.progress) : json(nullptr)},
          {"deadline_at", s.deadline_at ? json(*s.deadline_at) : json(nullptr)},
          {"gpus", s.gpus ? json::parse(GpuReportToJson(*s.gpus)) : json(nullptr)},
          {"kind", s.job.kind == JobKind::kNotebook ? "notebook" : "job"},
          {"notebook", NotebookJson(s, now)},
          {"attempt_history", attempts}};
}

void PrintTable(const std::vector<JobSummary>& jobs, double now) {
  printf("%-8s  %-20s  %-12s  %-5s  %-12s  %-9s  %4s  %4s  %10s  %s\n", "ID", "NAME", "STATE",
         "CLOUD", "TYPE", "ZONE", "ATT", "PRE", "COST", "MESSAGE");
  for (const auto& s : jobs) {
    int attempts = 0;
    for (const auto& a : s.attempts) attempts += a.started_at > 0 ? 1 : 0;
    printf("%-8s  %-20s  %-12s  %-5s  %-12s  %-9s  %4d  %4d  %10.6f  %s\n", s.job.id.c_str(),
           s.job.name.c_str(), JobStateName(s.job.state), s.job.cloud.c_str(),
           s.instance_type.c_str(), s.zone.c_str(), attempts, s.preemptions, s.cost_usd,
           SafeForTerminal(s.job.kind == JobKind::kNotebook && !IsTerminal(s.job.state)
                               ? NotebookText(s, now)
                               : s.job.message)
               .c_str());
  }
}

std::string FormatHours(double seconds) {
  char text[32];
  if (seconds < 3600) {
    std::snprintf(text, sizeof(text), "%.0f min", seconds / 60);
  } else {
    std::snprintf(text, sizeof(text), "%.1f h", seconds / 3600);
  }
  return text;
}

// "2026-11-27 10:00:00 UTC: in 3.2 h", "...: met with 12 min to spare".
std::string DeadlineText(const JobSummary& s, double now) {
  std::string text = FormatUtc(*s.deadline_at, "%Y-%m-%d %H:%M:%S UTC") + ": ";
  if (!IsTerminal(s.job.state)) {
    const double left = *s.deadline_at - now;
    return text + (left >= 0 ? "in " + FormatHours(left) : "passed " + FormatHours(-left) + " ago");
  }
  if (s.job.state != JobState::kSucceeded)
    return text + "not met (" + JobStateName(s.job.state) + ")";
  const double spare = *s.deadline_at - s.job.updated_at;
  return text + (spare >= 0 ? "met with " + FormatHours(spare) + " to spare"
                            : "missed by " + FormatHours(-spare));
}

// One line per attempt: where it ran, what it cost, how it ended.
void PrintAttempts(const JobSummary& s, double now) {
  printf("\n  %-3s %-20s %-12s %-9s %-9s %10s %10s  %s\n", "#", "INSTANCE", "TYPE", "ZONE",
         "MARKET", "SECONDS", "COST", "OUTCOME");
  for (const auto& a : s.attempts) {
    if (a.started_at <= 0) continue;
    double end = a.ended_at > 0 ? a.ended_at : now;
    printf("  %-3d %-20s %-12s %-9s %-9s %10.0f %10.6f  %s\n", a.number, a.instance_id.c_str(),
           a.instance_type.c_str(), a.zone.c_str(), a.market.c_str(), end - a.started_at,
           a.Cost(now), a.outcome.empty() ? "running" : a.outcome.c_str());
  }
  printf("\n  total $%.6f; on-demand would have cost $%.6f (saved %.0f%%)\n", s.cost_usd,
         s.on_demand_cost_usd, s.SavingPercent());
  if (s.progress) printf("  progress %.0f%% (reported by the job)\n", *s.progress * 100);
  if (s.gpus) printf("  GPUs (attempt %d): %s\n", s.gpus->attempt, DescribeGpus(*s.gpus).c_str());
  if (s.deadline_at) printf("  deadline %s\n", DeadlineText(s, now).c_str());
}

}  // namespace

int CmdStatus(CliContext& ctx, const Args& args) {
  auto parsed = ParseArgs(args, {{"json", false}});
  if (!parsed.ok() || parsed->positional.size() > 1) {
    fprintf(stderr, "spotrun: %s\n",
            parsed.ok() ? "status takes at most one job" : parsed.status().message().c_str());
    return 2;
  }
  std::vector<JobRecord> records;
  if (parsed->positional.empty()) {
    auto all = ctx.store->ListJobs();
    if (!all.ok()) return fprintf(stderr, "spotrun: %s\n", all.status().ToString().c_str()), 1;
    records = *all;
  } else {
    auto one = ctx.store->GetJob(parsed->positional[0]);
    if (!one.ok()) return JobLookupFailed(one.status());
    records.push_back(*one);
  }
  const double now = ctx.clock.Now();
  std::vector<JobSummary> summaries;
  for (const auto& r : records) {
    auto s = Summarize(*ctx.store, r, now);
    if (s.ok()) summaries.push_back(*s);
  }
  if (parsed->Has("json")) {
    json jobs = json::array();
    for (const auto& s : summaries) jobs.push_back(SummaryJson(s, now));
    printf("%s\n", json{{"jobs", jobs}}.dump(2).c_str());
  } else if (records.empty()) {
    printf("no jobs yet; `spotrun launch FILE` starts one\n");
  } else {
    PrintTable(summaries, now);
    if (!parsed->positional.empty() && !summaries.empty()) PrintAttempts(summaries[0], now);
  }
  return 0;
}

int CmdLogs(CliContext& ctx, const Args& args) {
  auto parsed = ParseArgs(args, {{"follow", false}});
  if (!parsed.ok() || parsed->positional.size() != 1) {
    fprintf(stderr, "spotrun: %s\n",
            parsed.ok() ? "logs needs one job" : parsed.status().message().c_str());
    return 2;
  }
  auto job = ctx.store->GetJob(parsed->positional[0]);
  if (!job.ok()) return JobLookupFailed(job.status());
  // Every attempt's log in order, each under a header once there is more than one.
  std::map<int, std::streamoff> printed;
  char buf[65536];
  // On a terminal the job's escape sequences are shown, not obeyed.
  const bool terminal = StdoutIsTerminal();
  TerminalText text;
  for (;;) {
    bool done = !parsed->Has("follow") || IsTerminal(job->state);
    auto attempts = ctx.store->Attempts(job->id);
    for (const auto& a : attempts.ok() ? *attempts : std::vector<AttemptRecord>{}) {
      std::ifstream in(LocalAttemptLogPath(ctx.jobs_dir(), job->id, a.number), std::ios::binary);
      if (!in) continue;
      if (!printed.count(a.number)) fputs(AttemptLogHeader(a).c_str(), stdout);
      std::streamoff& offset = printed[a.number];
      in.seekg(offset);
      while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        if (terminal) {
          const std::string safe = text.Filter(std::string_view(buf, in.gcount()));
          fwrite(safe.data(), 1, safe.size(), stdout);
        } else {
          fwrite(buf, 1, in.gcount(), stdout);
        }
        offset += in.gcount();
      }
    }
    fflush(stdout);
    if (done) break;
    ctx.clock.Sleep(0.5);
    auto fresh = ctx.store->GetJob(job->id);
    if (fresh.ok()) job = fresh;
  }
  return 0;
}

}  // namespace spotrun
