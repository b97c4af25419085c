// irra-quickfix-exchange: a tiny exchange written against QuickFIX (Debian's
// libquickfix-dev), so that IRRA's FIX initiator is tested against an independent engine.
//
//   irra-quickfix-exchange PORT [LOG_DIR]
//
// One SocketAcceptor on PORT (QuickFIX 1.15 binds every interface; the tests use
// 127.0.0.1) with two FIX 4.4 sessions: EXCH-OE (order entry) and EXCH-DC (drop copy),
// both with TargetCompID IRRA, in-memory stores, no data dictionary (fields are read
// generically). It prints "READY" once listening and "LOGON <SenderCompID>" /
// "LOGOUT <SenderCompID>" as sessions come and go; SIGTERM or SIGINT stops it.
//
// Order entry, as interfaces.md section 5 describes the exchange:
//  - NewOrderSingle: rejected (ExecType 8, Text 58, OrdRejReason 103) for a quantity that
//    is not positive (103=13), an unknown symbol (103=1) or a duplicate ClOrdID (103=6);
//    otherwise ExecutionReport New, then, for a market order or a limit order that
//    crosses the last price, a Trade at the last price (RELIANCE 2450.00, INFY 1500.50,
//    TCS 3400.00). Other limit orders rest.
//  - OrderCancelRequest: ExecutionReport Cancelled for a resting order, else
//    OrderCancelReject (434=1, 102=1 unknown order).
//  - Every ExecutionReport is copied onto the drop copy session when it is logged on.
// Fault injection, by ClOrdID prefix:
//  - "GAP-": the New report is stored but not sent (its sequence number is skipped), so
//    IRRA sees a gap at the Trade and must ResendRequest it; QuickFIX re-sends it.
//  - "RESEND-": after answering, the session forgets having received this order, so the
//    next message from IRRA makes QuickFIX send a ResendRequest; the re-sent order
//    (PossDupFlag=Y) is recognised by its ClOrdID and not executed twice.
//
// Written in C++14: QuickFIX 1.15's headers use dynamic exception specifications.
#include <quickfix/Application.h>
#include <quickfix/FileLog.h>
#include <quickfix/Message.h>
#include <quickfix/MessageStore.h>
#include <quickfix/Session.h>
#include <quickfix/SessionSettings.h>
#include <quickfix/SocketAcceptor.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>

namespace {

std::atomic<bool> stop_requested{false};

void on_signal(int) {
  stop_requested = true;
}

void say(const std::string& line) {
  std::cout << line << std::endl;  // flushed: the test may be waiting for it
}

// Decimal rupees to paise; false for anything but digits with up to two decimals.
bool parse_paise(const std::string& s, std::int64_t& out) {
  std::int64_t whole = 0;
  std::int64_t frac = 0;
  int frac_digits = 0;
  bool dot = false;
  bool any = false;
  for (char c : s) {
    if (c == '.' && !dot) {
      dot = true;
    } else if (c >= '0' && c <= '9') {
      any = true;
      if (dot) {
        if (++frac_digits > 2) {
          if (c != '0') return false;
          continue;
        }
        frac = frac * 10 + (c - '0');
      } else {
        if (whole > 1000000000000LL) return false;
        whole = whole * 10 + (c - '0');
      }
    } else {
      return false;
    }
  }
  if (!any) return false;
  if (frac_digits == 1) frac *= 10;
  out = whole * 100 + frac;
  return true;
}

std::string format_paise(std::int64_t paise) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%02lld", static_cast<long long>(paise / 100),
                static_cast<long long>(paise % 100));
  return buf;
}

std::string utc_now() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d%02d%02d-%02d:%02d:%02d.%03d", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

std::string get(const FIX::FieldMap& m, int tag) {
  return m.isSetField(tag) ? m.getField(tag) : std::string();
}

bool starts_with(const std::string& s, const char* prefix) {
  return s.compare(0, std::char_traits<char>::length(prefix), prefix) == 0;
}

