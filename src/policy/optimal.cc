#include "policy/optimal.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

namespace spotrun {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// The state at a tick, before its decision. kOd and kSp are instances whose
// changeover is over; an instance still in changeover is inside a launch.
enum State : uint8_t { kFree = 0, kOd = 1, kSp = 2 };

// How a state was reached. Stored per (tick, slack) in one byte: bits 0-2 for
// kFree, bits 3-4 for kOd, bits 5-6 for kSp.
enum Arrival : uint8_t {
  kIdleFromFree = 1,         // kFree: idled the previous tick, from kFree ...
  kIdleFromOd = 2,           // ... or from kOd.
  kPreemptedRunning = 3,     // kFree: spot ran the previous tick, lost at this one.
  kPreemptedLaunchFree = 4,  // kFree: a spot launch from kFree landed on a lost tick.
  kPreemptedLaunchOd = 5,    // kFree: a spot launch from kOd landed on a lost tick.
  kContinued = 1,            // kOd, kSp: ran the previous tick.
  kLaunchedFromFree = 2,     // kOd, kSp: a launch from kFree ended its changeover.
  kLaunchedFromOd = 3,       // kSp: a launch from kOd ended its changeover.
};

int BackShift(State s) { return s == kFree ? 0 : (s == kOd ? 3 : 5); }
uint8_t BackMask(State s) { return s == kFree ? 0x07 : 0x03; }

// A state at slack index j reached for cost v: in an inbox, `arrival` says
// how it got there; once gathered, `from` is the state it is in.
struct Entry {
  int32_t j;
  State from;
  uint8_t arrival;
  double v;
};

struct Terminal {
  double cost = kInf;
  int64_t tick = 0;
  int64_t slack = 0;  // Grid index.
  Mode market = Mode::kIdle;
  bool launched = false;  // The finishing tick ends a launch.
  State from = kFree;     // The state the finishing step left.
};

// Forward dynamic programming over ticks. For each tick and state it keeps
// only non-dominated entries: cheaper than every entry with less slack used
// (the same decisions from the cheaper, further-ahead state finish no later
// for less). Arrivals at a tick come in at most three streams, each sorted by
// slack, and are merged when the tick is processed.
class Planner {
 public:
  Planner(const JobTerms& t, std::span<const uint8_t> available)
      : g_(std::llround(t.tick_s)),
        d_(std::llround(t.overhead_s)),
        c_(std::llround(t.work_s)),
        deadline_(std::llround(t.deadline_s)) {
    unit_ = d_ > 0 ? std::gcd(g_, d_) : g_;
    gu_ = g_ / unit_;
    du_ = d_ / unit_;
    m_ = std::max<int64_t>(1, (d_ + g_ - 1) / g_);
    width_ = deadline_ >= c_ ? (deadline_ - c_) / unit_ + 1 : 0;
    ticks_ = (deadline_ + g_ - 1) / g_;
    price_[kOd] = t.on_demand_price / 3600;
    price_[kSp] = t.spot_price / 3600;
    avail_.assign(ticks_ + m_ + 1, 0);
    const int64_t known = std::min<int64_t>(avail_.size(), available.size());
    for (int64_t k = 0; k < known; ++k) avail_[k] = available[k] != 0;
    run_.assign(avail_.size() + 1, 0);
    for (int64_t k = static_cast<int64_t>(avail_.size()) - 1; k >= 0; --k) {
      run_[k] = avail_[k] ? run_[k + 1] + 1 : 0;
    }
  }

  int64_t cells() const { return ticks_ * width_; }

  Result<Plan> Solve() {
    Plan plan;
    if (width_ == 0 || ticks_ == 0) return plan;
    inbox_.assign((m_ + 1) * 9, {});
    back_.assign(ticks_ * width_, 0);
    Inbox(0, kFree, 0).push_back({0, kFree, 0, 0.0});
    for (int64_t k = 0; k < ticks_; ++k) Step(k);
    if (best_.cost == kInf) return plan;
    SPOTRUN_RETURN_IF_ERROR(Trace(&plan.decisions));
    plan.meets_deadline = true;
    plan.cost = best_.cost;
    return plan;
  }

 private:
  // Stream 0: from the previous tick (idle or continue); stream 1: preempted
  // from the previous tick; stream 2: launches from m ticks before.
  std::vector<Entry>& Inbox(int64_t tick, State s, int stream) {
    return inbox_[((tick % (m_ + 1)) * 3 + s) * 3 + stream];
  }
  uint8_t& Back(int64_t tick, int64_t j) { return back_[tick * width_ + j]; }
  int64_t Remaining(int64_t k, int64_t j) const { return c_ - (k * g_ - j * unit_); }

  void Finish(double v, int64_t k, int64_t j, Mode market, bool launched, State from) {
    if (v < best_.cost) best_ = {v, k, j, market, launched, from};
  }

