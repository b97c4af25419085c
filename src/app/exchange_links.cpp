#include "exchange_links.hpp"

#include <spdlog/spdlog.h>

#include <string>

#include "irra/domain/enums.hpp"
#include "irra/fix/messages.hpp"
#include "irra/fix/tags.hpp"

namespace irra::app {
namespace {

// "NSE:RELIANCE" -> {"RELIANCE", "NSE"}.
fix::instrument_ref split_instrument(std::string_view id) {
  const auto colon = id.find(':');
  if (colon == std::string_view::npos) return {id, {}};
  return {id.substr(colon + 1), id.substr(0, colon)};
}

char fix_side(domain::Side s) { return s == domain::Side::buy ? '1' : '2'; }

}  // namespace

// Drop copy and order entry: ExecutionReports to the engine; every other application
// message only advances the persisted sequence number.
class ExchangeLinks::ReportHandler final : public fix::session_handler {
 public:
  ReportHandler(trading::Engine& engine, std::string name, std::function<void()> on_logon = {})
      : engine_(engine), name_(std::move(name)), on_logon_(std::move(on_logon)) {}

  void on_application(const fix::message& m, std::uint64_t seq) override {
    if (m.msg_type() == "8") {
      fix::execution_report er;
      if (const auto r = fix::decode(m, er); r.ok()) {
        engine_.on_execution_report(name_, seq, er);
        return;
      } else {
        spdlog::error("{}: ExecutionReport seq {} not applied: {}", name_, seq, r.describe());
      }
    } else if (m.msg_type() == "9") {
      fix::order_cancel_reject rej;
      if (fix::decode(m, rej).ok()) {
        spdlog::warn("{}: cancel of {} rejected: {}", name_, rej.orig_cl_ord_id, rej.text);
      }
    }
    engine_.on_session_seq(name_, seq + 1);
  }
  void on_logon() override {
    spdlog::info("{}: logged on", name_);
    if (on_logon_) on_logon_();
  }
  void on_logout(std::string_view text) override { spdlog::info("{}: logged out: {}", name_, text); }
  void on_event(fix::session_event e, std::string_view detail) override {
    spdlog::info("{}: {} {}", name_, fix::to_string(e), detail);
  }

 private:
  trading::Engine& engine_;
  std::string name_;
  std::function<void()> on_logon_;
};

// Market data: subscribes to every instrument of the day at logon and keeps the last
// traded prices in the mirror.
class ExchangeLinks::MarketDataHandler final : public fix::session_handler {
 public:
  MarketDataHandler(domain::Book& book, std::function<void()> on_logon)
      : book_(book), on_logon_(std::move(on_logon)) {}

  void on_application(const fix::message& m, std::uint64_t) override {
    if (m.msg_type() == "W") {
      fix::market_data_snapshot snap;
      if (fix::decode(m, snap).ok() && snap.last_price) {
        std::string id(snap.security_exchange);
        id.append(":").append(snap.symbol);
        book_.set_ltp(id, *snap.last_price);
      }
    } else if (m.msg_type() == "Y") {
      spdlog::warn("market_data: a subscription was refused");
    }
  }
  void on_logon() override { on_logon_(); }

 private:
  domain::Book& book_;
  std::function<void()> on_logon_;
};

// The engine's orders as NewOrderSingle / OrderCancelRequest on the order-entry session.
class ExchangeLinks::OrderEntrySender final : public trading::OrderSender {
 public:
  explicit OrderEntrySender(std::shared_ptr<fixnet::Initiator>& oe) : oe_(oe) {}

  bool ready() const override { return oe_ && oe_->can_send(); }

  void send_new_order(const domain::Order& o) override {
    const auto ref = split_instrument(o.instrument_id);
    fix::new_order_single m;
    m.cl_ord_id = o.cl_ord_id;
    m.account = o.ucc;
    m.symbol = ref.symbol;
    m.security_exchange = ref.security_exchange;
    m.product = domain::to_string(o.product);
    m.side = fix_side(o.side);
    m.order_qty = o.qty;
    m.ord_type = o.order_type == domain::OrderType::limit ? '2' : '1';
    if (o.order_type == domain::OrderType::limit) m.price = o.price;
    m.transact_time = oe_->now().utc;
    if (oe_->send_application("D", [&](fix::writer& w) { return fix::encode_body(w, m); }) == 0) {
      spdlog::error("order_entry: NewOrderSingle {} could not be sent", o.cl_ord_id);
    }
  }

