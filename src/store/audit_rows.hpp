// Reading and writing audit_log rows (internal to the store module).
// Thread rule: the caller's session, on the caller's thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "irra/store/audit.hpp"

namespace irra::store::detail {

// SELECT every column WHERE `where` (may be "") ORDER BY `order` LIMIT/OFFSET, binding
// `params` in order to the placeholders in `where` (each with its own name).
std::vector<AuditRecord> select_audit(soci::session& sql, const std::string& where,
                                      const std::vector<std::string>& params,
                                      const std::string& order, std::int64_t limit,
                                      std::int64_t offset = 0);

// The newest record's seq and hash, or 0 and the genesis hash.
struct ChainHead {
  std::int64_t seq = 0;
  std::string hash;
};
ChainHead load_head(soci::session& sql);

// True when an identical event is already stored (a retried job ran before).
bool already_stored(soci::session& sql, const AuditEvent& event);

void insert_audit(soci::session& sql, const AuditRecord& record);

}  // namespace irra::store::detail
