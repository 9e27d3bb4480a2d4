// An unprivileged OpenSSH server for tests: runs as the current user on a free
// 127.0.0.1 port, accepts one public key, starts every session in its own
// home directory (HOME is set there) and marks session processes with
// SPOTRUN_TEST_SSHD=<dir>. Stopped, with every marked process, by the
// destructor. Skip tests when Start fails (no sshd installed).
#pragma once

#include <sys/types.h>

#include <string>

namespace spotrun::test {

class TestSshd {
 public:
  TestSshd() = default;
  TestSshd(const TestSshd&) = delete;
  TestSshd& operator=(const TestSshd&) = delete;
  ~TestSshd();

  // Serves from `dir` (made if missing; home is dir/home) for `authorized_key`
  // (a public key line). False, with the reason in *why, when it cannot.
  bool Start(const std::string& dir, const std::string& authorized_key, std::string* why);
  void Stop();

  int port() const { return port_; }
  const std::string& home() const { return home_; }
  // The server's public host key, "ssh-ed25519 AAAA...".
  const std::string& host_key() const { return host_key_; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string dir_;
  std::string home_;
  std::string host_key_;
};

// A fresh ed25519 key pair at `path` (and path.pub); returns the public key
// line, or "" when ssh-keygen fails.
std::string MakeTestKey(const std::string& path);

}  // namespace spotrun::test
