#include "server.hpp"

#include <soci/soci.h>
#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <fmt/format.h>

#include <malloc.h>

#include <csignal>
#include <map>
#include <string_view>

#include <boost/asio/ip/address.hpp>

#include "irra/config/config_error.hpp"
#include "irra/failover/failover.hpp"
#include "irra/http/metrics.hpp"
#include "irra/http/router.hpp"
#include "irra/http/server.hpp"
#include "irra/http/static_files.hpp"
#include "irra/http/tls_context.hpp"
#include "irra/notify/activation.hpp"
#include "irra/notify/notifier.hpp"
#include "irra/notify/relay.hpp"
#include "irra/notify/sink.hpp"
#include "irra/store/audit.hpp"
#include "irra/store/database.hpp"
#include "irra/staff/authenticator.hpp"
#include "irra/trading/bulk_jobs.hpp"
#include "irra/web/admin_api.hpp"
#include "irra/web/api.hpp"
#include "state_loader.hpp"

namespace net = boost::asio;

namespace irra::app {

Server::Server(config::Config cfg, StartMode start_mode)
    : cfg_(std::move(cfg)),
      start_mode_(start_mode),
      trading_(net::make_strand(ioc_)),
      signals_(ioc_, SIGTERM, SIGINT),
      watchdog_(ioc_) {}

Server::~Server() = default;

int Server::run() {
  const auto started = std::chrono::steady_clock::now();
  spdlog::info("irra starting; configuration {}", cfg_.redacted_json());

  const auto url = store::DbUrl::parse(cfg_.database.url);
  auto sql = store::open(url);
  spdlog::info("database {} open, schema version {}", url.redacted, store::schema_version());

  const auto loaded = load_start_of_day(*sql, book_);
  if (loaded.trading_date.empty()) {
    spdlog::warn("no start-of-day dump imported yet: run 'irra sod-import' before market open");
  }
  spdlog::info("mirror loaded: trading date {}, {} instruments, {} clients, {} positions",
               loaded.trading_date.empty() ? "-" : loaded.trading_date, loaded.instruments,
               loaded.clients, loaded.positions);

  reference_.load(*sql);
  spdlog::info("holdings {} rows, funds {} clients", reference_.holding_count(),
               reference_.funds_count());

  store::WriterOptions wopts;
  wopts.capacity = cfg_.database.write_queue_limit;
  wopts.batch_limit = cfg_.database.write_batch_max;
  wopts.stall_threshold = cfg_.database.write_stall;
  writer_ = std::make_unique<store::Writer>(url, std::move(sql), wopts);

  // The engine replays today's journal over the start-of-day mirror (on a connection of its
  // own: the writer owns the first one now), then owns the Book on the trading strand.
  trading::EngineOptions eopts;
  eopts.order_rate_limit = cfg_.exchange.order_rate_limit;
  eopts.risk.market_protection_bps = cfg_.risk.market_protection_bps;
  engine_ = std::make_unique<trading::Engine>(trading_, book_, *writer_, eopts);
  // Events of IRRA's own orders go to the outbox with their journal rows (also those the
  // replay below writes); the relay exists once the reactor runs.
  engine_->enable_events([this] {
    if (relay_) relay_->wake();
  });
  {
    auto replay_sql = store::connect(url);
    const auto replayed = engine_->load(*replay_sql);
    spdlog::info(
        "journal replayed: {} rows ({} reports, {} backup orders, {} unsent orders "
        "rejected, {} refused)",
        replayed.rows, replayed.execs, replayed.orders, replayed.unsent_orders_failed,
        replayed.refused);
  }
  // Loading the day went through the database client's buffered result sets and temporary
  // indexes (tens of MB with a million positions); glibc keeps freed heap pages mapped, so
  // they are handed back once here, where it costs a few milliseconds, instead of staying
  // resident for the whole day.
  malloc_trim(0);
  // The broker's bulk square-off jobs of today: an unfinished one carries on once ACTIVE
  // (its Idempotency-Keys, replayed above, make sure no slice is sent twice).
  trading::BulkJobsOptions bopts;
  bopts.rate_limit = cfg_.exchange.order_rate_limit;
  jobs_ = std::make_unique<trading::BulkJobs>(trading_, *engine_, *writer_, bopts);
  {
    auto jobs_sql = store::connect(url);
    jobs_->load(*jobs_sql);
  }
  // The service mode: the last durable transition (an --active/--standby that changes it is
  // recorded first), applied to the engine before the web opens.
  failover_ = std::make_unique<failover::Failover>(
      trading_, cfg_.failover,
      start_mode_ == StartMode::active    ? failover::StartOverride::active
      : start_mode_ == StartMode::standby ? failover::StartOverride::standby
                                          : failover::StartOverride::none,
      *writer_);
  failover_->set_apply([this](const failover::Transition& t) {
    engine_->set_mode(std::string(failover::name(t.to)), t.at);
    jobs_->on_mode(std::string(failover::name(t.to)));
  });
  {
    auto mode_sql = store::connect(url);
    failover_->restore(*mode_sql);
  }
  admin_ = std::make_unique<trading::AdminSocket>(trading_, *engine_, cfg_.admin.socket);
  admin_->set_mode_handler(
      [this](const std::string& cmd, const std::string& reason, trading::ModeDone done) {
        failover_->command(cmd, "admin:ctl", reason, [done](const failover::CommandResult& r) {
          done(trading::AdminReply{r.ok, r.error, r.message, r.to_json()});
        });
      });
  admin_->set_status_extension(
      [this](nlohmann::json& status) { status["failover"] = failover_->status(); });
  add_job_commands();
  admin_->start();
  links_ = std::make_unique<ExchangeLinks>(trading_, cfg_.exchange, *engine_, book_);
  net::post(trading_, [this] { links_->start(); });
  start_web();
  net::post(trading_, [this] { jobs_->start(); });
  if (!audit_) throw std::runtime_error("internal: the audit chain is not set up");
  // On every activation (by the probe, by staff or --active at start) each eligible client
  // is told through the outbox: SMS and e-mail fields for the broker's gateway. Runs on the
  // trading strand: only the client list is copied here; the writer thread builds and
  // inserts the messages in large jobs.
  failover_->on_transition([this](const failover::Transition& t) {
    if (t.to != failover::Mode::active) return;
    std::vector<domain::Client> clients;
    clients.reserve(book_.clients().size());
    for (const auto& c : book_.clients()) {
      if (c.eligible) clients.push_back(c);
    }
    const auto n = clients.size();
    const bool queued = notify::queue_activation_notices(
        *writer_, std::move(clients), cfg_.http.public_url, std::to_string(t.id),
        [this, n](const store::WriteResult& r) {
          if (!r.ok) {
            spdlog::error("activation notices could not be queued: {}", r.error);
            return;
          }
          spdlog::info("activation notices queued for {} eligible clients", n);
          relay_->wake();
        });
    if (!queued) spdlog::error("activation notices refused: the database writer is full");
  });
  failover_->start(*audit_);  // probing; mode changes are audited from here on
  start_metrics();

  signals_.async_wait([this](const boost::system::error_code& ec, int signo) {
    if (!ec) on_signal(signo);
  });
  start_watchdog();

  const auto ready_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - started)
                            .count();
  const std::string mode(failover::name(failover_->mode()));
  spdlog::info("irra ready in {} ms, mode {} since {}", ready_ms, mode,
               domain::format_iso8601(failover_->since()));
  sd_notifyf(0, "READY=1\nSTATUS=ready, mode %s", mode.c_str());

