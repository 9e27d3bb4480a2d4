#include "policy/policy.h"

namespace spotrun {

std::string_view ModeName(Mode market) {
  switch (market) {
    case Mode::kIdle:
      return "idle";
    case Mode::kSpot:
      return "spot";
    case Mode::kOnDemand:
      return "on-demand";
  }
  return "?";
}

}  // namespace spotrun
