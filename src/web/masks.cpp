// What the OTP answer shows of where the code went: enough for the investor to recognise the
// phone and mailbox, not enough to learn them.
#include <string>

#include "irra/web/auth.hpp"

namespace irra::web {

std::string mask_mobile(std::string_view mobile) {
  std::string digits;
  for (const char c : mobile) {
    if (c >= '0' && c <= '9') digits += c;
  }
  if (digits.empty()) return {};
  // Always six stars: the mask does not tell the number's length.
  if (digits.size() < 4) return "******";
  return "******" + digits.substr(digits.size() - 4);
}

std::string mask_email(std::string_view email) {
  while (!email.empty() && (email.front() == ' ' || email.front() == '\t')) email.remove_prefix(1);
  while (!email.empty() && (email.back() == ' ' || email.back() == '\t')) email.remove_suffix(1);
  if (email.empty()) return {};
  const auto at = email.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == email.size()) return "***";
  // The first character, whole even when it is a multi-byte UTF-8 sequence.
  std::size_t first = 1;
  while (first < at && (static_cast<unsigned char>(email[first]) & 0xC0) == 0x80) ++first;
  return std::string(email.substr(0, first)) + "***" + std::string(email.substr(at));
}

}  // namespace irra::web