  ioc_.run();

  https_.reset();
  metrics_.reset();
  admin_api_.reset();
  if (authenticator_) authenticator_->stop();
  authenticator_.reset();
  api_.reset();
  admin_.reset();
  failover_.reset();
  links_.reset();
  jobs_.reset();
  spdlog::info("draining pending database writes");
  const bool drained = writer_->drain_and_stop();
  audit_.reset();
  writer_.reset();
  if (notifier_) notifier_->stop();
  // Delivers what it can in a few seconds; the rest waits in the outbox for the next start.
  if (relay_) relay_->stop(std::chrono::seconds(5));
  if (!drained) {
    spdlog::error("some writes could not be committed before the stop deadline");
    return 1;
  }
  spdlog::info("irra stopped cleanly");
  return 0;
}

// `irra ctl bulk-square-off|job|job-cancel`: the admin terminal's bulk job from the host.
void Server::add_job_commands() {
  using trading::AdminReply;
  using trading::ModeDone;
  admin_->add_command("bulk-square-off", [this](const nlohmann::json& req, ModeDone done) {
    trading::BulkJobSpec spec;
    const auto text = [&](const char* k) {
      return req.contains(k) && req[k].is_string() ? req[k].get<std::string>() : std::string();
    };
    if (!text("product").empty()) {
      const auto p = domain::parse_product(text("product"));
      if (!p) return done(AdminReply{false, "bad_request", "product must be MIS, NRML, CNC or MTF", nullptr});
      spec.product = *p;
    }
    if (!text("segment").empty()) spec.segment = text("segment");
    spec.reason = text("reason");
    if (spec.reason.empty() || spec.reason.size() > 500) {
      return done(AdminReply{false, "reason_required", "give --reason (1 to 500 characters)", nullptr});
    }
    spec.evidence_ref = text("evidence_ref");
    const char* user = std::getenv("SUDO_USER") ? std::getenv("SUDO_USER") : std::getenv("USER");
    spec.created_by = std::string("host:") + (user ? user : "ctl");
    jobs_->create(spec, [this, done, spec](std::string error, nlohmann::json job) {
      store::AuditEvent e;
      e.type = error.empty() ? "host.bulk_square_off" : "host.bulk_square_off_refused";
      e.actor = spec.created_by;
      e.detail = nlohmann::json{{"product", domain::to_string(spec.product)},
                                {"segment", spec.segment ? nlohmann::json(*spec.segment) : nlohmann::json()},
                                {"reason", spec.reason},
                                {"evidence_ref", spec.evidence_ref},
                                {"error", error},
                                {"job_id", job.is_object() ? job.value("job_id", "") : ""}}
                     .dump();
      audit_->append(std::move(e));
      if (!error.empty()) return done(AdminReply{false, error, "the bulk square-off was refused", nullptr});
      done(AdminReply{true, "", "", job});
    });
  });
  admin_->add_command("job", [this](const nlohmann::json& req, ModeDone done) {
    if (req.contains("job_id") && req["job_id"].is_string()) {
      const auto job = jobs_->job(req["job_id"].get<std::string>());
      if (!job) return done(AdminReply{false, "not_found", "no such job today", nullptr});
      return done(AdminReply{true, "", "", *job});
    }
    done(AdminReply{true, "", "", nlohmann::json{{"jobs", jobs_->jobs()}}});
  });
  admin_->add_command("job-cancel", [this](const nlohmann::json& req, ModeDone done) {
    const auto id = req.contains("job_id") && req["job_id"].is_string() ? req["job_id"].get<std::string>() : "";
    const char* user = std::getenv("SUDO_USER") ? std::getenv("SUDO_USER") : std::getenv("USER");
    const std::string actor = std::string("host:") + (user ? user : "ctl");
    jobs_->cancel(id, actor, [this, done, id, actor](std::string error, nlohmann::json job) {
      if (!error.empty()) return done(AdminReply{false, error, "the job was not cancelled", nullptr});
      store::AuditEvent e;
      e.type = "host.job_cancel";
      e.actor = actor;
      e.detail = nlohmann::json{{"job_id", id}}.dump();
      audit_->append(std::move(e));
      done(AdminReply{true, "", "", job});
    });
  });
}

