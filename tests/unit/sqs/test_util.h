// Helpers for sqs unit tests: a temp dir, a Store on a real SQLite file, and a way to
// wait for an async done callback.
#pragma once

#include <gtest/gtest.h>

#include "support/temp_dir.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <string>

#include "streamstack/common/status.h"
#include "streamstack/storage/store.h"

namespace streamstack::sqs::test_util {

using test_support::TempDir;

inline std::unique_ptr<storage::Store> OpenStore(const std::string& path) {
  storage::StoreOptions options;
  options.path = path;
  auto store = storage::Store::Open(options);
  EXPECT_TRUE(store.ok()) << store.status().message();
  return std::move(store).value();
}

// Calls fn(done) and waits for done's argument.
template <typename T, typename Fn>
T Await(Fn&& fn) {
  auto promise = std::make_shared<std::promise<T>>();
  auto future = promise->get_future();
  fn([promise](T value) { promise->set_value(std::move(value)); });
  if (future.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
    ADD_FAILURE() << "callback never came";
    std::abort();
  }
  return future.get();
}

}  // namespace streamstack::sqs::test_util
