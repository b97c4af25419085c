// FIX ExecutionReport (fix::execution_report, views into the receive buffer) to
// domain::ExecReport (owned strings, paise, microseconds). Pure functions.
#pragma once

#include <optional>
#include <string>

#include "irra/domain/exec_report.hpp"
#include "irra/fix/messages.hpp"

namespace irra::trading {

// nullopt (with `why`) when a coded field holds a value the contract does not define
// (side, product); unknown ExecType/OrdStatus codes map to "other"/the order's live state.
std::optional<domain::ExecReport> to_domain(const fix::execution_report& m, std::string& why);

}  // namespace irra::trading
