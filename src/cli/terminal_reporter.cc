#include "cli/terminal_reporter.h"

#include <cstdio>

namespace spotrun {

TerminalReporter::TerminalReporter(Clock* clock) : clock_(clock), start_(clock->Now()) {}

void TerminalReporter::EndLine() {
  if (!at_line_start_) fputc('\n', stdout);
  at_line_start_ = true;
}

void TerminalReporter::Phase(JobState state, const std::string& detail) {
  EndLine();
  printf("==> %-12s %s\n", JobStateName(state), detail.c_str());
  fflush(stdout);
}

void TerminalReporter::PhaseDone(JobState state, double seconds) {
  EndLine();
  printf("<== %-12s done in %.1f s\n", JobStateName(state), seconds);
  fflush(stdout);
}

void TerminalReporter::Output(std::string_view chunk) {
  if (chunk.empty()) return;
  fwrite(chunk.data(), 1, chunk.size(), stdout);
  at_line_start_ = chunk.back() == '\n';
  fflush(stdout);
}

void TerminalReporter::Note(const std::string& line) {
  EndLine();
  printf("    %s\n", line.c_str());
  fflush(stdout);
}

}  // namespace spotrun
