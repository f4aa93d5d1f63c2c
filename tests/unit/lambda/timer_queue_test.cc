#include "lambda/timer_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <vector>

namespace streamstack::lambda {
namespace {

TEST(TimerQueueTest, RunsInDeadlineOrder) {
  TimerQueue timers;
  std::mutex mu;
  std::vector<int> order;
  auto push = [&](int v) {
    return [&, v] {
      std::lock_guard<std::mutex> lock(mu);
      order.push_back(v);
    };
  };
  timers.Schedule(std::chrono::milliseconds(30), push(3));
  timers.Schedule(std::chrono::milliseconds(0), push(1));
  timers.Schedule(std::chrono::milliseconds(10), push(2));
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  timers.Drain();
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

TEST(TimerQueueTest, StopDropsPendingAndLaterSchedules) {
  std::atomic<int> ran{0};
  TimerQueue timers;
  timers.Schedule(std::chrono::hours(1), [&] { ++ran; });
  timers.Stop();
  timers.Schedule(std::chrono::milliseconds(0), [&] { ++ran; });
  timers.Stop();
  EXPECT_EQ(ran.load(), 0);
}

}  // namespace
}  // namespace streamstack::lambda
