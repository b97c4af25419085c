// sodium_init() once per process, for the staff module's libsodium calls.
// Thread rule: thread-safe.
#pragma once

namespace irra::staff::detail {

void ensure_sodium();  // throws std::runtime_error when libsodium cannot start

}  // namespace irra::staff::detail
