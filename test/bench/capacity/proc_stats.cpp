#include "proc_stats.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <vector>

namespace irra::capacity {
namespace {

std::string proc_path(int pid, const char* file) {
  return "/proc/" + (pid == 0 ? std::string("self") : std::to_string(pid)) + "/" + file;
}

}  // namespace

ProcSample sample_process(int pid) {
  ProcSample s;
  std::ifstream status(proc_path(pid, "status"));
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) s.rss_kb = std::stoull(line.substr(6));
  }
  std::ifstream stat(proc_path(pid, "stat"));
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const auto close = text.rfind(')');
  if (close == std::string::npos) return s;
  std::istringstream fields(text.substr(close + 2));
  std::vector<std::string> f;
  for (std::string x; fields >> x;) f.push_back(x);
  // After "pid (comm) ": state is field 3, utime 14 and stime 15 (1-based) -> 11, 12 here.
  if (f.size() > 12) {
    s.cpu_s = static_cast<double>(std::stoull(f[11]) + std::stoull(f[12])) /
              static_cast<double>(::sysconf(_SC_CLK_TCK));
  }
  return s;
}

double machine_busy_s() {
  std::ifstream stat("/proc/stat");
  std::string cpu;
  stat >> cpu;  // "cpu": all cores
  std::uint64_t v[10] = {};
  for (auto& x : v) stat >> x;
  const std::uint64_t idle = v[3] + v[4];  // idle + iowait
  std::uint64_t total = 0;
  for (int i = 0; i < 8; ++i) total += v[i];  // guest time is already in user
  return static_cast<double>(total - idle) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

std::uint64_t open_file_limit(int pid) {
  std::ifstream limits(proc_path(pid, "limits"));
  for (std::string line; std::getline(limits, line);) {
    if (line.rfind("Max open files", 0) == 0) {
      std::istringstream rest(line.substr(14));
      std::string soft;
      rest >> soft;
      return soft == "unlimited" ? UINT64_MAX : std::stoull(soft);
    }
  }
  return 0;
}

std::uint64_t raise_open_file_limit() {
  rlimit r{};
  if (::getrlimit(RLIMIT_NOFILE, &r) != 0) return 0;
  r.rlim_cur = r.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &r);
  ::getrlimit(RLIMIT_NOFILE, &r);
  return r.rlim_cur;
}

}  // namespace irra::capacity
