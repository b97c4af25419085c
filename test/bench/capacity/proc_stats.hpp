// What irra-capacity reads from /proc: a process's resident memory, CPU time and open-file
// limit, and the machine's busy time (to see how much else ran during a step).
#pragma once

#include <cstdint>
#include <string>

namespace irra::capacity {

struct ProcSample {
  std::uint64_t rss_kb = 0;
  double cpu_s = 0;  // utime + stime, all threads
};

// pid 0 reads this process. Zeros when the process is gone.
ProcSample sample_process(int pid);
// Seconds of non-idle CPU time of the whole machine (all cores) since boot.
double machine_busy_s();
// The soft "Max open files" of pid (0: this process); 0 when unknown.
std::uint64_t open_file_limit(int pid);
// Raises this process's soft open-file limit to its hard limit; returns the new soft limit.
std::uint64_t raise_open_file_limit();

}  // namespace irra::capacity
