#pragma once
// Test helpers: build wire messages by hand, with '|' standing for SOH, computing
// BodyLength and CheckSum independently of irra::fix::writer.

#include <cstdio>
#include <deque>
#include <string>
#include <string_view>

namespace irra::fix::test {

inline std::string soh_from_pipes(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c == '|') c = '\x01';
  }
  return out;
}

inline std::string pipes_from_soh(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c == '\x01') c = '|';
  }
  return out;
}

// body: from "35=" up to and including the SOH before "10=", written with '|'.
inline std::string make_fix(std::string_view body) {
  const std::string b = soh_from_pipes(body);
  std::string m =
      "8=FIX.4.4\x01"
      "9=" +
      std::to_string(b.size()) + "\x01" + b;
  unsigned sum = 0;
  for (unsigned char c : m) sum += c;
  char trailer[8];
  std::snprintf(trailer, sizeof trailer, "10=%03u\x01", sum % 256);
  return m + trailer;
}

// Keeps a test message alive for the rest of the run, so views into it stay valid.
inline std::string_view keep(std::string s) {
  static std::deque<std::string> kept;
  return kept.emplace_back(std::move(s));
}

}  // namespace irra::fix::test
