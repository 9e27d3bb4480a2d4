#include "dashboard/serve.h"

#include "dashboard/server.h"

namespace spotrun {

Status ServeDashboard(Store* store, Clock* clock, const ServeOptions& o) {
  LoopbackHttpServer server;
  SPOTRUN_RETURN_IF_ERROR(server.Listen(o.port));
  Dashboard dashboard(store, clock, {o.jobs_dir, o.token, server.port(), o.cancel, o.live_offers});
  o.listening(server.port());
  server.Serve([&](const HttpRequest& req) { return dashboard.Handle(req); }, o.keep_going, 200);
  return Status::Ok();
}

}  // namespace spotrun
