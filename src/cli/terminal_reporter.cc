#include "cli/terminal_reporter.h"

#include <cstdio>
#include <string>

namespace spotrun {

TerminalReporter::TerminalReporter(Clock* clock, FILE* out)
    : clock_(clock),
      out_(out),
      filter_(out == stdout && StdoutIsTerminal()),
      start_(clock->Now()) {}

// A line of the controller's, which may quote the job (an error it printed).
std::string TerminalReporter::Safe(const std::string& line) {
  return filter_ ? SafeForTerminal(line) : line;
}

void TerminalReporter::EndLine() {
  if (!at_line_start_) fputc('\n', out_);
  at_line_start_ = true;
}

void TerminalReporter::Phase(JobState state, const std::string& detail) {
  EndLine();
  fprintf(out_, "==> %-12s %s\n", JobStateName(state), Safe(detail).c_str());
  fflush(out_);
}

void TerminalReporter::PhaseDone(JobState state, double seconds) {
  EndLine();
  fprintf(out_, "<== %-12s done in %.1f s\n", JobStateName(state), seconds);
  fflush(out_);
}

void TerminalReporter::Output(std::string_view chunk) {
  if (chunk.empty()) return;
  if (filter_) {
    const std::string safe = text_.Filter(chunk);
    fwrite(safe.data(), 1, safe.size(), out_);
  } else {
    fwrite(chunk.data(), 1, chunk.size(), out_);
  }
  at_line_start_ = chunk.back() == '\n';
  fflush(out_);
}

void TerminalReporter::Note(const std::string& line) {
  EndLine();
  fprintf(out_, "    %s\n", Safe(line).c_str());
  fflush(out_);
}

}  // namespace spotrun
