// Child processes for tests: run a tool (python3 reference scripts) to
// completion, and a moto_server on a loopback port chosen by the OS. Every
// process started here is bounded in time and killed by its process group id.
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace spotrun::test {

struct Captured {
  int exit_code = -1;  // 128+signal when killed.
  bool timed_out = false;
  std::string out;  // stdout, then stderr.
};

// Runs argv (argv[0] looked up in PATH) with `input` on stdin, killing it after
// `timeout_s`. nullopt when it could not be started.
std::optional<Captured> RunCaptured(const std::vector<std::string>& argv,
                                    const std::string& input = "", double timeout_s = 60);

// True when `python3 -c "import botocore"` works.
bool HaveBotocore();

// Absolute path of a file under the source tree ("tests/tools/sigv4_ref.py").
std::string SourcePath(const std::string& relative);

// moto_server bound to 127.0.0.1 on a free port it picks itself (-p 0; the
// port is read from its "Running on" line). Killed by the destructor.
class MotoServer {
 public:
  MotoServer() = default;
  MotoServer(const MotoServer&) = delete;
  MotoServer& operator=(const MotoServer&) = delete;
  ~MotoServer();

  // Starts the server with `env` added to the environment. False, with the
  // reason in *why, when moto_server is missing or not up within `timeout_s`.
  bool Start(const std::map<std::string, std::string>& env, std::string* why,
             double timeout_s = 20);
  // "http://127.0.0.1:PORT".
  const std::string& url() const { return url_; }
  void Stop();

 private:
  pid_t pid_ = -1;
  std::string log_path_;
  std::string url_;
};

}  // namespace spotrun::test
