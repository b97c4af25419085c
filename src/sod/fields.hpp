// Checks for single CSV fields of the dump. Each returns the value, or nullopt with the
// reason written to `reason` in the form the error list prints ("tick_size: '0.0x' is not
// a number"). Pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace irra::sod::fields {

// A field as it appears in a message: quoted, at most 64 bytes, control bytes escaped.
std::string quote(std::string_view text);

// A whole number as written by the dump: optional '-', digits, nothing else.
std::optional<std::int64_t> integer(std::string_view column, std::string_view text,
                                    std::string& reason);
// Decimal rupees with at most two decimals, as paise.
std::optional<std::int64_t> rupees(std::string_view column, std::string_view text,
                                   std::string& reason);

bool valid_utf8(std::string_view text);
// Code points in valid UTF-8 text (what a VARCHAR(n) counts).
std::size_t utf8_length(std::string_view text);

// A code such as a UCC or symbol: 1..max_len bytes of A-Z a-z 0-9 and "-_.&".
bool is_code(std::string_view text, std::size_t max_len);
// An exchange name: 1..16 bytes of A-Z 0-9 and '_'.
bool is_exchange(std::string_view text);
// An Indian PAN: five letters, four digits, one letter (upper case).
bool is_pan(std::string_view text);
// Empty, or an optional '+' and 10..15 digits.
bool is_mobile(std::string_view text);
// Empty, or local@domain with a dot in the domain and no spaces, at most 254 bytes.
bool is_email(std::string_view text);

}  // namespace irra::sod::fields
