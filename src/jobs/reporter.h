// Reporter: where the controller tells a person what is happening. The CLI
// prints to the terminal; a detached controller reports nothing (its history
// is in the state store and the job's log file).
#pragma once

#include <string>
#include <string_view>

#include "store/store.h"

namespace spotrun {

class Reporter {
 public:
  virtual ~Reporter() = default;
  // The job entered `state`; `detail` says what it is doing there.
  virtual void Phase(JobState state, const std::string& detail) = 0;
  // The job left `state` after `seconds`.
  virtual void PhaseDone(JobState state, double seconds) = 0;
  // Bytes of the job's own output (setup and run).
  virtual void Output(std::string_view chunk) = 0;
  // One line of information.
  virtual void Note(const std::string& line) = 0;
};

class SilentReporter : public Reporter {
 public:
  void Phase(JobState, const std::string&) override {}
  void PhaseDone(JobState, double) override {}
  void Output(std::string_view) override {}
  void Note(const std::string&) override {}
};

}  // namespace spotrun
