// The server's three FIX sessions with the exchange (drop copy, order entry, market data),
// wired to the trading engine: reports go to the engine, the engine's orders go out on
// order entry behind the durability barrier, last traded prices go into the mirror.
//
// Thread rule: everything here runs on the trading strand, like the engine.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "irra/config/config.hpp"
#include "irra/fix/message_store.hpp"
#include "irra/fix/session_state.hpp"
#include "irra/fixnet/initiator.hpp"
#include "irra/trading/engine.hpp"
#include "irra/trading/order_sender.hpp"

namespace irra::app {

class ExchangeLinks {
 public:
  ExchangeLinks(boost::asio::any_io_executor strand, const config::ExchangeConfig& cfg,
                trading::Engine& engine, domain::Book& book);
  ~ExchangeLinks();

  void start();
  // Logs out of every session (bounded by the initiators' own deadlines), then calls done.
  void stop(std::function<void()> done);
  std::vector<fixnet::initiator_status> statuses() const;

 private:
  class ReportHandler;
  class MarketDataHandler;
  class OrderEntrySender;

  std::shared_ptr<fixnet::Initiator> make(const config::FixSessionConfig& session,
                                          std::string name, fix::message_store& store,
                                          fix::session_handler& handler, bool barrier);

  boost::asio::any_io_executor strand_;
  const config::ExchangeConfig& cfg_;
  trading::Engine& engine_;
  domain::Book& book_;
  fix::memory_message_store md_store_;  // market data sends no orders worth re-sending
  std::unique_ptr<ReportHandler> dc_handler_;
  std::unique_ptr<ReportHandler> oe_handler_;
  std::unique_ptr<MarketDataHandler> md_handler_;
  std::unique_ptr<OrderEntrySender> sender_;
  std::shared_ptr<fixnet::Initiator> dc_;
  std::shared_ptr<fixnet::Initiator> oe_;
  std::shared_ptr<fixnet::Initiator> md_;
};

}  // namespace irra::app
