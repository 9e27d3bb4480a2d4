// Runs the dashboard: listens on 127.0.0.1 and serves dashboard/server.h's
// Dashboard until told to stop. Kept apart from server.h so that callers
// need not see the HTTP server's types.
#pragma once

#include <functional>
#include <string>

#include "catalog/catalog.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/status.h"

namespace spotrun {

struct ServeOptions {
  int port = 0;          // 0: any free port.
  std::string jobs_dir;  // SPOTRUN_HOME/jobs.
  std::string token;     // From NewDashboardToken.
  // Asks for a job's cancel (see DashboardOptions::cancel).
  std::function<Status(const JobRecord&)> cancel;
  // See DashboardOptions::live_offers.
  std::function<Result<std::vector<Offer>>(const JobRecord&, const std::string& region)>
      live_offers;
  // Told the port once it listens, before the first request is served.
  std::function<void(int port)> listening;
  // Asked a few times a second; serving stops once it returns false.
  std::function<bool()> keep_going;
};

// Serves until keep_going() is false. Fails (one line) when it cannot listen.
Status ServeDashboard(Store* store, Clock* clock, const ServeOptions& options);

}  // namespace spotrun
