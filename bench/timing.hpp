// The clocks the benchmarks read. CPU time next to wall time, because on a shared machine
// wall time says little.
#pragma once

#include <time.h>

#include <chrono>

namespace anvil::timing {

inline double wall_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

inline double cpu_clock_s(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}
// All threads of the process.
inline double process_cpu_s() {
  return cpu_clock_s(CLOCK_PROCESS_CPUTIME_ID);
}
// The calling thread only.
inline double thread_cpu_s() {
  return cpu_clock_s(CLOCK_THREAD_CPUTIME_ID);
}

}  // namespace anvil::timing
