// Child processes for tests: run a tool (python3 reference scripts) to
// completion, and a moto_server on a loopback port chosen by the OS. Every
// process started here is bounded in time and killed by its process group id.
#pragma once

#include <gtest/gtest.h>
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

// The base of a test suite whose tests share one moto_server (its first EC2
// call costs seconds of warm-up). `Suite` (the derived class) gets a server
// of its own and may hide MotoEnv(), publicly, to add to the server's
// environment. A
// derived SetUp calls MotoSuite::SetUp() first and returns when IsSkipped():
// the test is skipped when moto_server cannot start.
template <typename Suite>
class MotoSuite : public testing::Test {
 protected:
  static std::map<std::string, std::string> MotoEnv() { return {}; }
  static void SetUpTestSuite() {
    moto_ = new MotoServer();
    if (!moto_->Start(Suite::MotoEnv(), &why_)) {
      delete moto_;
      moto_ = nullptr;
    }
  }
  static void TearDownTestSuite() {
    delete moto_;
    moto_ = nullptr;
  }
  void SetUp() override {
    if (moto_ == nullptr) GTEST_SKIP() << "moto_server unavailable: " << why_;
  }

  inline static MotoServer* moto_ = nullptr;
  inline static std::string why_;
};

}  // namespace spotrun::test
