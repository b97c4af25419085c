#include "db_reader.hpp"

#include <soci/soci.h>
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <exception>

namespace irra::web {

DbReader::DbReader(store::DbUrl url, std::size_t capacity)
    : url_(std::move(url)), capacity_(capacity), thread_([this] { loop(); }) {}

DbReader::~DbReader() { stop(); }

bool DbReader::run(std::function<void(soci::session&)> job, boost::asio::any_io_executor ex,
                   std::function<void(std::string)> done) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= capacity_) return false;
    queue_.push_back(Item{std::move(job), std::move(ex), std::move(done)});
  }
  cv_.notify_one();
  return true;
}

void DbReader::cancel() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    queue_.clear();
  }
  cv_.notify_all();
}

void DbReader::stop() {
  cancel();
  if (thread_.joinable()) thread_.join();
}

void DbReader::loop() {
  std::unique_ptr<soci::session> sql;
  for (;;) {
    Item item;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      item = std::move(queue_.front());
      queue_.pop_front();
    }
    std::string error;
    try {
      if (!sql) sql = store::connect(url_);  // migrated at start; a reader never migrates
      item.job(*sql);
    } catch (const soci::soci_error& e) {
      error = e.what();
      sql.reset();  // reconnect for the next job
    } catch (const std::exception& e) {
      error = e.what();
    }
    if (!error.empty()) spdlog::warn("admin reader: {}", error);
    if (item.done) {
      boost::asio::post(item.ex, [done = std::move(item.done), error = std::move(error)]() mutable {
        done(std::move(error));
      });
    }
  }
}

}  // namespace irra::web
