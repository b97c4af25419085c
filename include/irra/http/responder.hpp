// How a handler answers: once, now or later, from any thread; either with one response or
// by turning the connection into a stream (Server-Sent Events).
//
// Thread rule: a Responder is move-only and single-shot; send() and start_stream() may be
// called from any thread (they post to the connection's strand when needed). The connection
// stays open and reads no further request until the response is sent. Dropping a Responder
// without answering answers 500, so a forgotten path cannot hang a client.
#pragma once

#include <memory>

#include "irra/http/event_stream.hpp"
#include "irra/http/response.hpp"

namespace irra::http {

// Implemented by the server's sessions (and by tests and the fuzz target).
class ResponseSink {
 public:
  virtual ~ResponseSink() = default;
  virtual void deliver(Response&& response) = 0;
  // See Responder::start_stream.
  virtual std::shared_ptr<EventStream> start_stream(Response&& head) = 0;
};

class Responder {
 public:
  explicit Responder(std::shared_ptr<ResponseSink> sink) : sink_(std::move(sink)) {}
  Responder(Responder&&) noexcept = default;
  Responder& operator=(Responder&& other) noexcept;
  Responder(const Responder&) = delete;
  Responder& operator=(const Responder&) = delete;
  ~Responder();

  void send(Response&& response);
  // Answers with `head` (a 200 whose Content-Type the caller set, e.g. text/event-stream) and
  // turns the connection into a stream: the head goes out without Content-Length and with
  // Connection: close, then whatever is sent on the stream. A body in `head` is written
  // right after the header. Returns nullptr when the connection is already gone (or this
  // Responder has already answered).
  std::shared_ptr<EventStream> start_stream(Response&& head);
  bool sent() const { return sink_ == nullptr; }

 private:
  std::shared_ptr<ResponseSink> sink_;
};

}  // namespace irra::http
