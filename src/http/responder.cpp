#include "irra/http/responder.hpp"

namespace irra::http {

Responder& Responder::operator=(Responder&& other) noexcept {
  if (this != &other) {
    if (sink_) sink_->deliver(standard_error(Status::internal_server_error));
    sink_ = std::move(other.sink_);
  }
  return *this;
}

Responder::~Responder() {
  if (sink_) {
    // A handler dropped its responder: answer rather than leave the connection hanging.
    try {
      sink_->deliver(standard_error(Status::internal_server_error));
    } catch (...) {
    }
  }
}

void Responder::send(Response&& response) {
  if (!sink_) return;  // already answered: a second answer would desynchronise the stream
  auto sink = std::move(sink_);
  sink_.reset();
  sink->deliver(std::move(response));
}

std::shared_ptr<EventStream> Responder::start_stream(Response&& head) {
  if (!sink_) return nullptr;
  auto sink = std::move(sink_);
  sink_.reset();
  return sink->start_stream(std::move(head));
}

}  // namespace irra::http
