// Clock: the only source of time. Abstract so that tests and the simulator can
// use manual or simulated time; RealClock is the implementation for real use.
#pragma once

#include <chrono>
#include <string>

namespace spotrun {

class Clock {
 public:
  virtual ~Clock() = default;
  // Seconds since the Unix epoch, with sub-second precision.
  virtual double Now() const = 0;
  // Waits `seconds`. Inside a task of a TaskLoop on this clock it is a timer
  // that suspends the task alone (util/task_loop.h); elsewhere, Pass.
  void Sleep(double seconds);
  // Lets `seconds` go by: blocks (real) or advances (manual, simulated).
  virtual void Pass(double seconds) = 0;
  // The time that Pass(seconds) from now reaches (clocks that round say so).
  virtual double After(double seconds) const { return Now() + seconds; }
  // True for the wall clock: any real-time TaskLoop's timers serve it.
  virtual bool IsReal() const { return false; }
};

class RealClock : public Clock {
 public:
  double Now() const override;
  void Pass(double seconds) override;
  bool IsReal() const override { return true; }
};

// Time moves only when Sleep, Pass or Advance is called. Starts at `start`.
class ManualClock : public Clock {
 public:
  explicit ManualClock(double start = 1'700'000'000.0) : now_(start) {}
  double Now() const override { return now_; }
  void Pass(double seconds) override {
    if (seconds > 0) now_ += seconds;
  }
  void Advance(double seconds) { now_ += seconds; }

 private:
  double now_;
};

// `epoch_s` (fractions dropped) in UTC, as strftime writes it with `format`
// ("%Y-%m-%dT%H:%M:%SZ").
std::string FormatUtc(double epoch_s, const char* format);

}  // namespace spotrun
