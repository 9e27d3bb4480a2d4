// The dashboard's HTTP handler: pages, their assets (embedded in the binary)
// and the JSON they poll, read from the Store and the job logs. Its only
// write is a cancel request (POST with the token in a header or the body,
// from the dashboard's own origin). Every request must carry the token
// (dashboard/access.h) and name 127.0.0.1:PORT as its host. Called for one
// request at a time (LoopbackHttpServer), so the Store needs no locking.
#pragma once

#include <functional>
#include <string>

#include "catalog/catalog.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/http_server.h"

namespace spotrun {

struct DashboardOptions {
  std::string jobs_dir;  // SPOTRUN_HOME/jobs: the logs.
  std::string token;     // What every request must carry.
  int port = 0;          // Where it listens: its origin is http://127.0.0.1:PORT.
  // Asks for the job to be cancelled (the store's cancel request, and a
  // controller to act on it when none is alive).
  std::function<Status(const JobRecord&)> cancel;
  // The live offers of the job's cloud in `region` (its current spot prices),
  // asked for jobs on aws only; null: the bundled catalog's prices for all.
  std::function<Result<std::vector<Offer>>(const JobRecord&, const std::string& region)>
      live_offers;
};

class Dashboard {
 public:
  // `store` and `clock` are not owned and must outlive the dashboard.
  Dashboard(Store* store, Clock* clock, DashboardOptions options);
  HttpResponse Handle(const HttpRequest& req);

 private:
  HttpResponse Get(const HttpRequest& req);
  HttpResponse Page(const HttpRequest& req, const std::string& page);
  HttpResponse JobsJson();
  HttpResponse JobApi(const std::string& id, const std::string& what, const HttpRequest& req);
  HttpResponse Cancel(const HttpRequest& req);
  HttpResponse Simulate(const HttpRequest& req);
  HttpResponse Market(const JobRecord& job, const std::vector<AttemptRecord>& attempts);

  Store* store_;
  Clock* clock_;
  DashboardOptions options_;
};

}  // namespace spotrun
