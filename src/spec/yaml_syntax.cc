#include "spec/yaml_syntax.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>
#include <yaml.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <string>
#include <thread>

namespace spotrun::spec {

namespace {

// Owns a libyaml parser.
class Parser {
 public:
  explicit Parser(std::string_view text) : ok_(yaml_parser_initialize(&parser_) != 0) {
    if (ok_) {
      yaml_parser_set_input_string(&parser_, reinterpret_cast<const unsigned char*>(text.data()),
                                   text.size());
    }
  }
  ~Parser() {
    if (ok_) yaml_parser_delete(&parser_);
  }
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;

  bool ok() const { return ok_; }
  yaml_parser_t* get() { return &parser_; }

 private:
  yaml_parser_t parser_;
  bool ok_;
};

YamlSyntaxError ErrorOf(const yaml_parser_t& p) {
  YamlSyntaxError e;
  const yaml_mark_t& mark = p.problem ? p.problem_mark : p.mark;
  e.line = static_cast<int>(mark.line) + 1;
  e.column = static_cast<int>(mark.column) + 1;
  e.message = p.problem ? p.problem : "malformed YAML";
  if (p.context) e.message = std::string(p.context) + ": " + e.message;
  return e;
}

// The first '[' or '{' that opens a flow collection deeper than kMaxFlowDepth
// (outside quotes and comments), or npos. libyaml takes time quadratic in the
// depth (100,000 '[' took 20 s), and no job file nests that deep.
constexpr int kMaxFlowDepth = 100;

size_t TooDeep(std::string_view text) {
  int depth = 0;
  char quote = 0;
  bool comment = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (comment) {
      comment = c != '\n';
    } else if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '#' && (i == 0 || text[i - 1] == ' ' || text[i - 1] == '\n')) {
      comment = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxFlowDepth) return i;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::string_view::npos;
}

}  // namespace

std::optional<YamlSyntaxError> CheckYamlSyntax(std::string_view text) {
  if (const size_t at = TooDeep(text); at != std::string_view::npos) {
    YamlSyntaxError e;
    for (size_t i = 0; i < at; ++i) {
      if (text[i] == '\n') {
        ++e.line;
        e.column = 1;
      } else {
        ++e.column;
      }
    }
    e.message = "lists and maps nested more than " + std::to_string(kMaxFlowDepth) + " deep";
    return e;
  }
  Parser parser(text);
  if (!parser.ok()) return YamlSyntaxError{1, 1, "out of memory"};
  for (;;) {
    yaml_event_t event;
    if (!yaml_parser_parse(parser.get(), &event)) return ErrorOf(*parser.get());
    const bool end = event.type == YAML_STREAM_END_EVENT;
    yaml_event_delete(&event);
    if (end) return std::nullopt;
  }
}

bool CheckYamlCppFinishes(const std::string& text) {
  const pid_t pid = fork();
  if (pid < 0) return true;  // Cannot check: parse in this process.
  if (pid == 0) {
    try {
      (void)YAML::LoadAll(text);
    } catch (...) {
      // A syntax error is reported by the parse in the parent.
    }
    _exit(0);
  }
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(kYamlCppParseSeconds));
  auto pause = std::chrono::microseconds(200);
  int ws = 0;
  for (;;) {
    const pid_t done = waitpid(pid, &ws, WNOHANG);
    if (done == pid) return WIFEXITED(ws) && WEXITSTATUS(ws) == 0;
    if (done < 0 && errno != EINTR) return true;
    if (Clock::now() >= deadline) break;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(20000));
  }
  kill(pid, SIGKILL);
  while (waitpid(pid, &ws, 0) < 0 && errno == EINTR) {
  }
  return false;
}

}  // namespace spotrun::spec
