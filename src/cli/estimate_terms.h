// What `spotrun estimate` replays a job on: the bundled traces that fit its
// offer best, and the changeover of the cloud it would run on.
#pragma once

#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "store/store.h"

namespace spotrun {

struct TraceChoice {
  std::vector<std::string> names;  // Embedded names, "traces/availability/....json".
  std::string why;                 // Which traces, and why those.
};

// The bundled availability traces for `offer`: those of its GPU in its
// region, else of its GPU anywhere, else all of them, standing in (and
// `why` says which it is). `names` are the embedded trace names.
TraceChoice ChooseTraces(const Offer& offer, const std::vector<std::string>& names);

struct Changeover {
  double seconds = 0;
  std::string why;  // "measured: the median of 3 attempts ...", or the default.
};

// The changeover of `cloud` ("local", "aws"): the median time from an
// instance's launch to its `run` over the attempts `store` has seen on that
// cloud (its newest jobs), else the cloud's default.
Changeover ChangeoverOf(const std::string& cloud, Store* store);

}  // namespace spotrun
