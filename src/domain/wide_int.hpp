// A 128-bit integer for exact intermediate products (qty * price * ratio) that could
// overflow int64. __extension__ keeps -Wpedantic quiet about the GCC/Clang built-in type.
#pragma once

namespace irra::domain::detail {

__extension__ typedef __int128 int128;

}  // namespace irra::domain::detail