// Keeps a pointer to each session's store so that a message can be stored without
// being sent (the "GAP-" fault).
class store_factory : public FIX::MessageStoreFactory {
 public:
  FIX::MessageStore* create(const FIX::SessionID& id) override {
    auto* store = new FIX::MemoryStore();
    std::lock_guard<std::mutex> lock(mutex_);
    stores_[id.toString()] = store;
    return store;
  }
  void destroy(FIX::MessageStore* store) override {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto it = stores_.begin(); it != stores_.end(); ++it) {
      if (it->second == store) {
        stores_.erase(it);
        break;
      }
    }
    delete store;
  }
  FIX::MessageStore* find(const FIX::SessionID& id) {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto it = stores_.find(id.toString());
    return it == stores_.end() ? nullptr : it->second;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, FIX::MessageStore*> stores_;
};

struct order {
  std::string order_id;
  std::string cl_ord_id;
  std::string account, symbol, exchange, product, side, ord_type, price_text;
  std::int64_t qty = 0;
  std::int64_t price = 0;
  bool open = false;  // resting, cancellable
};

class exchange : public FIX::Application {
 public:
  explicit exchange(store_factory& stores) : stores_(stores) {}

  void onCreate(const FIX::SessionID&) override {}
  void onLogon(const FIX::SessionID& id) override {
    say("LOGON " + id.getSenderCompID().getString());
  }
  void onLogout(const FIX::SessionID& id) override {
    say("LOGOUT " + id.getSenderCompID().getString());
  }
  void toAdmin(FIX::Message&, const FIX::SessionID&) override {}
  void toApp(FIX::Message&, const FIX::SessionID&) throw(FIX::DoNotSend) override {}
  void fromAdmin(const FIX::Message&,
                 const FIX::SessionID&) throw(FIX::FieldNotFound, FIX::IncorrectDataFormat,
                                              FIX::IncorrectTagValue, FIX::RejectLogon) override {}

  void fromApp(const FIX::Message& m,
               const FIX::SessionID& id) throw(FIX::FieldNotFound, FIX::IncorrectDataFormat,
                                               FIX::IncorrectTagValue,
                                               FIX::UnsupportedMessageType) override {
    if (id.getSenderCompID().getString() != "EXCH-OE") throw FIX::UnsupportedMessageType();
    const std::string type = get(m.getHeader(), FIX::FIELD::MsgType);
    const bool poss_dup = get(m.getHeader(), FIX::FIELD::PossDupFlag) == "Y";
    std::lock_guard<std::mutex> lock(mutex_);
    if (type == "D") {
      new_order(m, id, poss_dup);
    } else if (type == "F") {
      cancel(m, id, poss_dup);
    } else {
      throw FIX::UnsupportedMessageType();
    }
    if (starts_with(get(m, 11), "RESEND-") && !poss_dup) {
      // Forget this message: QuickFIX will see the next one as a gap and ask again.
      if (FIX::Session* s = FIX::Session::lookupSession(id)) {
        // QuickFIX counts the message once fromApp returns: expect it again after that.
        s->setNextTargetMsgSeqNum(std::stoi(get(m.getHeader(), FIX::FIELD::MsgSeqNum)) - 1);
      }
    }
  }

