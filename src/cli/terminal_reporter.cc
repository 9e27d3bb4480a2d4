#include "cli/terminal_reporter.h"

#include <cstdio>
#include <string>

namespace spotrun {
namespace {

// A line of the controller's, which may quote the job (an error it printed).
std::string Safe(const std::string& line) {
  return StdoutIsTerminal() ? SafeForTerminal(line) : line;
}

}  // namespace

TerminalReporter::TerminalReporter(Clock* clock) : clock_(clock), start_(clock->Now()) {}

void TerminalReporter::EndLine() {
  if (!at_line_start_) fputc('\n', stdout);
  at_line_start_ = true;
}

void TerminalReporter::Phase(JobState state, const std::string& detail) {
  EndLine();
  printf("==> %-12s %s\n", JobStateName(state), Safe(detail).c_str());
  fflush(stdout);
}

void TerminalReporter::PhaseDone(JobState state, double seconds) {
  EndLine();
  printf("<== %-12s done in %.1f s\n", JobStateName(state), seconds);
  fflush(stdout);
}

void TerminalReporter::Output(std::string_view chunk) {
  if (chunk.empty()) return;
  if (StdoutIsTerminal()) {
    const std::string safe = text_.Filter(chunk);
    fwrite(safe.data(), 1, safe.size(), stdout);
  } else {
    fwrite(chunk.data(), 1, chunk.size(), stdout);
  }
  at_line_start_ = chunk.back() == '\n';
  fflush(stdout);
}

void TerminalReporter::Note(const std::string& line) {
  EndLine();
  printf("    %s\n", Safe(line).c_str());
  fflush(stdout);
}

}  // namespace spotrun
