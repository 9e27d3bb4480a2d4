// What the fuzz targets share: a scratch directory, and an HttpClient that
// answers from the fuzz input, so that the EC2 and S3 clients read fuzzed
// answers through their real code.
//
// Answer script (the input of the ec2_xml and s3_xml targets, after the
// first byte that picks the call): answers separated by a line "%%"; each is
//
//   STATUS            (e.g. "200"; a line that is not a number means 200)
//   Name: value       (headers, up to an empty line)
//
//   body...
//
// Request N gets answer N; past the last one every request fails as a
// dropped connection (kUnavailable), which ends any retry or paging loop.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "util/http_client.h"

namespace spotrun::fuzz {

// A directory made once per process under $TMPDIR (or /tmp), removed by no
// one: libFuzzer runs in one process and each target keeps it small.
inline const std::string& ScratchDir() {
  static const std::string dir = [] {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/spotrun-fuzz-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) std::abort();
    return pattern;
  }();
  return dir;
}

// Writes `text` to ScratchDir()/`name` and returns the path.
inline std::string WriteScratch(const std::string& name, std::string_view text) {
  std::string path = ScratchDir() + "/" + name;
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(text.data(), text.size());
  return path;
}

inline HttpResponse ParseAnswer(std::string_view text) {
  HttpResponse response;
  response.status = 200;
  auto next_line = [&text]() {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    return line;
  };
  std::string_view status = next_line();
  if (!status.empty() && status.size() <= 3 &&
      status.find_first_not_of("0123456789") == std::string_view::npos) {
    response.status = std::atoi(std::string(status).c_str());
  }
  for (std::string_view line = next_line(); !line.empty(); line = next_line()) {
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    response.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  }
  response.body = std::string(text);
  return response;
}

class ScriptedAnswers : public HttpClient {
 public:
  explicit ScriptedAnswers(std::string_view script) {
    constexpr std::string_view kSeparator = "\n%%\n";
    for (;;) {
      size_t at = script.find(kSeparator);
      answers_.push_back(ParseAnswer(script.substr(0, at)));
      if (at == std::string_view::npos) break;
      script.remove_prefix(at + kSeparator.size());
    }
  }

  Result<HttpResponse> Send(const HttpRequest& request) override {
    if (next_ >= answers_.size()) {
      return Unavailable(request.method + " " + UrlWithoutQuery(request.url) + ": dropped");
    }
    return answers_[next_++];
  }

 private:
  std::vector<HttpResponse> answers_;
  size_t next_ = 0;
};

}  // namespace spotrun::fuzz
