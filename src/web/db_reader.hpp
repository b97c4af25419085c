// A thread of its own with its own database connection, for the admin terminal's reads that
// may take a while (audit search and CSV export), so they run neither on the reactor nor on
// the writer's thread (where they would delay what must become durable).
//
// Thread rule: run(), cancel() and stop() from any thread (stop() blocks: one thread at a
// time, never a strand); jobs run on the reader's thread, one at a time in order; their
// completions are posted to the executor given with each job.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "irra/store/database.hpp"

namespace soci {
class session;
}

namespace irra::web {

class DbReader {
 public:
  // Opens its connection on first use (and again after an error).
  explicit DbReader(store::DbUrl url, std::size_t capacity = 16);
  ~DbReader();  // stop()
  DbReader(const DbReader&) = delete;
  DbReader& operator=(const DbReader&) = delete;

  // Runs job(session) on the reader's thread, then posts done("") to `ex`, or done(message)
  // when the job threw. False (nothing runs) when the queue is full or stopping.
  bool run(std::function<void(soci::session&)> job, boost::asio::any_io_executor ex,
           std::function<void(std::string error)> done);
  // Drops the waiting jobs and refuses new ones; a job already running finishes and its
  // completion is posted. Never blocks (safe on a strand).
  void cancel();
  // cancel(), then joins the thread (not on a strand: a running job may take seconds).
  void stop();

 private:
  struct Item {
    std::function<void(soci::session&)> job;
    boost::asio::any_io_executor ex;
    std::function<void(std::string)> done;
  };
  void loop();

  store::DbUrl url_;
  std::size_t capacity_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Item> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace irra::web
