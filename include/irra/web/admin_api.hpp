// The admin terminal's API (contract section 3, "Staff"; docs/admin-api.md): staff login with
// password + TOTP, every client's books, acting on a client's instruction with a reason and
// an evidence reference, the bulk square-off job, mode control, audit search and export, and
// a live feed of everything as Server-Sent Events.
//
// Requests from outside admin.allow_from get 404 for /api/v1/admin/... and /admin/... (a
// router guard, before anything else). Handlers run on the trading strand, like the
// investor API's, and reuse its code for the books and for order entry, so staff actions
// pass the same risk gate and idempotency. Password hashing runs on the Authenticator's
// thread and audit searches on a reader thread of their own: never on the reactor.
//
// Thread rule: construct and register_routes() before the reactor runs; start() and stop()
// on the trading strand. Destroy after the HTTP server has stopped.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "irra/config/cidr.hpp"
#include "irra/http/router.hpp"
#include "irra/store/database.hpp"
#include "irra/web/staff_sessions.hpp"

namespace irra::failover {
class Failover;
}
namespace irra::trading {
class BulkJobs;
}
namespace irra::staff {
class Authenticator;
}

namespace irra::web {

class Api;

struct AdminOptions {
  StaffSessionSettings sessions;
  // How often accounts are re-read (a disabled or reset account's sessions end).
  std::chrono::seconds account_sync{5};
  std::chrono::milliseconds stream_retry{3000};
  // Outbox rows not yet delivered, for the overview (any thread; may be empty).
  std::function<std::uint64_t()> outbox_depth;
};

class AdminApi {
 public:
  AdminApi(boost::asio::any_io_executor trading_strand, Api& investor_api,
           failover::Failover& failover, trading::BulkJobs& jobs, staff::Authenticator& authenticator,
           store::DbUrl db_url, std::vector<config::Cidr> allow_from, AdminOptions options = {});
  ~AdminApi();
  AdminApi(const AdminApi&) = delete;
  AdminApi& operator=(const AdminApi&) = delete;

  // The /api/v1/admin routes and the allow_from guard (also for the /admin/ page).
  void register_routes(http::Router& router);
  // Subscribes to the engine's updates and the jobs' progress, starts the timers.
  void start();
  // Closes the feeds, stops the timers and the reader thread.
  void stop();

  std::size_t session_count() const;
  std::size_t stream_count() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace irra::web
