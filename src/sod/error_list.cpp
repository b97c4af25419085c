#include "error_list.hpp"

namespace irra::sod {

bool ErrorList::room() {
  if (kept_.size() < cap_) return true;
  ++dropped_;
  return false;
}

void ErrorList::add(std::string_view file, std::uint64_t line, std::string_view reason) {
  if (!room()) return;
  std::string msg(file);
  msg += ':';
  msg += std::to_string(line);
  msg += ": ";
  msg += reason;
  kept_.push_back(std::move(msg));
}

void ErrorList::add(std::string_view file, std::string_view reason) {
  if (!room()) return;
  std::string msg(file);
  msg += ": ";
  msg += reason;
  kept_.push_back(std::move(msg));
}

std::vector<std::string> ErrorList::take() {
  std::vector<std::string> out = std::move(kept_);
  if (dropped_ > 0) {
    out.push_back("... and " + std::to_string(dropped_) + " more errors");
  }
  kept_.clear();
  dropped_ = 0;
  return out;
}

}  // namespace irra::sod
