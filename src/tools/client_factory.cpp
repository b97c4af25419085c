#include "client_factory.hpp"

#include <array>
#include <cctype>
#include <cstdio>

#include "market_tables.hpp"

namespace irra::tools {
namespace {

struct demo_client {
  const char* first;
  const char* last;
};
constexpr std::array<demo_client, client_factory::demo_count> demo{{{"Aarav", "Sharma"},
                                                                    {"Priya", "Nair"},
                                                                    {"Rohan", "Mehta"},
                                                                    {"Ananya", "Iyer"},
                                                                    {"Vikram", "Singh"}}};

template <class Span>
std::string_view pick(det_rng& rng, const Span& s) {
  return s[rng.below(s.size())];
}

// PAN: AAAPL9999A (three letters, holder type, initial of the surname or firm, four digits,
// a check letter). The letters and digits are index*48271 + c modulo 26^3 * 10^4, a
// bijection because 48271 shares no factor with 2, 5 or 13.
std::string pan(std::int64_t index, char holder_type, char initial) {
  constexpr std::int64_t space = 17576LL * 10000;
  const std::int64_t v = (index * 48271 + 12345678) % space;
  std::int64_t letters = v / 10000;
  const std::int64_t digits = v % 10000;
  std::string out(10, 'A');
  for (int i = 2; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = static_cast<char>('A' + letters % 26);
    letters /= 26;
  }
  out[3] = holder_type;
  out[4] = static_cast<char>(std::toupper(static_cast<unsigned char>(initial)));
  for (int i = 8, d = static_cast<int>(digits); i >= 5; --i, d /= 10)
    out[static_cast<std::size_t>(i)] = static_cast<char>('0' + d % 10);
  out[9] = static_cast<char>('A' + (v ^ (v >> 5)) * 31 % 26);
  return out;
}

// Ten digits starting 6-9; the last nine are a bijection of the index modulo 10^9
// (387420489 = 3^18 shares no factor with 10).
std::string mobile(std::int64_t index, int first_digit) {
  const std::int64_t rest = (index * 387420489 + 271828182) % 1000000000;
  std::string out = std::to_string(rest);
  out.insert(0, 9 - out.size(), '0');
  out.insert(out.begin(), static_cast<char>('0' + first_digit));
  return out;
}

std::string email_part(std::string_view text) {
  std::string out;
  for (const char c : text)
    if (std::isalpha(static_cast<unsigned char>(c)))
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return out;
}

}  // namespace

std::string client_factory::ucc(std::int64_t index) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "C%06lld", static_cast<long long>(index + 1));
  return buf;
}

void client_factory::make(std::int64_t index, det_rng& rng, client& out) const {
  out.ucc = ucc(index);
  const std::string number = std::to_string(index + 1);
  if (index < demo_count) {
    const auto& d = demo[static_cast<std::size_t>(index)];
    out.name = std::string(d.first) + " " + d.last;
    out.pan = pan(index, 'P', d.last[0]);
    out.mobile = mobile(index, 9);
    out.email = email_part(d.first) + "." + email_part(d.last) + "@example.com";
    out.eligible = true;
    return;
  }
  out.eligible = !rng.percent(static_cast<std::uint64_t>(ineligible_pct_));
  out.mobile = mobile(index, static_cast<int>(6 + rng.below(4)));
  const std::string_view domain = pick(rng, email_domains());
  if (!out.eligible) {
    // Algo desks and institutions: they are mirrored but cannot log in.
    const std::string_view word = pick(rng, firm_words());
    const std::string_view suffix = pick(rng, firm_suffixes());
    out.name = std::string(word) + " " + std::string(suffix);
    const bool firm = suffix.find("LLP") != std::string_view::npos ||
                      suffix.find("Partners") != std::string_view::npos;
    out.pan = pan(index, firm ? 'F' : 'C', word[0]);
    out.email = "ops." + email_part(word) + number + "@" + std::string(domain);
    return;
  }
  const std::string_view first =
      rng.percent(50) ? pick(rng, male_names()) : pick(rng, female_names());
  const std::string_view last = pick(rng, surnames());
  const std::uint64_t style = rng.below(100);
  if (style < 3) {  // "Iyer, Ramesh": a comma that CSV must quote
    out.name = std::string(last) + ", " + std::string(first);
  } else if (style < 5) {  // Ramesh "Bunty" Iyer: quotes that CSV must double
    out.name = std::string(first) + " \"" + std::string(pick(rng, nicknames())) + "\" " +
               std::string(last);
  } else if (style < 15) {  // a middle initial
    out.name = std::string(first) + " " + static_cast<char>('A' + rng.below(26)) + ". " +
               std::string(last);
  } else {
    out.name = std::string(first) + " " + std::string(last);
  }
  out.pan = pan(index, 'P', last[0]);
  out.email = email_part(first) + "." + email_part(last) + number + "@" + std::string(domain);
}

}  // namespace irra::tools