  // Merges the arrivals at (tick, s) into `out`, keeping the non-dominated
  // ones and recording how each was reached.
  void Gather(int64_t tick, State s, std::vector<Entry>* out) {
    std::vector<Entry>* in[3] = {&Inbox(tick, s, 0), &Inbox(tick, s, 1), &Inbox(tick, s, 2)};
    size_t pos[3] = {0, 0, 0};
    out->resize(in[0]->size() + in[1]->size() + in[2]->size());
    Entry* o = out->data();
    double best = kInf;
    const int shift = BackShift(s);
    const auto mask = static_cast<uint8_t>(~(BackMask(s) << shift));
    while (true) {
      const Entry* e = nullptr;
      int from = -1;
      for (int i = 0; i < 3; ++i) {
        if (pos[i] == in[i]->size()) continue;
        const Entry& c = (*in[i])[pos[i]];
        if (!e || c.j < e->j || (c.j == e->j && c.v < e->v)) {
          e = &c;
          from = i;
        }
      }
      if (!e) break;
      ++pos[from];
      if (e->v >= best) continue;
      best = e->v;
      *o = *e;
      (o++)->from = s;
      uint8_t& b = Back(tick, e->j);
      b = static_cast<uint8_t>((b & mask) | (e->arrival << shift));
    }
    out->resize(o - out->data());
    for (auto* v : in) v->clear();
  }

  // The non-dominated entries of x and y together, by slack.
  static void Envelope(const std::vector<Entry>& x, const std::vector<Entry>& y,
                       std::vector<Entry>* out) {
    out->resize(x.size() + y.size());
    Entry* o = out->data();
    double best = kInf;
    size_t a = 0, b = 0;
    while (a < x.size() || b < y.size()) {
      const bool take_x =
          b == y.size() ||
          (a < x.size() && (x[a].j < y[b].j || (x[a].j == y[b].j && x[a].v <= y[b].v)));
      const Entry& e = take_x ? x[a++] : y[b++];
      if (e.v < best) {
        best = e.v;
        *o++ = e;
      }
    }
    out->resize(o - out->data());
  }

  // Where the steps taken at one tick land.
  struct Outboxes {
    std::vector<Entry>* idle;         // kFree at k + 1.
    std::vector<Entry>* od_run;       // kOd at k + 1.
    std::vector<Entry>* spot_run;     // kSp (or kFree, preempted) at k + 1.
    std::vector<Entry>* od_launch;    // kOd at k + m.
    std::vector<Entry>* spot_launch;  // kSp (or kFree, preempted) at k + m.
    bool spot_next;                   // Spot is available at k + 1 ...
    bool spot_lands;                  // ... and at k + m.
  };

  void Step(int64_t k) {
    Gather(k, kFree, &free_);
    Gather(k, kOd, &od_);
    Gather(k, kSp, &sp_);
    Outboxes out;
    out.spot_next = avail_[k + 1] != 0;
    out.spot_lands = avail_[k + m_] != 0;
    out.idle = &Inbox(k + 1, kFree, 0);
    out.od_run = &Inbox(k + 1, kOd, 0);
    out.spot_run = out.spot_next ? &Inbox(k + 1, kSp, 0) : &Inbox(k + 1, kFree, 1);
    out.od_launch = &Inbox(k + m_, kOd, 2);
    out.spot_launch = out.spot_lands ? &Inbox(k + m_, kSp, 2) : &Inbox(k + m_, kFree, 2);
    // A running spot instance only continues: leaving it while spot is
    // available is dominated (continuing puts the job a tick ahead for at most
    // what that tick saves at the end). Free entries dominated by on-demand
    // ones drop out: a running instance can do all that kFree can, for less.
    Envelope(free_, od_, &free_or_od_);
    const bool spot_launch = run_[k] >= m_;
    for (const Entry& e : free_or_od_) {
      if (e.j + gu_ < width_) {
        const Arrival a = e.from == kFree ? kIdleFromFree : kIdleFromOd;
        out.idle->push_back({static_cast<int32_t>(e.j + gu_), e.from, a, e.v});
      }
      if (spot_launch) Launch(k, e, kSp, out);
      if (e.from == kFree) Launch(k, e, kOd, out);
    }
    Continue(k, od_, kOd, kContinued, out.od_run);
    Continue(k, sp_, kSp, out.spot_next ? kContinued : kPreemptedRunning, out.spot_run);
  }

  // Launches `s` at tick k from entry e (kFree, or kOd for spot). The launch
  // runs m ticks; its changeover ends in the last of them, which makes
  // m*g - d seconds of progress.
  void Launch(int64_t k, const Entry& e, State s, const Outboxes& out) {
    if (e.j + du_ >= width_) return;
    const int64_t rem = Remaining(k, e.j);
    const Mode market = s == kOd ? Mode::kOnDemand : Mode::kSpot;
    if (rem <= m_ * g_ - d_) {
      return Finish(e.v + price_[s] * (d_ + rem), k, e.j, market, true, e.from);
    }
    const auto j = static_cast<int32_t>(e.j + du_);
    const double v = e.v + price_[s] * (m_ * g_);
    if (s == kOd) return out.od_launch->push_back({j, e.from, kLaunchedFromFree, v});
    const bool free = e.from == kFree;
    const Arrival a = out.spot_lands ? (free ? kLaunchedFromFree : kLaunchedFromOd)
                                     : (free ? kPreemptedLaunchFree : kPreemptedLaunchOd);
    out.spot_launch->push_back({j, e.from, a, v});
  }

