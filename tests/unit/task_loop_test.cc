#include "util/task_loop.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "sim/sim_clock.h"
#include "spec/job_spec.h"
#include "util/subprocess.h"

namespace spotrun {
namespace {

double Wall() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

TEST(TaskLoopSimTest, TimersFireInTimeThenSequenceOrder) {
  ManualClock clock(100);
  TaskLoop loop(&clock, LoopTime::kSimulated);
  std::vector<std::string> fired;
  loop.At(105, [&] { fired.push_back("b@105"); });
  loop.At(103, [&] { fired.push_back("a@103"); });
  loop.At(105, [&] { fired.push_back("c@105"); });
  auto gone = loop.At(104, [&] { fired.push_back("cancelled"); });
  loop.CancelTimer(gone);
  loop.Run();
  EXPECT_EQ(fired, (std::vector<std::string>{"a@103", "b@105", "c@105"}));
  EXPECT_EQ(clock.Now(), 105);
}

TEST(TaskLoopSimTest, ClockSleepInATaskSuspendsOnlyThatTask) {
  ManualClock clock(0);
  TaskLoop loop(&clock, LoopTime::kSimulated);
  std::vector<std::string> steps;
  loop.Spawn([&] {
    for (int i = 0; i < 3; ++i) {
      clock.Sleep(10);
      steps.push_back("slow@" + std::to_string(static_cast<int>(clock.Now())));
    }
  });
  loop.Spawn([&] {
    for (int i = 0; i < 4; ++i) {
      clock.Sleep(4);
      steps.push_back("fast@" + std::to_string(static_cast<int>(clock.Now())));
    }
  });
  loop.Run();
  EXPECT_EQ(steps, (std::vector<std::string>{"fast@4", "fast@8", "slow@10", "fast@12", "fast@16",
                                             "slow@20", "slow@30"}));
  EXPECT_EQ(loop.live_tasks(), 0u);
}

TEST(TaskLoopSimTest, SimClockRoundsTimersLikeItsSleep) {
  SimClock clock(1000);
  TaskLoop loop(&clock, LoopTime::kSimulated);
  loop.Spawn([&] {
    for (int i = 0; i < 4; ++i) clock.Sleep(0.5);  // Each rounds to 1 s, as outside a loop.
  });
  loop.Run();
  EXPECT_EQ(clock.elapsed_s(), 4);
}

TEST(TaskLoopSimTest, TenThousandTasksShareOneClock) {
  ManualClock clock(0);
  TaskLoop loop(&clock, LoopTime::kSimulated);
  long long steps = 0;
  for (int i = 0; i < 10000; ++i) {
    loop.Spawn([&, i] {
      for (int k = 0; k < 20; ++k) {
        clock.Sleep(1 + i % 7);
        ++steps;
      }
    });
  }
  loop.Run();
  EXPECT_EQ(steps, 200000);
  EXPECT_EQ(clock.Now(), 20 * 7);
}

TEST(TaskLoopSimTest, StopLeavesTasksSuspended) {
  ManualClock clock(0);
  TaskLoop loop(&clock, LoopTime::kSimulated);
  int ran = 0;
  loop.Spawn([&] {
    for (;;) {
      clock.Sleep(1);
      if (++ran == 5) loop.Stop();
    }
  });
  loop.Run();
  EXPECT_EQ(ran, 5);
  EXPECT_EQ(loop.live_tasks(), 1u);
}

TEST(TaskLoopRealTest, ProcessesOfTwoTasksRunAtOnce) {
  RealClock clock;
  TaskLoop loop(&clock, LoopTime::kReal);
  std::vector<std::string> outputs(2);
  for (int i = 0; i < 2; ++i) {
    loop.Spawn([&, i] {
      ProcessOptions p;
      p.argv = {"sh", "-c", "sleep 1; echo done" + std::to_string(i)};
      auto rc = RunCapture(p, &outputs[i], 5);
      EXPECT_TRUE(rc.ok() && *rc == 0);
    });
  }
  int ticks = 0;
  loop.Spawn([&] {
    for (int k = 0; k < 5; ++k) {
      clock.Sleep(0.05);
      ++ticks;
    }
  });
  const double start = Wall();
  loop.Run();
  const double took = Wall() - start;
  EXPECT_EQ(outputs[0], "done0\n");
  EXPECT_EQ(outputs[1], "done1\n");
  EXPECT_EQ(ticks, 5);
  EXPECT_LT(took, 1.9) << "the two 1 s commands ran one after the other";
}

TEST(TaskLoopRealTest, OffloadedWorkRunsOffTheLoopWhileTimersFire) {
  RealClock clock;
  TaskLoop loop(&clock, LoopTime::kReal);
  std::thread::id worker;
  int ticks_during = 0;
  bool work_done = false;
  loop.Spawn([&] {
    loop.Offload([&] {
      worker = std::this_thread::get_id();
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    });
    work_done = true;
  });
  loop.Spawn([&] {
    while (!work_done) {
      clock.Sleep(0.02);
      ++ticks_during;
    }
  });
  loop.Run();
  EXPECT_NE(worker, std::this_thread::get_id());
  EXPECT_GE(ticks_during, 3);
}

TEST(TaskLoopRealTest, WaitReadableTimesOut) {
  RealClock clock;
  TaskLoop loop(&clock, LoopTime::kReal);
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  bool readable = true;
  double took = 0;
  loop.Spawn([&] {
    const double start = Wall();
    readable = loop.WaitReadable(fds[0], 0.1);
    took = Wall() - start;
  });
  loop.Run();
  close(fds[0]);
  close(fds[1]);
  EXPECT_FALSE(readable);
  EXPECT_GE(took, 0.09);
  EXPECT_LT(took, 1.0);
}

TEST(TaskLoopRealTest, OutsideATaskSleepBlocks) {
  RealClock clock;
  EXPECT_EQ(TaskLoop::Current(), nullptr);
  const double start = Wall();
  clock.Sleep(0.05);
  EXPECT_GE(Wall() - start, 0.045);
}

// A task's stack holds what the controller parses there: a stored job file
// nested as deep as a job file may be (flow and block), read by ParseJobSpec
// as the controller reads it.
TEST(TaskLoopSimTest, ATaskParsesTheDeepestJobFile) {
  std::string flow = "run: x\nenvs: {A: 1}\nlabels: {a: ";
  for (int i = 0; i < 99; ++i) flow += "[";
  for (int i = 0; i < 99; ++i) flow += "]";
  flow += "}\n";
  std::string block = "run: x\nconfig:\n";
  for (int i = 0; i < 5000; ++i)
    block += std::string(2 * (i + 1), ' ') + "k" + std::to_string(i) + ":\n";
  ManualClock clock(0);
  TaskLoop loop(&clock, LoopTime::kSimulated);
  int parsed = 0;
  for (const std::string& text : {flow, block}) {
    loop.Spawn([&parsed, text] {
      (void)ParseJobSpec(text, "/tmp/deep.yaml", StoredSpecOptions());
      ++parsed;
    });
  }
  loop.Run();
  EXPECT_EQ(parsed, 2);
}

}  // namespace
}  // namespace spotrun
