#include "util/task_loop.h"

#include <poll.h>
#include <uv.h>

#include <boost/context/fiber.hpp>
#include <boost/context/protected_fixedsize_stack.hpp>
#include <cmath>
#include <thread>
#include <vector>

namespace spotrun {
namespace {

namespace bc = boost::context;

// A task's stack: mapped with a guard page below it; only the pages a task
// touches take memory.
constexpr size_t kStackBytes = 256 * 1024;

thread_local TaskLoop* t_current = nullptr;

}  // namespace

struct TaskLoop::Task {
  std::function<void()> fn;
  bc::fiber self;    // The task while it is suspended (held by the loop).
  bc::fiber caller;  // The loop while the task runs (held by the task).
  bool done = false;
};

struct TaskLoop::Uv {
  uv_loop_t loop;
  uv_timer_t wake;
  std::vector<uv_signal_t*> signals;
};

namespace {

struct PollWait {
  TaskLoop* loop;
  TaskLoop::Task* task;
  uv_poll_t poll;
  bool done = false;
  bool readable = false;
};

struct WorkWait {
  uv_work_t req;
  const std::function<void()>* work;
  std::function<void()> done;
};

}  // namespace

TaskLoop::TaskLoop(Clock* clock, LoopTime time) : clock_(clock), time_(time) {
  if (time_ == LoopTime::kReal) {
    uv_ = std::make_unique<Uv>();
    uv_loop_init(&uv_->loop);
    uv_timer_init(&uv_->loop, &uv_->wake);
  }
}

TaskLoop::~TaskLoop() {
  // Tasks still suspended are abandoned, not unwound: unwinding would run
  // their destructors, which may wait on a loop that no longer runs.
  if (!uv_) return;
  uv_close(reinterpret_cast<uv_handle_t*>(&uv_->wake), nullptr);
  for (uv_signal_t* s : uv_->signals) {
    uv_close(reinterpret_cast<uv_handle_t*>(s), [](uv_handle_t* h) {
      delete static_cast<std::function<void()>*>(h->data);
      delete reinterpret_cast<uv_signal_t*>(h);
    });
  }
  uv_run(&uv_->loop, UV_RUN_NOWAIT);
  uv_loop_close(&uv_->loop);
}

void TaskLoop::Spawn(std::function<void()> fn) {
  auto* t = new Task;
  t->fn = std::move(fn);
  t->self = bc::fiber(std::allocator_arg, bc::protected_fixedsize_stack(kStackBytes),
                      [t](bc::fiber&& caller) {
                        t->caller = std::move(caller);
                        t->fn();
                        t->done = true;
                        return std::move(t->caller);
                      });
  ++live_tasks_;
  MakeReady(t);
}

TaskLoop* TaskLoop::Current() { return t_current; }

void TaskLoop::Resume(Task* task) {
  TaskLoop* outer = t_current;
  Task* outer_task = current_;
  t_current = this;
  current_ = task;
  ++events_;
  task->self = std::move(task->self).resume();
  t_current = outer;
  current_ = outer_task;
  if (task->done) {
    task->fn = nullptr;
    delete task;
    --live_tasks_;
  }
}

void TaskLoop::Suspend() {
  Task* t = current_;
  t->caller = std::move(t->caller).resume();
}

void TaskLoop::RunReady() {
  while (!ready_.empty() && !stop_) {
    Task* t = ready_.front();
    ready_.pop_front();
    Resume(t);
  }
}

TaskLoop::TimerId TaskLoop::At(double at, std::function<void()> callback) {
  TimerId id{at, next_seq_++};
  timers_.emplace(id, std::move(callback));
  return id;
}

void TaskLoop::CancelTimer(const TimerId& id) { timers_.erase(id); }

void TaskLoop::OnSignal(int signum, std::function<void()> callback) {
  if (!uv_) return;
  auto* s = new uv_signal_t;
  uv_signal_init(&uv_->loop, s);
  s->data = new std::function<void()>(std::move(callback));
  uv_signal_start(
      s, [](uv_signal_t* h, int) { (*static_cast<std::function<void()>*>(h->data))(); }, signum);
  uv_->signals.push_back(s);
}

bool TaskLoop::FireDue() {
  if (timers_.empty()) return false;
  // Simulated time reaches the earliest timer exactly (or as near as the
  // clock rounds); real time fires what is due by now.
  const double until = time_ == LoopTime::kSimulated ? timers_.begin()->first.first : clock_->Now();
  while (!timers_.empty() && timers_.begin()->first.first <= until && !stop_) {
    auto node = timers_.extract(timers_.begin());
    ++events_;
    node.mapped()();
  }
  return true;
}

void TaskLoop::WaitForEvents() {
  uv_update_time(&uv_->loop);
  if (!timers_.empty()) {
    const double wait = timers_.begin()->first.first - clock_->Now();
    if (wait <= 0) return;
    const auto ms = static_cast<uint64_t>(std::ceil(wait * 1000));
    uv_timer_start(
        &uv_->wake, [](uv_timer_t*) {}, ms, 0);
  }
  uv_run(&uv_->loop, UV_RUN_ONCE);
  uv_timer_stop(&uv_->wake);
}

void TaskLoop::Run() {
  stop_ = false;
  for (;;) {
    RunReady();
    if (stop_) break;
    if (time_ == LoopTime::kSimulated) {
      if (timers_.empty()) break;
      const double next = timers_.begin()->first.first;
      if (next > clock_->Now()) clock_->Pass(next - clock_->Now());
      FireDue();
      continue;
    }
    FireDue();
    if (!ready_.empty() || stop_) continue;
    if (live_tasks_ == 0 && timers_.empty()) break;
    WaitForEvents();
  }
}

void TaskLoop::Stop() { stop_ = true; }

void TaskLoop::SleepFor(double seconds) {
  Task* t = current_;
  At(clock_->After(std::max(0.0, seconds)), [this, t] { MakeReady(t); });
  Suspend();
}

bool TaskLoop::WaitReadable(int fd, double timeout_s) {
  if (!uv_) {
    // Simulated time has no descriptors to wait for; block as outside a task.
    pollfd p{fd, POLLIN, 0};
    return poll(&p, 1, timeout_s < 0 ? -1 : static_cast<int>(timeout_s * 1000)) > 0;
  }
  auto* w = new PollWait{this, current_, {}};
  w->poll.data = w;
  if (uv_poll_init(&uv_->loop, &w->poll, fd) != 0) {
    delete w;
    SleepFor(0.05);
    return true;  // The caller reads and sees what the descriptor holds.
  }
  uv_poll_start(&w->poll, UV_READABLE | UV_DISCONNECT, [](uv_poll_t* h, int, int) {
    auto* w = static_cast<PollWait*>(h->data);
    if (w->done) return;
    w->done = true;
    w->readable = true;
    w->loop->MakeReady(w->task);
  });
  TimerId timer{};
  if (timeout_s >= 0) {
    timer = At(clock_->Now() + timeout_s, [w] {
      if (w->done) return;
      w->done = true;
      w->loop->MakeReady(w->task);
    });
  }
  Suspend();
  uv_poll_stop(&w->poll);
  if (timeout_s >= 0) CancelTimer(timer);
  const bool readable = w->readable;
  uv_close(reinterpret_cast<uv_handle_t*>(&w->poll),
           [](uv_handle_t* h) { delete static_cast<PollWait*>(h->data); });
  return readable;
}

void TaskLoop::Offload(const std::function<void()>& work) {
  if (!uv_) {
    work();
    return;
  }
  WorkWait w;
  w.req.data = &w;
  w.work = &work;
  Task* t = current_;
  w.done = [this, t] { MakeReady(t); };
  uv_queue_work(
      &uv_->loop, &w.req, [](uv_work_t* r) { (*static_cast<WorkWait*>(r->data)->work)(); },
      [](uv_work_t* r, int) { static_cast<WorkWait*>(r->data)->done(); });
  Suspend();
}

void PauseRealTime(double seconds) {
  TaskLoop* loop = TaskLoop::Current();
  if (loop != nullptr && loop->time() == LoopTime::kReal) {
    loop->SleepFor(seconds);
  } else if (seconds > 0) {
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  }
}

}  // namespace spotrun
