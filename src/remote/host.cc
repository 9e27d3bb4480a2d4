#include "remote/host.h"

#include <algorithm>

namespace spotrun {

bool Host::PauseUnlessStopped(Clock* clock, double seconds) const {
  constexpr double kStep = 0.2;
  const double until = clock->Now() + seconds;
  for (;;) {
    if (StopRequested()) return false;
    const double left = until - clock->Now();
    if (left <= 0) return true;
    clock->Sleep(std::min(left, kStep));
  }
}

}  // namespace spotrun
