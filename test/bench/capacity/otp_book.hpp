// The one-time codes IRRA sends, read from its notification file sink (`notify.file`: JSON
// lines, `{"type":"otp","ucc":...,"otp":...}`) as the file grows, so simulated users can
// complete their logins the way an investor reads the SMS.
//
// Thread rule: a thread of its own tails the file; take() may be called from any thread
// (a mutex guards the codes, held only to insert or take one).
#pragma once

#include <atomic>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>

namespace irra::capacity {

class OtpBook {
 public:
  explicit OtpBook(std::string file);
  ~OtpBook();
  OtpBook(const OtpBook&) = delete;
  OtpBook& operator=(const OtpBook&) = delete;

  // The newest code sent to this UCC that was not taken yet; it is forgotten once taken.
  std::optional<std::string> take(const std::string& ucc);

 private:
  void run();
  void parse(const std::string& line);

  std::string file_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::string> codes_;  // GUARDED_BY(mutex_)
  bool skip_existing_;  // the file existed at start: its old codes are not ours
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace irra::capacity
