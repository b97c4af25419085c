// UTC timestamps as stored in the database: "2024-12-02T09:15:00.123456Z".
// Pure functions, safe from any thread.
#pragma once

#include <chrono>
#include <string>

namespace irra::store {

// Always six fraction digits and 'Z', so the text sorts in time order.
std::string iso_utc_micros(std::chrono::system_clock::time_point t);

}  // namespace irra::store