void Server::on_signal(int signo) {
  if (stopping_) return;
  stopping_ = true;
  spdlog::info("received {}: stopping", signo == SIGTERM ? "SIGTERM" : "SIGINT");
  sd_notify(0, "STOPPING=1");
  // Stop accepting new work: cancel the timers and listeners; pending handlers finish.
  watchdog_.cancel();
  signals_.cancel();
  // On the trading strand: no new admin connections, the engine's open batch submitted,
  // order entry refused from now on; the writer drains after the reactor stops.
  // The web first: no new requests; answers in flight and the live streams end within the
  // grace period.
  if (https_) https_->stop(std::chrono::seconds(5));
  if (metrics_) metrics_->stop(std::chrono::seconds(1));
  net::post(trading_, [this] {
    if (admin_api_) admin_api_->stop();
    if (jobs_) jobs_->stop();
    if (api_) api_->stop();
    if (admin_) admin_->stop();
    if (failover_) failover_->stop();  // no more probe rounds or mode commands
    // Log out of the exchange first (bounded), so that reports still in flight are applied
    // and persisted; then the engine submits its open batch and refuses order entry.
    links_->stop([this] {
      if (engine_) engine_->stop();
    });
  });
}

void Server::start_web() {
  // Every message (OTPs, activation notices, order and trade events) is an outbox row first;
  // the relay delivers it to the sink and deletes it once confirmed.
  std::unique_ptr<notify::Sink> sink;
  try {
    sink = cfg_.notify.sink == config::NotifySink::amqp
               ? notify::make_amqp_sink(cfg_.notify.amqp_url)
               : notify::make_file_sink(cfg_.notify.file);
  } catch (const std::invalid_argument& e) {
    throw config::ConfigError(e.what());
  }
  relay_ = std::make_unique<notify::Relay>(store::DbUrl::parse(cfg_.database.url), std::move(sink));
  notifier_ = notify::make_outbox_notifier(*writer_, relay_.get());
  spdlog::info("notifications and events go through the outbox to {}", relay_->stats().sink);
  audit_ = std::make_unique<store::AuditChain>(*writer_);

  web::ApiOptions aopts;
  aopts.auth.otp_ttl = cfg_.risk.otp_ttl;
  aopts.auth.idle_timeout = cfg_.session.idle_timeout;
  aopts.auth.absolute_timeout = cfg_.session.absolute_timeout;
  api_ = std::make_unique<web::Api>(trading_, *engine_, book_, reference_, *writer_, *audit_,
                                    *notifier_, aopts);
  auto router = std::make_shared<http::Router>();
  api_->register_routes(*router);
  // The admin terminal: staff logins are checked on a thread of their own (Argon2id).
  authenticator_ = std::make_unique<staff::Authenticator>(store::DbUrl::parse(cfg_.database.url));
  web::AdminOptions adopts;
  adopts.outbox_depth = [this] { return relay_ ? relay_->stats().depth : 0; };
  admin_api_ = std::make_unique<web::AdminApi>(trading_, *api_, *failover_, *jobs_, *authenticator_,
                                               store::DbUrl::parse(cfg_.database.url),
                                               cfg_.admin.allow_from, adopts);
  admin_api_->register_routes(*router);
  auto files = std::make_shared<http::StaticFiles>(cfg_.http.static_dir);
  spdlog::info("web UI: {} files from {}", files->file_count(), cfg_.http.static_dir.string());
  router->set_fallback([files](const http::Request& req, http::Responder res) {
    res.send(files->serve(req));
  });
  net::post(trading_, [this] {
    api_->start();
    admin_api_->start();
  });

  http::TlsOptions tls;
  tls.cert_file = cfg_.http.tls_cert;
  tls.key_file = cfg_.http.tls_key;
  tls.self_signed_dir = std::filesystem::path("var/tls");
  tls.host = cfg_.http.listen.host;
  if (tls.cert_file.empty()) {
    spdlog::warn("http.tls_cert not set: using a self-signed certificate from {} (browsers will "
                 "warn; configure a real certificate in production)",
                 tls.self_signed_dir.string());
  }
  auto ctx = std::make_shared<net::ssl::context>(http::make_tls_context(tls));

  http::ServerOptions hopts;
  hopts.listen = net::ip::tcp::endpoint(net::ip::make_address(cfg_.http.listen.host),
                                        cfg_.http.listen.port);
  hopts.idle_timeout = cfg_.http.idle_timeout;
  hopts.max_connections = cfg_.http.max_connections;
  http_metrics_ = std::make_shared<http::HttpMetrics>();
  https_ = std::make_unique<http::Server>(ioc_, ctx, router, http_metrics_, hopts);
  https_->start();
  spdlog::info("investor site listening on https://{} (public URL {})", cfg_.http.listen.to_string(),
               cfg_.http.public_url);
}

