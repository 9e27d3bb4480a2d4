#include "dashboard/server.h"

#include <nlohmann/json.hpp>

#include "catalog/catalog.h"
#include "dashboard/access.h"
#include "dashboard/job_view.h"
#include "dashboard/log_tail.h"
#include "dashboard/market_view.h"
#include "dashboard/simulate_view.h"
#include "jobs/job_summary.h"
#include "util/clock.h"
#include "util/embedded.h"

namespace spotrun {
namespace {

using nlohmann::json;

constexpr long long kLogChunk = 64 * 1024;

HttpResponse Text(int status, const std::string& body) {
  return {status, "text/plain; charset=utf-8", body + "\n", {}};
}

HttpResponse Json(const json& body) {
  return {200, "application/json", body.dump(), {{"Cache-Control", "no-store"}}};
}

HttpResponse FromStatus(const Status& s) {
  const int code = s.code() == Code::kNotFound          ? 404
                   : s.code() == Code::kInvalidArgument ? 400
                                                        : 500;
  return Text(code, s.message());
}

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

// "/static/app.js" -> the embedded "dashboard/app.js" with its type.
HttpResponse Asset(const std::string& path) {
  const std::string file = path.substr(sizeof("/static/") - 1);
  auto body = EmbeddedFile("dashboard/" + file);
  if (!body || file.find('/') != std::string::npos) return Text(404, "no such file");
  const bool js = file.size() > 3 && file.substr(file.size() - 3) == ".js";
  return {200,
          js ? "text/javascript" : "text/css",
          std::string(*body),
          {{"Cache-Control", "no-store"}}};
}

void ReplaceAll(std::string* s, const std::string& from, const std::string& to) {
  for (size_t at = s->find(from); at != std::string::npos; at = s->find(from, at + to.size())) {
    s->replace(at, from.size(), to);
  }
}

// The token sent in a POST's header or form body (a cookie does not count).
bool PostCarriesToken(const HttpRequest& req, const std::string& token) {
  auto it = req.headers.find(kTokenHeader);
  if (it != req.headers.end() && TokensEqual(it->second, token)) return true;
  return TokensEqual(QueryParam(req.body, "token"), token);
}

}  // namespace

Dashboard::Dashboard(Store* store, Clock* clock, DashboardOptions options)
    : store_(store), clock_(clock), options_(std::move(options)) {}

HttpResponse Dashboard::Handle(const HttpRequest& req) {
  if (!HostAllowed(req, options_.port)) return Text(403, "refused: wrong Host header");
  if (!HasToken(req, options_.token))
    return Text(403, "refused: the access token is missing or wrong");
  if (req.method == "GET") return Get(req);
  if (req.method == "POST" && StartsWith(req.path, "/api/jobs/")) return Cancel(req);
  return Text(405, "method not allowed");
}

HttpResponse Dashboard::Get(const HttpRequest& req) {
  const std::string& p = req.path;
  if (p == "/" || p == "/jobs") return Page(req, "jobs");
  if (StartsWith(p, "/jobs/")) return Page(req, "job");
  if (p == "/simulate") return Page(req, "simulate");
  if (StartsWith(p, "/static/")) return Asset(p);
  if (p == "/api/jobs") return JobsJson();
  if (p == "/api/simulate/choices") return Json(SimulateChoices());
  if (p == "/api/simulate") return Simulate(req);
  if (StartsWith(p, "/api/jobs/")) {
    const std::string rest = p.substr(sizeof("/api/jobs/") - 1);
    const size_t slash = rest.find('/');
    return JobApi(rest.substr(0, slash), slash == std::string::npos ? "" : rest.substr(slash + 1),
                  req);
  }
  return Text(404, "no such page");
}

HttpResponse Dashboard::Page(const HttpRequest& req, const std::string& page) {
  auto html = EmbeddedFile("dashboard/index.html");
  if (!html) return Text(500, "the dashboard's page is not embedded");
  std::string body(*html);
  ReplaceAll(&body, "{{TOKEN}}", options_.token);
  ReplaceAll(&body, "{{PAGE}}", page);
  HttpResponse r{200, "text/html; charset=utf-8", body, {}};
  r.headers["Content-Security-Policy"] =
      "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'";
  r.headers["X-Frame-Options"] = "DENY";
  r.headers["Referrer-Policy"] = "same-origin";
  r.headers["Cache-Control"] = "no-store";
  if (!QueryParam(req.query, "token").empty()) {
    r.headers["Set-Cookie"] =
        std::string(kTokenCookie) + "=" + options_.token + "; Path=/; HttpOnly; SameSite=Strict";
  }
  return r;
}

HttpResponse Dashboard::JobsJson() {
  auto jobs = store_->ListJobs();
  if (!jobs.ok()) return FromStatus(jobs.status());
  const double now = clock_->Now();
  json rows = json::array();
  for (const auto& job : *jobs) {
    auto s = Summarize(*store_, job, now);
    if (s.ok()) rows.push_back(JobRowJson(*s));
  }
  return Json({{"now", now}, {"jobs", rows}});
}

HttpResponse Dashboard::JobApi(const std::string& id, const std::string& what,
                               const HttpRequest& req) {
  auto job = store_->GetJob(id);
  if (!job.ok()) return FromStatus(job.status());
  const double now = clock_->Now();
  auto s = Summarize(*store_, *job, now);
  if (!s.ok()) return FromStatus(s.status());
  if (what.empty()) {
    auto events = store_->Events(job->id);
    if (!events.ok()) return FromStatus(events.status());
    return Json(JobDetailJson(*s, *events, now));
  }
  if (what == "market") return Market(*job, s->attempts);
  if (what != "log") return Text(404, "no such page");
  const std::string offset = QueryParam(req.query, "offset");
  const LogChunk c = ReadLogTail(options_.jobs_dir, job->id, s->attempts,
                                 offset.empty() ? -1 : std::atoll(offset.c_str()), kLogChunk);
  return Json(
      {{"start", c.start}, {"end", c.end}, {"text", c.text}, {"finished", IsTerminal(job->state)}});
}

HttpResponse Dashboard::Cancel(const HttpRequest& req) {
  const std::string origin = "http://127.0.0.1:" + std::to_string(options_.port);
  if (!PostCarriesToken(req, options_.token)) {
    return Text(403, "refused: a POST needs the token in the X-Spotrun-Token header or the body");
  }
  if (!SameOrigin(req, origin)) return Text(403, "refused: the request comes from another origin");
  const std::string rest = req.path.substr(sizeof("/api/jobs/") - 1);
  const size_t slash = rest.find('/');
  if (slash == std::string::npos || rest.substr(slash) != "/cancel") {
    return Text(404, "no such action");
  }
  auto job = store_->GetJob(rest.substr(0, slash));
  if (!job.ok()) return FromStatus(job.status());
  if (IsTerminal(job->state)) return Json({{"id", job->id}, {"state", JobStateName(job->state)}});
  Status s = options_.cancel(*job);
  if (!s.ok()) return FromStatus(s);
  return Json({{"id", job->id}, {"state", JobStateName(job->state)}, {"cancel_requested", true}});
}

HttpResponse Dashboard::Market(const JobRecord& job, const std::vector<AttemptRecord>& attempts) {
  std::string region;
  for (const auto& a : attempts) region = a.started_at > 0 ? a.region : region;
  std::string source = "the bundled catalog snapshot (data/catalog/aws-vms.csv)";
  if (job.cloud == "aws" && options_.live_offers && !region.empty()) {
    auto live = options_.live_offers(job, region);
    if (live.ok()) {
      return Json(MarketJson(attempts, *live,
                             "live from EC2 at " + FormatUtc(clock_->Now(), "%H:%M:%S UTC")));
    }
    source += " (live prices failed: " + live.status().message() + ")";
  }
  return Json(MarketJson(attempts, Catalog::Bundled().offers(), source));
}

HttpResponse Dashboard::Simulate(const HttpRequest& req) {
  auto q = ParseSimulateQuery(req.query);
  if (!q.ok()) return FromStatus(q.status());
  auto result = RunSimulation(*q);
  if (!result.ok()) return FromStatus(result.status());
  return Json(*result);
}

}  // namespace spotrun
