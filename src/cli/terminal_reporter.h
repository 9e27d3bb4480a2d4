// TerminalReporter: prints phases with their durations and streams the job's
// output to stdout, in order. On a terminal, what the job printed is shown
// through TerminalText (its escape sequences cannot take the terminal over).
#pragma once

#include "jobs/reporter.h"
#include "util/clock.h"
#include "util/terminal_text.h"

namespace spotrun {

class TerminalReporter : public Reporter {
 public:
  explicit TerminalReporter(Clock* clock);
  void Phase(JobState state, const std::string& detail) override;
  void PhaseDone(JobState state, double seconds) override;
  void Output(std::string_view chunk) override;
  void Note(const std::string& line) override;

 private:
  void EndLine();
  Clock* clock_;
  double start_;
  bool at_line_start_ = true;
  TerminalText text_;
};

}  // namespace spotrun
