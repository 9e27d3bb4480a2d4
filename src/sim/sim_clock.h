// SimClock: simulated time for trace replay. Time moves only when the
// simulator advances it, in whole seconds, so a replay is deterministic and
// takes no wall time.
#pragma once

#include <cstdint>

#include "util/clock.h"

namespace spotrun {

class SimClock : public Clock {
 public:
  // Starts `epoch_s` seconds after the Unix epoch, at elapsed time 0.
  explicit SimClock(double epoch_s = 0) : epoch_s_(epoch_s) {}

  double Now() const override { return epoch_s_ + static_cast<double>(elapsed_s_); }
  // Advances by `seconds`, rounded to the nearest whole second; negative
  // values do nothing.
  void Pass(double seconds) override { elapsed_s_ += Whole(seconds); }
  double After(double seconds) const override {
    return Now() + static_cast<double>(Whole(seconds));
  }
  void Advance(int64_t seconds) {
    if (seconds > 0) elapsed_s_ += seconds;
  }
  // Whole seconds since the clock started.
  int64_t elapsed_s() const { return elapsed_s_; }

 private:
  static int64_t Whole(double seconds) {
    return seconds > 0 ? static_cast<int64_t>(seconds + 0.5) : 0;
  }
  double epoch_s_;
  int64_t elapsed_s_ = 0;
};

}  // namespace spotrun
