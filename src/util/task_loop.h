// TaskLoop: one event loop that runs many tasks on one thread. A task is a
// function that runs until it waits (a timer, a file descriptor, work handed
// to the thread pool) and is resumed by the loop when that event arrives; a
// wait suspends only its task, never the loop. Timers fire in (time,
// sequence) order on the loop's Clock.
//
// Two kinds of time:
// - kReal: the loop runs on libuv; a wait for a descriptor is a uv_poll, work
//   on the pool is uv_queue_work (libuv's bounded pool), timers wake the loop
//   through a uv_timer. Clock::Sleep inside a task is a timer.
// - kSimulated: nothing waits for real; when no task can run, the clock jumps
//   to the earliest timer (Clock::Advance). Replays and benchmarks of 10,000
//   jobs take no wall time.
//
// Tasks are stackful coroutines (Boost.Context fibers, Debian
// libboost-context-dev), so the code a task runs is ordinary code: a wait deep
// in a call (RunProcess, an HTTP call, Clock::Sleep) asks TaskLoop::Current()
// and suspends the task there. Code outside any task blocks as before.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "util/clock.h"

namespace spotrun {

enum class LoopTime { kReal, kSimulated };

class TaskLoop {
 public:
  // `clock` (not owned) is the loop's time; with kSimulated the loop moves it.
  TaskLoop(Clock* clock, LoopTime time);
  ~TaskLoop();
  TaskLoop(const TaskLoop&) = delete;
  TaskLoop& operator=(const TaskLoop&) = delete;

  // Starts `fn` as a task; it first runs when the loop runs.
  void Spawn(std::function<void()> fn);
  // Runs tasks and timers until no task is left and no timer is set, or Stop.
  void Run();
  // Makes Run return once the task or callback that calls it yields; tasks
  // not ended stay suspended (their stacks are freed with the loop).
  void Stop();
  bool stopped() const { return stop_; }
  size_t live_tasks() const { return live_tasks_; }
  // Events handled so far: tasks resumed and timers fired.
  uint64_t events() const { return events_; }
  Clock* clock() const { return clock_; }
  LoopTime time() const { return time_; }

  // A timer: `callback` runs on the loop, outside any task, at clock time
  // `at` (at once when past). Returns an id for CancelTimer.
  using TimerId = std::pair<double, uint64_t>;
  TimerId At(double at, std::function<void()> callback);
  void CancelTimer(const TimerId& id);
  // kReal only: `callback` runs on the loop when this process gets `signum`.
  void OnSignal(int signum, std::function<void()> callback);

  // Inside a task of this loop only.
  void SleepFor(double seconds);
  // Waits until `fd` is readable or hung up (true) or `timeout_s` passed
  // (false); timeout_s < 0 waits without limit.
  bool WaitReadable(int fd, double timeout_s);
  // Runs `work` on the thread pool and returns when it has run. `work` must
  // not touch the loop or another task's data.
  void Offload(const std::function<void()>& work);

  // The loop whose task runs now on this thread; null outside tasks.
  static TaskLoop* Current();

  struct Task;

 private:
  struct Uv;
  void Resume(Task* task);
  void Suspend();
  void MakeReady(Task* task) { ready_.push_back(task); }
  void RunReady();
  // Runs the callbacks of every timer due by now; false when none is set.
  bool FireDue();
  void WaitForEvents();

  Clock* clock_;
  LoopTime time_;
  std::unique_ptr<Uv> uv_;
  std::deque<Task*> ready_;
  std::map<TimerId, std::function<void()>> timers_;
  uint64_t next_seq_ = 0;
  size_t live_tasks_ = 0;
  uint64_t events_ = 0;
  Task* current_ = nullptr;
  bool stop_ = false;
};

// Waits `seconds` of real time: a timer when inside a task of a real-time
// loop, a blocking sleep elsewhere (the local cloud's short waits).
void PauseRealTime(double seconds);

}  // namespace spotrun
