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
  // Blocks (real) or advances (manual/simulated) for `seconds`.
  virtual void Sleep(double seconds) = 0;
};

class RealClock : public Clock {
 public:
  double Now() const override;
  void Sleep(double seconds) override;
};

// Time moves only when Sleep or Advance is called. Starts at `start`.
class ManualClock : public Clock {
 public:
  explicit ManualClock(double start = 1'700'000'000.0) : now_(start) {}
  double Now() const override { return now_; }
  void Sleep(double seconds) override { now_ += seconds; }
  void Advance(double seconds) { now_ += seconds; }

 private:
  double now_;
};

// `epoch_s` (fractions dropped) in UTC, as strftime writes it with `format`
// ("%Y-%m-%dT%H:%M:%SZ").
std::string FormatUtc(double epoch_s, const char* format);

}  // namespace spotrun
