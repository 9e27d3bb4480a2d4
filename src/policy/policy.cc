#include "policy/policy.h"

namespace spotrun {

std::string_view MarketName(Market market) {
  switch (market) {
    case Market::kIdle:
      return "idle";
    case Market::kSpot:
      return "spot";
    case Market::kOnDemand:
      return "on-demand";
  }
  return "?";
}

}  // namespace spotrun
