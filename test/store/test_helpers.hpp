// Small tools for driving the writer thread from tests.
#pragma once

#include <chrono>
#include <future>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "irra/store/writer.hpp"

namespace irra::store::test {

// Holds the writer thread inside a job until released, so later jobs queue up behind it
// and run as one batch.
struct Gate {
  std::promise<void> started;
  std::promise<void> release;
  WriteJob job() {
    return [this, rel = release.get_future().share()](soci::session&) {
      started.set_value();
      rel.wait();
    };
  }
  void wait_started() { started.get_future().wait(); }
  void open() { release.set_value(); }
};

// Completion results in the order they arrived.
struct Log {
  std::mutex mutex;
  std::vector<std::pair<int, WriteResult>> entries;
  WriteCompletion record(int id) {
    return [this, id](const WriteResult& r) {
      std::lock_guard lock(mutex);
      entries.emplace_back(id, r);
    };
  }
};

template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

}  // namespace irra::store::test
