#include "otp_book.hpp"

#include <chrono>
#include <fstream>

namespace irra::capacity {
namespace {

// The string value of "key" in one flat JSON line; empty when absent. The sink writes
// compact JSON without escapes in these fields (UCCs and digits).
std::string field(const std::string& line, std::string_view key) {
  std::string mark;
  mark.reserve(key.size() + 4);
  mark.append(1, '"').append(key).append("\":\"");
  const auto at = line.find(mark);
  if (at == std::string::npos) return {};
  const auto from = at + mark.size();
  const auto to = line.find('"', from);
  return to == std::string::npos ? std::string{} : line.substr(from, to - from);
}

}  // namespace

OtpBook::OtpBook(std::string file)
    : file_(std::move(file)),
      skip_existing_(std::ifstream(file_).is_open()),
      thread_([this] { run(); }) {}

OtpBook::~OtpBook() {
  stop_ = true;
  thread_.join();
}

std::optional<std::string> OtpBook::take(const std::string& ucc) {
  std::lock_guard lock(mutex_);
  const auto it = codes_.find(ucc);
  if (it == codes_.end()) return std::nullopt;
  std::string otp = std::move(it->second);
  codes_.erase(it);
  return otp;
}

void OtpBook::parse(const std::string& line) {
  if (line.find("\"type\":\"otp\"") == std::string::npos) return;
  auto ucc = field(line, "ucc");
  auto otp = field(line, "otp");
  if (ucc.empty() || otp.empty()) return;
  std::lock_guard lock(mutex_);
  codes_[std::move(ucc)] = std::move(otp);
}

// Polls every 2 ms: a login waits for its code, so the delay is part of the login time.
void OtpBook::run() {
  std::ifstream in;
  std::string partial;
  while (!stop_) {
    if (!in.is_open()) {
      in.open(file_);
      if (!in.is_open()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        continue;
      }
      if (skip_existing_) in.seekg(0, std::ios::end);  // only codes sent from now on
    }
    std::string line;
    bool any = false;
    while (std::getline(in, line)) {
      if (in.eof()) {  // no newline yet: the rest of the line comes later
        partial += line;
        break;
      }
      parse(partial + line);
      partial.clear();
      any = true;
    }
    in.clear();
    if (!any) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

}  // namespace irra::capacity
