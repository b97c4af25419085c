// A long-lived streaming response (Server-Sent Events): the handle a handler gets from
// Responder::start_stream() and keeps to push events to one connection. The connection
// writes what is queued in order; the stream ends when the peer closes, the server stops,
// close() is called or the client reads too slowly (the backlog limit).
//
// Thread rule: every member may be called from any thread. The on_close callback runs on
// the connection's strand, so it must not block. The handle may outlive the connection and
// its io_context; a callback set after the connection is destroyed runs at once in the
// caller's thread (there is no strand left to post to).
#pragma once

#include <functional>
#include <string>

namespace irra::http {

class EventStream {
 public:
  virtual ~EventStream() = default;
  // Queues bytes already in SSE form. Any thread. False (and nothing queued) once the stream
  // has ended: peer closed, server stopping, close() called, or the unsent backlog exceeded the
  // limit (a slow consumer: the stream is then closed, the client reconnects and re-reads).
  virtual bool send(std::string bytes) = 0;
  // Ends the stream after what is queued is written.
  virtual void close() = 0;
  virtual bool is_open() const = 0;
  // Runs exactly once when the stream ends for any reason, on the connection's strand;
  // if the stream already ended, runs at once (posted). Replaces a previous callback.
  virtual void on_close(std::function<void()> callback) = 0;
};

}  // namespace irra::http
