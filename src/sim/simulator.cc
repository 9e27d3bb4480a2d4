#include "sim/simulator.h"

#include <algorithm>
#include <cassert>
#include <cmath>

#include "sim/sim_clock.h"

namespace spotrun {

JobTerms TermsForTrace(const JobTerms& terms, const Trace& trace) {
  JobTerms t = terms;
  t.work_s = std::round(terms.work_s);
  t.deadline_s = std::round(terms.deadline_s);
  t.overhead_s = std::round(terms.overhead_s);
  t.tick_s = static_cast<double>(trace.gap_s);
  return t;
}

RunResult SimulateRun(const Trace& trace, int64_t start_tick, const JobTerms& job_terms,
                      const Policy& policy) {
  assert(job_terms.work_s > 0 && job_terms.overhead_s >= 0 && trace.gap_s > 0);
  const JobTerms terms = TermsForTrace(job_terms, trace);
  const auto work = static_cast<int64_t>(terms.work_s);
  const auto deadline = static_cast<int64_t>(terms.deadline_s);
  const auto overhead = static_cast<int64_t>(terms.overhead_s);
  const int64_t gap = trace.gap_s;
  const int64_t horizon = deadline + work + overhead;

  RunResult r;
  r.start_tick = start_tick;
  SimClock clock;
  int64_t done = 0, overhead_left = 0, spot_s = 0, on_demand_s = 0;
  Mode instance = Mode::kIdle;
  for (int64_t tick = 0; clock.elapsed_s() < horizon; ++tick) {
    const bool spot = trace.Available(start_tick + tick);
    if (instance == Mode::kSpot && !spot) {
      instance = Mode::kIdle;
      overhead_left = 0;
      ++r.preemptions;
    }
    PolicyInput in{terms,
                   static_cast<double>(work - done),
                   static_cast<double>(deadline - clock.elapsed_s()),
                   instance,
                   static_cast<double>(overhead_left),
                   spot,
                   tick};
    Mode want = policy.Decide(in);
    if (want == Mode::kSpot && !spot) want = Mode::kIdle;
    if (want != instance) {
      instance = want;
      overhead_left = want == Mode::kIdle ? 0 : overhead;
      if (want != Mode::kIdle) ++r.launches;
    }
    if (instance == Mode::kIdle) {
      clock.Advance(gap);
      continue;
    }
    const int64_t paid = std::min(overhead_left, gap);
    overhead_left -= paid;
    const int64_t worked = std::min(gap - paid, work - done);
    done += worked;
    const int64_t billed = done == work ? paid + worked : gap;
    (instance == Mode::kSpot ? spot_s : on_demand_s) += billed;
    clock.Advance(billed);
    if (done == work) {
      r.finished = true;
      break;
    }
  }
  r.deadline_met = r.finished && clock.elapsed_s() <= deadline;
  r.finish_hours = static_cast<double>(clock.elapsed_s()) / 3600;
  r.spot_hours = static_cast<double>(spot_s) / 3600;
  r.on_demand_hours = static_cast<double>(on_demand_s) / 3600;
  r.cost = (terms.spot_price * static_cast<double>(spot_s) +
            terms.on_demand_price * static_cast<double>(on_demand_s)) /
           3600;
  return r;
}

}  // namespace spotrun
