#pragma once
// Typed conversions between FIX field values and IRRA's integer types. Every parser
// rejects anything but the exact wire grammar (no sign on unsigned, no spaces, no
// overflow); prices are integer paise, never floating point.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace irra::fix {

// UTCTimestamp on the wire ("YYYYMMDD-HH:MM:SS[.sss|.ssssss|.sssssssss]").
using utc_timestamp = std::chrono::sys_time<std::chrono::nanoseconds>;

// Non-negative integer, digits only (SeqNum, Length, NumInGroup...).
std::optional<std::uint64_t> parse_uint(std::string_view v) noexcept;
// Signed integer: optional '-' then digits.
std::optional<std::int64_t> parse_int(std::string_view v) noexcept;
// Decimal rupees to paise: "2450.05" -> 245005, "2450" -> 245000, "2450.050000" -> 245005.
// A non-zero digit after the second decimal is rejected (the value is not a whole paisa).
std::optional<std::int64_t> parse_price_paise(std::string_view v) noexcept;
// For computed averages (AvgPx), which need not be whole paise: rounded to the nearest
// paisa, half away from zero ("2450.0333333" -> 245003, "0.005" -> 1).
std::optional<std::int64_t> parse_price_paise_rounded(std::string_view v) noexcept;
// Quantity: whole number, optionally written as a decimal with only zeros after the point
// ("100" or "100.0"); negative or fractional quantities are rejected.
std::optional<std::int64_t> parse_qty(std::string_view v) noexcept;
// UTCTimestamp with 0, 3, 6 or 9 fractional digits; calendar-checked.
std::optional<utc_timestamp> parse_utc_timestamp(std::string_view v) noexcept;
// Boolean "Y" / "N".
std::optional<bool> parse_bool(std::string_view v) noexcept;

// Appenders used by the writer.
void append_uint(std::string& out, std::uint64_t v);
void append_int(std::string& out, std::int64_t v);
// Paise as decimal rupees with exactly two decimals: 245005 -> "2450.05", -5 -> "-0.05".
void append_price(std::string& out, std::int64_t paise);
// Millisecond UTCTimestamp "YYYYMMDD-HH:MM:SS.sss" (what FIX 4.4 counterparties accept).
void append_utc_timestamp(std::string& out, utc_timestamp t);

}  // namespace irra::fix