 private:
  void new_order(const FIX::Message& m, const FIX::SessionID& id, bool poss_dup) {
    order o;
    o.cl_ord_id = get(m, 11);
    if (poss_dup && orders_.count(o.cl_ord_id) != 0) {
      say("DUPLICATE " + o.cl_ord_id);  // a re-sent order we already have
      return;
    }
    o.order_id = "ORD" + std::to_string(++order_counter_);
    o.account = get(m, 1);
    o.symbol = get(m, 55);
    o.exchange = get(m, 207);
    o.product = get(m, 5001);
    o.side = get(m, 54);
    o.ord_type = get(m, 40);
    o.price_text = get(m, 44);
    std::int64_t qty_paise = 0;  // the quantity parsed like a price: "10" or "10.0"
    const bool qty_ok = parse_paise(get(m, 38), qty_paise) && qty_paise % 100 == 0;
    o.qty = qty_ok ? qty_paise / 100 : 0;

    const auto last = last_price_.find(o.symbol);
    if (!qty_ok || o.qty <= 0) return reject(o, id, "quantity must be a positive whole number", 13);
    if (last == last_price_.end()) return reject(o, id, "unknown symbol " + o.symbol, 1);
    if (orders_.count(o.cl_ord_id) != 0) return reject(o, id, "duplicate ClOrdID", 6);
    const bool market = o.ord_type == "1";
    if (!market && !parse_paise(o.price_text, o.price)) {
      return reject(o, id, "limit order without a valid price", 99);
    }
    const bool buy = o.side == "1";
    const bool fills = market || (buy ? o.price >= last->second : o.price <= last->second);
    o.open = !fills;
    orders_[o.cl_ord_id] = o;

    FIX::Message ack = report(o, "0", "0", 0, 0, o.qty);
    if (starts_with(o.cl_ord_id, "GAP-")) {
      store_unsent(ack, id);
    } else {
      send(ack, id);
    }
    if (fills) {
      FIX::Message trade = report(o, "F", "2", o.qty, last->second, 0);
      trade.setField(32, std::to_string(o.qty));
      trade.setField(31, format_paise(last->second));
      send(trade, id);
    }
  }

  void cancel(const FIX::Message& m, const FIX::SessionID& id, bool poss_dup) {
    const std::string cl_ord_id = get(m, 11);
    const std::string orig = get(m, 41);
    if (poss_dup && cancels_.count(cl_ord_id) != 0) {
      say("DUPLICATE " + cl_ord_id);
      return;
    }
    cancels_.insert(cl_ord_id);
    const auto it = orders_.find(orig);
    if (it == orders_.end() || !it->second.open) {
      FIX::Message r;
      r.getHeader().setField(FIX::FIELD::MsgType, "9");
      r.setField(37, it == orders_.end() ? std::string("NONE") : it->second.order_id);
      r.setField(11, cl_ord_id);
      r.setField(41, orig);
      r.setField(39, it == orders_.end() ? "8" : "2");
      r.setField(434, "1");
      r.setField(102, it == orders_.end() ? "1" : "0");
      r.setField(58, it == orders_.end() ? "unknown order" : "too late to cancel");
      send(r, id);
      return;
    }
    order& o = it->second;
    o.open = false;
    FIX::Message r = report(o, "4", "4", 0, 0, 0);
    r.setField(11, cl_ord_id);
    r.setField(41, orig);
    send(r, id);
  }

  void reject(const order& o, const FIX::SessionID& id, const std::string& text, int reason) {
    order r = o;
    if (r.order_id.empty()) r.order_id = "NONE";
    FIX::Message m = report(r, "8", "8", 0, 0, 0);
    m.setField(58, text);
    m.setField(103, std::to_string(reason));
    send(m, id);
  }

  FIX::Message report(const order& o, const char* exec_type, const char* ord_status,
                      std::int64_t cum_qty, std::int64_t avg_px, std::int64_t leaves_qty) {
    FIX::Message m;
    m.getHeader().setField(FIX::FIELD::MsgType, "8");
    m.setField(37, o.order_id);
    m.setField(11, o.cl_ord_id);
    m.setField(17, "EX" + std::to_string(++exec_counter_));
    m.setField(150, exec_type);
    m.setField(39, ord_status);
    m.setField(1, o.account);
    m.setField(55, o.symbol);
    m.setField(207, o.exchange);
    m.setField(5001, o.product);
    m.setField(54, o.side);
    m.setField(38, std::to_string(o.qty));
    m.setField(40, o.ord_type);
    if (o.ord_type == "2" && o.price > 0) m.setField(44, format_paise(o.price));
    m.setField(14, std::to_string(cum_qty));
    m.setField(151, std::to_string(leaves_qty));
    m.setField(6, format_paise(avg_px));
    m.setField(59, "0");
    m.setField(60, utc_now());
    return m;
  }

