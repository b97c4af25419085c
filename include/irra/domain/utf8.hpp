// UTF-8 validation for text that comes from outside (dumps, reasons, staff input) and must
// be stored or printed as valid UTF-8.
//
// Thread rule: pure functions.
#pragma once

#include <cstddef>
#include <string_view>

namespace irra::domain {

// Length of the valid UTF-8 sequence starting at s[i] (1 for ASCII; no overlong forms, no
// UTF-16 surrogates, nothing above U+10FFFF), or 0 when the bytes there are not one.
// Requires i < s.size().
std::size_t utf8_sequence_length(std::string_view s, std::size_t i);

}  // namespace irra::domain
