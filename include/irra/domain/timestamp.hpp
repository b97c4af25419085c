// Points in time as integer microseconds since the Unix epoch (UTC), with the two textual
// forms IRRA meets: ISO-8601 for JSON and FIX UTCTimestamp for the exchange.
// Pure functions, safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace irra::domain {

// Microseconds since 1970-01-01T00:00:00Z.
using Timestamp = std::int64_t;

inline constexpr Timestamp micros_per_second = 1'000'000;

// "2024-12-02T09:15:00.123456Z" (always six fraction digits, always 'Z').
std::string format_iso8601(Timestamp t);

// "YYYY-MM-DDTHH:MM:SS[.f...]Z" with 1-9 fraction digits (digits past microseconds are
// truncated). Only 'Z' (UTC) is accepted as zone. Years 1970-9999; fields range-checked.
std::optional<Timestamp> parse_iso8601(std::string_view text);

// FIX UTCTimestamp "YYYYMMDD-HH:MM:SS[.f...]" with 1-9 fraction digits (FIX 4.4 sends
// milliseconds; digits past microseconds are truncated).
std::optional<Timestamp> parse_fix_timestamp(std::string_view text);

// "20241202-09:15:00.123" (milliseconds, as FIX 4.4 defines UTCTimestamp).
std::string format_fix_timestamp(Timestamp t);

// The UTC calendar date "YYYY-MM-DD" of a time point (used for the trading date).
std::string format_date(Timestamp t);

// "YYYY-MM-DD" -> midnight UTC of that day.
std::optional<Timestamp> parse_date(std::string_view text);

}  // namespace irra::domain
