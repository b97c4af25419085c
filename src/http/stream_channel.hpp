// The EventStream a session hands out: a bounded byte queue between the threads that send
// events and the connection that writes them. The connection takes everything queued in
// one batch per write, so a burst of events costs one write (one TLS record run).
//
// Thread rule: the EventStream members are for any thread; take(), written(), end() and
// detach() are for the connection (its strand, or its destructor). One mutex guards the
// state, held only to append, swap, read flags or post; callbacks never run under it.
// The channel holds the connection's strand only while the connection exists, so a handle
// may outlive the connection and its io_context.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>

#include "irra/http/event_stream.hpp"

namespace irra::http {

class StreamChannel final : public EventStream {
 public:
  struct Batch {
    std::string bytes;
    bool close_requested = false;
  };

  // `wake` is posted to `strand` when the connection has something to do (it must hold the
  // connection weakly); `strand` also runs the on_close callback.
  StreamChannel(boost::asio::any_io_executor strand, std::size_t backlog_limit,
                std::function<void()> wake);

  bool send(std::string bytes) override;
  void close() override;
  bool is_open() const override;
  void on_close(std::function<void()> callback) override;

  // Connection side. take() returns everything queued (counted as in flight until
  // written()) and re-arms the wake-up.
  Batch take();
  void written(std::size_t bytes);
  bool overflowed() const;
  // The stream is over: later sends fail and the on_close callback is posted. Idempotent.
  void end();
  // The connection is being destroyed: forget its strand. A stream not ended by then (the
  // io_context dropped the connection's handlers) ends without running its callback; a
  // callback set after this runs at once in the caller's thread, there being no strand left.
  void detach();

 private:
  const std::size_t backlog_limit_;
  const std::function<void()> wake_;

  mutable std::mutex mutex_;
  boost::asio::any_io_executor strand_;  // GUARDED_BY(mutex_); empty once detached
  std::string queue_;                    // GUARDED_BY(mutex_)
  std::size_t in_flight_ = 0;            // GUARDED_BY(mutex_)
  bool wake_pending_ = false;       // GUARDED_BY(mutex_): a take() is due; no further wake needed
  bool close_requested_ = false;    // GUARDED_BY(mutex_)
  bool overflowed_ = false;         // GUARDED_BY(mutex_)
  bool ended_ = false;              // GUARDED_BY(mutex_)
  std::function<void()> on_close_;  // GUARDED_BY(mutex_)
};

}  // namespace irra::http
