// TerminalReporter: prints phases with their durations and streams the job's
// output, in order, to stdout or to a job's console file (which `spotrun
// launch` follows). On a terminal, what the job printed is shown through
// TerminalText (its escape sequences cannot take the terminal over).
#pragma once

#include <cstdio>

#include "jobs/reporter.h"
#include "util/clock.h"
#include "util/terminal_text.h"

namespace spotrun {

class TerminalReporter : public Reporter {
 public:
  // `out` (not owned): stdout, or a file the reporter writes unfiltered.
  explicit TerminalReporter(Clock* clock, FILE* out = stdout);
  void Phase(JobState state, const std::string& detail) override;
  void PhaseDone(JobState state, double seconds) override;
  void Output(std::string_view chunk) override;
  void Note(const std::string& line) override;

 private:
  void EndLine();
  std::string Safe(const std::string& line);
  Clock* clock_;
  FILE* out_;
  bool filter_;  // out_ is a terminal.
  double start_;
  bool at_line_start_ = true;
  TerminalText text_;
};

}  // namespace spotrun