  // Keeps the running instances `in`, all in state s, for tick k.
  void Continue(int64_t k, const std::vector<Entry>& in, State s, Arrival a,
                std::vector<Entry>* out) {
    const Mode market = s == kOd ? Mode::kOnDemand : Mode::kSpot;
    const double tick_cost = price_[s] * g_;
    for (const Entry& e : in) {
      const int64_t rem = Remaining(k, e.j);
      if (rem <= g_) {
        Finish(e.v + price_[s] * rem, k, e.j, market, false, s);
      } else {
        out->push_back({e.j, s, a, e.v + tick_cost});
      }
    }
  }

  // Walks the back pointers from the cheapest finish to the start.
  Status Trace(std::vector<Mode>* out) {
    const Terminal& t = best_;
    const int64_t last = t.tick + (t.launched ? m_ : 1);
    out->assign(last, Mode::kIdle);
    auto fill = [&](int64_t from, int64_t to, Mode m) {
      std::fill(out->begin() + from, out->begin() + to, m);
    };
    int64_t k = t.tick, j = t.slack;
    State s = t.launched ? t.from : (t.market == Mode::kSpot ? kSp : kOd);
    fill(k, last, t.market);
    while (k > 0 || s != kFree || j != 0) {
      if (k <= 0) return Internal("optimal: back pointers do not reach the start");
      const int arrival = (Back(k, j) >> BackShift(s)) & BackMask(s);
      if (s == kFree && (arrival == kIdleFromFree || arrival == kIdleFromOd)) {
        fill(k - 1, k, Mode::kIdle);
        s = arrival == kIdleFromFree ? kFree : kOd;
        k -= 1, j -= gu_;
      } else if (s == kFree && arrival == kPreemptedRunning) {
        fill(k - 1, k, Mode::kSpot);
        s = kSp, k -= 1;
      } else if (s == kFree && (arrival == kPreemptedLaunchFree || arrival == kPreemptedLaunchOd)) {
        fill(k - m_, k, Mode::kSpot);
        s = arrival == kPreemptedLaunchFree ? kFree : kOd;
        k -= m_, j -= du_;
      } else if (s != kFree && arrival == kContinued) {
        fill(k - 1, k, s == kOd ? Mode::kOnDemand : Mode::kSpot);
        k -= 1;
      } else if (s != kFree && (arrival == kLaunchedFromFree || arrival == kLaunchedFromOd)) {
        fill(k - m_, k, s == kOd ? Mode::kOnDemand : Mode::kSpot);
        s = arrival == kLaunchedFromFree ? kFree : kOd;
        k -= m_, j -= du_;
      } else {
        return Internal("optimal: broken back pointer");
      }
    }
    return Status::Ok();
  }

  int64_t g_, d_, c_, deadline_;
  int64_t unit_ = 1, gu_ = 1, du_ = 0, m_ = 1, width_ = 0, ticks_ = 0;
  double price_[3] = {0, 0, 0};
  std::vector<uint8_t> avail_;
  std::vector<int64_t> run_;                        // Available ticks in a row from each tick.
  std::vector<std::vector<Entry>> inbox_;           // Arrivals per (tick mod m+1, state, stream).
  std::vector<uint8_t> back_;                       // Arrival codes per (tick, slack).
  std::vector<Entry> free_, od_, sp_, free_or_od_;  // Per-tick scratch.
  Terminal best_;
};

}  // namespace

Result<Plan> PlanOptimal(const JobTerms& terms, std::span<const uint8_t> available,
                         int64_t max_cells) {
  if (terms.tick_s < 1 || terms.work_s <= 0 || terms.overhead_s < 0) {
    return InvalidArgument("optimal: needs tick >= 1 s, work > 0 and overhead >= 0");
  }
  Planner planner(terms, available);
  if (planner.cells() > max_cells) {
    return InvalidArgument("optimal: " + std::to_string(planner.cells()) +
                           " grid cells exceed the limit; use an overhead that shares a "
                           "larger divisor with the tick");
  }
  return planner.Solve();
}

Mode PlanPolicy::Decide(const PolicyInput& in) const {
  if (in.tick < 0 || in.tick >= static_cast<int64_t>(decisions_.size())) {
    return Mode::kOnDemand;
  }
  const Mode m = decisions_[in.tick];
  return m == Mode::kSpot && !in.spot_available ? Mode::kIdle : m;
}

}  // namespace spotrun