  void send_cancel(const domain::Order& o, std::string_view cancel_cl_ord_id) override {
    const auto ref = split_instrument(o.instrument_id);
    fix::order_cancel_request m;
    m.orig_cl_ord_id = o.cl_ord_id.empty() ? std::string_view(o.order_id) : o.cl_ord_id;
    m.cl_ord_id = cancel_cl_ord_id;
    m.order_id = o.exchange_order_id.empty() && o.source == domain::OrderSource::main
                     ? std::string_view(o.order_id)
                     : std::string_view(o.exchange_order_id);
    m.account = o.ucc;
    m.symbol = ref.symbol;
    m.security_exchange = ref.security_exchange;
    m.side = fix_side(o.side);
    m.order_qty = o.qty;
    m.transact_time = oe_->now().utc;
    if (oe_->send_application("F", [&](fix::writer& w) { return fix::encode_body(w, m); }) == 0) {
      spdlog::error("order_entry: OrderCancelRequest {} could not be sent", cancel_cl_ord_id);
    }
  }

 private:
  std::shared_ptr<fixnet::Initiator>& oe_;
};

ExchangeLinks::ExchangeLinks(boost::asio::any_io_executor strand,
                             const config::ExchangeConfig& cfg, trading::Engine& engine,
                             domain::Book& book)
    : strand_(std::move(strand)), cfg_(cfg), engine_(engine), book_(book) {
  dc_handler_ = std::make_unique<ReportHandler>(engine_, "DC");
  oe_handler_ =
      std::make_unique<ReportHandler>(engine_, "OE", [this] { engine_.on_order_session_ready(); });
  md_handler_ = std::make_unique<MarketDataHandler>(book_, [this] {
    std::vector<fix::instrument_ref> refs;
    refs.reserve(book_.instruments().size());
    for (const auto& i : book_.instruments()) refs.push_back({i.symbol, i.exchange});
    if (refs.empty()) return;
    fix::market_data_request req{"irra-ltp", refs};
    md_->send_application("V", [&](fix::writer& w) { return fix::encode_body(w, req); });
  });
  sender_ = std::make_unique<OrderEntrySender>(oe_);

  dc_ = make(cfg_.drop_copy, "DC", engine_.session("DC"), *dc_handler_, false);
  oe_ = make(cfg_.order_entry, "OE", engine_.session("OE"), *oe_handler_, true);
  md_ = make(cfg_.market_data, "MD", md_store_, *md_handler_, false);
  engine_.set_order_sender(sender_.get());
}

ExchangeLinks::~ExchangeLinks() { engine_.set_order_sender(nullptr); }

std::shared_ptr<fixnet::Initiator> ExchangeLinks::make(const config::FixSessionConfig& session,
                                                       std::string name,
                                                       fix::message_store& store,
                                                       fix::session_handler& handler,
                                                       bool barrier) {
  auto o = fixnet::options_from_config(cfg_, session, name);
  const bool persisted = &store != &md_store_;
  if (persisted) {
    auto& st = engine_.session(name);
    if (barrier) o.durable_out_seq = [&st] { return st.durable_out_seq(); };
    o.on_sequence_numbers = [this, name](std::uint64_t in, std::uint64_t out) {
      engine_.on_session_seq(name, in, out);
    };
  }
  o.on_phase = [this, name](fixnet::initiator_phase p) {
    engine_.set_session_status(name, std::string(fixnet::to_string(p)));
  };
  auto initiator = fixnet::Initiator::create(strand_, std::move(o), store, handler);
  if (persisted) {
    auto& st = engine_.session(name);
    if (barrier) {
      st.on_durable([w = std::weak_ptr<fixnet::Initiator>(initiator)](std::uint64_t) {
        if (auto p = w.lock()) p->durability_advanced();
      });
    }
    initiator->restore(st.next_in_seq(), st.next_out_seq());
    // The first logon of an exchange day resets both sides' sequence numbers.
    if (st.next_in_seq() == 1 && st.next_out_seq() == 1) initiator->request_sequence_reset();
  } else {
    initiator->request_sequence_reset();
  }
  return initiator;
}

void ExchangeLinks::start() {
  dc_->start();
  oe_->start();
  md_->start();
}

void ExchangeLinks::stop(std::function<void()> done) {
  auto remaining = std::make_shared<int>(3);
  auto one = [remaining, done = std::move(done)] {
    if (--*remaining == 0 && done) done();
  };
  dc_->stop(one);
  oe_->stop(one);
  md_->stop(one);
}

std::vector<fixnet::initiator_status> ExchangeLinks::statuses() const {
  return {dc_->status(), oe_->status(), md_->status()};
}

}  // namespace irra::app
