// Store::DoneOn::kCompletionThread: a write's `done` runs off the writer thread, after every
// OnCommit of its group, in submission order, and Close() runs every one before it returns.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "streamstack/storage/store.h"

namespace streamstack::storage {
namespace {

std::unique_ptr<Store> OpenInMemory() {
  StoreOptions options;
  options.in_memory = true;
  auto store = Store::Open(options);
  EXPECT_TRUE(store.ok());
  return std::move(store).value();
}

TEST(StoreCompletionTest, DoneRunsOffTheWriterAfterItsGroupsOnCommits) {
  auto store = OpenInMemory();
  constexpr int kJobs = 200;
  std::mutex mu;
  std::vector<int> order;
  std::atomic<int> committed{0};
  std::atomic<bool> done_on_writer{false};
  std::atomic<bool> done_before_commit{false};
  std::atomic<std::thread::id> writer{};
  std::promise<void> all_done;
  for (int i = 0; i < kJobs; ++i) {
    store->Write(
        [&, i](WriteContext& ctx) {
          writer = std::this_thread::get_id();
          ctx.OnCommit([&committed] { ++committed; });
          (void)i;
          return Status::Ok();
        },
        [&, i](Status st) {
          EXPECT_TRUE(st.ok());
          if (std::this_thread::get_id() == writer.load()) done_on_writer = true;
          if (committed.load() < i + 1) done_before_commit = true;
          std::lock_guard lock(mu);
          order.push_back(i);
          if (static_cast<int>(order.size()) == kJobs) all_done.set_value();
        },
        Store::DoneOn::kCompletionThread);
  }
  all_done.get_future().wait();
  EXPECT_FALSE(done_on_writer);
  EXPECT_FALSE(done_before_commit);
  for (int i = 0; i < kJobs; ++i) EXPECT_EQ(order[i], i);
  EXPECT_TRUE(store->Close().ok());
}

TEST(StoreCompletionTest, FailedJobsAndWriterDonesKeepTheirContract) {
  auto store = OpenInMemory();
  std::promise<Status> failed;
  std::promise<std::thread::id> writer_done;
  std::atomic<std::thread::id> writer{};
  store->Write([](WriteContext&) { return Status(AwsError::kValidation, "no"); },
               [&](Status st) { failed.set_value(st); }, Store::DoneOn::kCompletionThread);
  store->Write(
      [&](WriteContext&) {
        writer = std::this_thread::get_id();
        return Status::Ok();
      },
      [&](Status) { writer_done.set_value(std::this_thread::get_id()); });
  EXPECT_EQ(failed.get_future().get().message(), "no");
  // Wait first: the two sides of EXPECT_EQ may be evaluated in either order.
  const std::thread::id done_on = writer_done.get_future().get();
  EXPECT_EQ(done_on, writer.load());  // the default: the writer thread
  EXPECT_TRUE(store->Close().ok());
}

TEST(StoreCompletionTest, CloseRunsEveryQueuedDone) {
  auto store = OpenInMemory();
  std::atomic<int> done{0};
  for (int i = 0; i < 1000; ++i) {
    store->Write([](WriteContext&) { return Status::Ok(); }, [&done](Status) { ++done; },
                 Store::DoneOn::kCompletionThread);
  }
  EXPECT_TRUE(store->Close().ok());
  EXPECT_EQ(done.load(), 1000);
  // Closed: the done runs at once on the caller's thread with the closed error.
  std::thread::id ran_on;
  store->Write([](WriteContext&) { return Status::Ok(); },
               [&](Status st) {
                 EXPECT_FALSE(st.ok());
                 ran_on = std::this_thread::get_id();
               },
               Store::DoneOn::kCompletionThread);
  EXPECT_EQ(ran_on, std::this_thread::get_id());
}

TEST(StoreCompletionTest, CloseFromTheCompletionThreadIsRefused) {
  auto store = OpenInMemory();
  std::promise<Status> closed;
  store->Write([](WriteContext&) { return Status::Ok(); },
               [&](Status) { closed.set_value(store->Close()); }, Store::DoneOn::kCompletionThread);
  EXPECT_EQ(closed.get_future().get().code(), AwsError::kInternalFailure);
  EXPECT_TRUE(store->Close().ok());
}

}  // namespace
}  // namespace streamstack::storage
