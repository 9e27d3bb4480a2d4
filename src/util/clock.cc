#include "util/clock.h"

#include <ctime>
#include <thread>

#include "util/task_loop.h"

namespace spotrun {

double RealClock::Now() const {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

void Clock::Sleep(double seconds) {
  TaskLoop* loop = TaskLoop::Current();
  if (loop != nullptr && (loop->clock() == this || (IsReal() && loop->time() == LoopTime::kReal))) {
    loop->SleepFor(seconds);
  } else {
    Pass(seconds);
  }
}

void RealClock::Pass(double seconds) {
  if (seconds > 0) std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
}

std::string FormatUtc(double epoch_s, const char* format) {
  const auto seconds = static_cast<std::time_t>(epoch_s);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[64];
  std::strftime(text, sizeof(text), format, &tm);
  return text;
}

}  // namespace spotrun
