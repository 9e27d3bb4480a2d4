// The client side of a notebook session: once the session's Jupyter answers
// on its instance, a local port forwarded to it over SSH and the URL printed
// (`open http://127.0.0.1:PORT/?token=...`); after a relaunch, the same for
// the new instance. The token is read from the instance each time and kept
// in memory only: it is in the printed line and nowhere else.
#pragma once

#include <memory>
#include <string>

#include "cli/context.h"
#include "util/subprocess.h"

namespace spotrun {

class NotebookForward {
 public:
  // `local_port`: the port of the URL (127.0.0.1), the same for every instance.
  NotebookForward(CliContext& ctx, std::string job_id, int local_port);
  // Brings the forward up to date with the job: called often, acts at most
  // once a second.
  void Tick();
  // True once a URL was printed.
  bool Opened() const { return opened_ > 0; }

 private:
  // The instance of the job's open attempt; "" when none.
  std::string OpenInstance();
  // Forwards to the notebook on `instance_id` once it answers; false while it
  // does not yet.
  bool Open(const std::string& instance_id);

  CliContext& ctx_;
  std::string job_id_;
  int local_port_;
  double next_at_ = 0;
  std::string instance_;  // The instance forwarded to; "" = none.
  std::unique_ptr<Coprocess> forward_;
  int opened_ = 0;  // URLs printed.
  bool said_waiting_ = false;
};

// A free port on 127.0.0.1 (the kernel's choice), or `wanted` when not 0.
Result<int> NotebookLocalPort(int wanted);

}  // namespace spotrun