  // Sends on order entry, and a copy on the drop copy when it is there.
  void send(FIX::Message& m, const FIX::SessionID& id) {
    FIX::Message copy = m;
    FIX::Session::sendToTarget(m, id);
    const FIX::SessionID dc(id.getBeginString(), FIX::SenderCompID("EXCH-DC"),
                            id.getTargetCompID());
    FIX::Session* s = FIX::Session::lookupSession(dc);
    if (s != nullptr && s->isLoggedOn()) FIX::Session::sendToTarget(copy, dc);
  }

  // Numbers and stores the message as if sent, without sending it.
  void store_unsent(FIX::Message& m, const FIX::SessionID& id) {
    FIX::Session* s = FIX::Session::lookupSession(id);
    FIX::MessageStore* store = stores_.find(id);
    if (s == nullptr || store == nullptr) return;
    const int seq = s->getExpectedSenderNum();
    FIX::Header& h = m.getHeader();
    h.setField(FIX::FIELD::BeginString, id.getBeginString().getString());
    h.setField(FIX::FIELD::SenderCompID, id.getSenderCompID().getString());
    h.setField(FIX::FIELD::TargetCompID, id.getTargetCompID().getString());
    h.setField(FIX::FIELD::MsgSeqNum, std::to_string(seq));
    h.setField(FIX::FIELD::SendingTime, utc_now());
    store->set(seq, m.toString());
    s->setNextSenderMsgSeqNum(seq + 1);
    say("SKIPPED " + std::to_string(seq));
  }

  store_factory& stores_;
  std::mutex mutex_;
  std::map<std::string, order> orders_;  // by ClOrdID
  std::set<std::string> cancels_;
  std::map<std::string, std::int64_t> last_price_{
      {"RELIANCE", 245000}, {"INFY", 150050}, {"TCS", 340000}};
  std::uint64_t order_counter_ = 0;
  std::uint64_t exec_counter_ = 0;
};

std::string settings_text(int port, const std::string& log_dir) {
  std::ostringstream s;
  s << "[DEFAULT]\n"
    << "ConnectionType=acceptor\n"
    << "SocketAcceptPort=" << port << "\n"
    << "SocketReuseAddress=Y\n"
    << "SocketNodelay=Y\n"
    << "StartTime=00:00:00\nEndTime=00:00:00\n"
    << "UseDataDictionary=N\n"
    << "ValidateUserDefinedFields=N\n"
    << "TimestampPrecision=3\n";
  if (!log_dir.empty()) s << "FileLogPath=" << log_dir << "\n";
  for (const char* sender : {"EXCH-OE", "EXCH-DC"}) {
    s << "[SESSION]\nBeginString=FIX.4.4\nSenderCompID=" << sender << "\nTargetCompID=IRRA\n";
  }
  return s.str();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::cerr << "usage: irra-quickfix-exchange PORT [LOG_DIR]\n";
    return 2;
  }
  const int port = std::atoi(argv[1]);
  if (port <= 0 || port > 65535) {
    std::cerr << "irra-quickfix-exchange: bad port " << argv[1] << "\n";
    return 2;
  }
  const std::string log_dir = argc == 3 ? argv[2] : "";
  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  try {
    std::istringstream text(settings_text(port, log_dir));
    FIX::SessionSettings settings(text);
    store_factory stores;
    exchange app(stores);
    std::unique_ptr<FIX::LogFactory> logs;
    if (!log_dir.empty()) logs.reset(new FIX::FileLogFactory(settings));
    std::unique_ptr<FIX::SocketAcceptor> acceptor(
        logs ? new FIX::SocketAcceptor(app, stores, settings, *logs)
             : new FIX::SocketAcceptor(app, stores, settings));
    acceptor->start();
    say("READY " + std::to_string(port));
    while (!stop_requested) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    acceptor->stop();
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "irra-quickfix-exchange: " << e.what() << "\n";
    return 1;
  }
}