void Server::start_metrics() {
  auto router = std::make_shared<http::Router>();
  router->add_async(http::Verb::get, "/metrics", [this](const http::Request&, http::Responder res) {
    net::post(trading_, [this, res = std::move(res)]() mutable {
      auto out = http::Response{http::Status::ok, 11};
      out.set(boost::beast::http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
      out.body() = render_metrics();
      out.prepare_payload();
      res.send(std::move(out));
    });
  });
  http::ServerOptions mopts;
  mopts.listen = net::ip::tcp::endpoint(net::ip::make_address(cfg_.metrics.listen.host),
                                        cfg_.metrics.listen.port);
  mopts.max_connections = 64;
  metrics_ = std::make_unique<http::Server>(ioc_, nullptr, router,
                                            std::make_shared<http::HttpMetrics>(), mopts);
  metrics_->start();
  spdlog::info("metrics on http://{}/metrics", cfg_.metrics.listen.to_string());
}

std::string Server::render_metrics() const {
  std::string out;
  out.reserve(16 * 1024);
  const auto gauge = [&out](std::string_view name, std::string_view help, auto value) {
    out += fmt::format("# HELP {} {}\n# TYPE {} gauge\n{} {}\n", name, help, name, name, value);
  };
  const auto counter = [&out](std::string_view name, std::string_view help, auto value) {
    out += fmt::format("# HELP {} {}\n# TYPE {} counter\n{} {}\n", name, help, name, name, value);
  };
  out += "# HELP irra_mode 1 for the service's current mode.\n# TYPE irra_mode gauge\n";
  for (const char* m : {"standby", "active", "recovery"}) {
    out += fmt::format("irra_mode{{mode=\"{}\"}} {}\n", m, engine_->mode() == m ? 1 : 0);
  }
  if (failover_) failover_->render_prometheus(out);
  const auto es = engine_->stats();
  counter("irra_feed_reports_applied_total", "Execution reports applied to the mirror.",
          es.reports_applied);
  counter("irra_feed_reports_duplicate_total", "Execution reports seen before (same ExecID).",
          es.reports_duplicate);
  counter("irra_feed_reports_refused_total", "Execution reports the mirror refused.",
          es.reports_refused);
  counter("irra_orders_placed_total", "Backup orders placed.", es.orders_placed);
  counter("irra_orders_sent_total", "NewOrderSingle messages sent.", es.orders_sent);
  counter("irra_cancels_sent_total", "OrderCancelRequest messages sent.", es.cancels_sent);
  gauge("irra_order_send_queue", "Orders waiting for the order-entry session or the rate limit.",
        es.send_queue);
  const auto ws = writer_->stats();
  gauge("irra_db_write_backlog", "Database writes accepted and not yet committed.", ws.backlog);
  gauge("irra_db_healthy", "1 when the database accepts writes.", ws.healthy ? 1 : 0);
  gauge("irra_db_stalled",
        "1 while a database call has not answered for database.write_stall_ms.",
        ws.stalled ? 1 : 0);
  counter("irra_db_write_refused_total", "Database writes refused (the backlog was full).",
          ws.refused);
  counter("irra_db_batch_failures_total", "Write batches the database failed (then retried).",
          ws.batch_failures);
  out += "# HELP irra_db_commit_duration_seconds Time to commit one batch of writes.\n"
         "# TYPE irra_db_commit_duration_seconds histogram\n";
  {
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < store::writer_latency_bounds_us.size(); ++i) {
      cumulative += ws.latency_buckets[i];
      out += fmt::format("irra_db_commit_duration_seconds_bucket{{le=\"{}\"}} {}\n",
                         static_cast<double>(store::writer_latency_bounds_us[i]) / 1e6, cumulative);
    }
    cumulative += ws.latency_buckets.back();
    out += fmt::format("irra_db_commit_duration_seconds_bucket{{le=\"+Inf\"}} {}\n", cumulative);
    out += fmt::format("irra_db_commit_duration_seconds_sum {}\n",
                       static_cast<double>(ws.latency_sum_us) / 1e6);
    out += fmt::format("irra_db_commit_duration_seconds_count {}\n", ws.latency_count);
  }
  // Orders in the mirror by status (main-site and backup), and the FIX sessions' counters
  // (messages, sequence gaps, resends, rejects) per session.
  {
    std::map<std::string_view, std::uint64_t> by_status;
    for (const char* st : {"PENDING", "OPEN", "PARTIALLY_FILLED", "FILLED", "CANCELLED",
                           "REJECTED", "EXPIRED"}) {
      by_status[st] = 0;
    }
    for (const auto& o : book_.orders()) ++by_status[domain::to_string(o.status)];
    out += "# HELP irra_orders Orders in today's mirror by status.\n# TYPE irra_orders gauge\n";
    for (const auto& [st, n] : by_status) {
      out += fmt::format("irra_orders{{status=\"{}\"}} {}\n", st, n);
    }
  }
  if (links_) {
    const auto sessions = links_->statuses();
    fixnet::render_prometheus(sessions, out);
  }
  gauge("irra_web_sessions", "Investor web sessions.", api_ ? api_->session_count() : 0);
  gauge("irra_web_streams", "Open live-update streams.", api_ ? api_->stream_count() : 0);
  gauge("irra_staff_sessions", "Staff (admin terminal) sessions.",
        admin_api_ ? admin_api_->session_count() : 0);
  gauge("irra_staff_streams", "Open admin live feeds.", admin_api_ ? admin_api_->stream_count() : 0);
  // Today's bulk square-off jobs by state, and the positions of unfinished ones still to send.
  if (jobs_) {
    std::map<std::string, std::uint64_t> by_state{{"running", 0}, {"paused", 0}, {"cancelled", 0}, {"done", 0}};
    std::int64_t unsent = 0;
    for (const auto& j : jobs_->jobs()) {
      const auto state = j.value("state", "");
      ++by_state[state];
      if (state == "running" || state == "paused") unsent += j.value("total", 0) - j.value("sent", 0);
    }
    out += "# HELP irra_bulk_jobs Today's bulk square-off jobs by state.\n# TYPE irra_bulk_jobs gauge\n";
    for (const auto& [st, n] : by_state) out += fmt::format("irra_bulk_jobs{{state=\"{}\"}} {}\n", st, n);
    gauge("irra_bulk_positions_unsent", "Positions of unfinished bulk jobs not yet sent.", unsent);
  }
  if (relay_) notify::render_prometheus(relay_->stats(), out);
  if (http_metrics_) http_metrics_->render_prometheus(out);
  return out;
}

void Server::start_watchdog() {
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return;
  // Ping at half the period: the ping proves the reactor itself is turning.
  watchdog_interval_ = std::chrono::microseconds(usec / 2);
  spdlog::info("systemd watchdog enabled: pinging every {} ms", watchdog_interval_.count() / 1000);
  struct Tick {
    Server* self;
    void operator()(const boost::system::error_code& ec) const {
      if (ec) return;
      sd_notify(0, "WATCHDOG=1");
      self->watchdog_.expires_after(self->watchdog_interval_);
      self->watchdog_.async_wait(*this);
    }
  };
  sd_notify(0, "WATCHDOG=1");
  watchdog_.expires_after(watchdog_interval_);
  watchdog_.async_wait(Tick{this});
}

}  // namespace irra::app
