#include "streamstack/common/status.h"

#include <gtest/gtest.h>

#include "streamstack/common/clock.h"
#include "streamstack/common/metrics.h"

namespace streamstack {
namespace {

Status FailsWhen(bool fail) {
  if (fail) return ValidationError("bad");
  return Status::Ok();
}

Status Chain(bool fail) {
  STREAMSTACK_RETURN_IF_ERROR(FailsWhen(fail));
  return Status(AwsError::kInternalFailure, "reached");
}

Result<int> HalfOf(int n) {
  if (n % 2 != 0) return ValidationError("odd");
  return n / 2;
}

// Two steps through the macro: the declaration form, then assignment to an existing name.
Result<int> QuarterOf(int n) {
  STREAMSTACK_ASSIGN_OR_RETURN(int half, HalfOf(n));
  int quarter = 0;
  STREAMSTACK_ASSIGN_OR_RETURN(quarter, HalfOf(half));
  return quarter;
}

Status CheckQuarter(int n) {
  STREAMSTACK_ASSIGN_OR_RETURN(auto q, QuarterOf(n));
  return q > 0 ? Status::Ok() : Status(AwsError::kInternalFailure, "not positive");
}

TEST(StatusTest, AssignOrReturn) {
  EXPECT_EQ(*QuarterOf(8), 2);
  EXPECT_EQ(QuarterOf(6).status().message(), "odd");  // the second step fails
  EXPECT_EQ(QuarterOf(3).status().message(), "odd");  // the first step fails
  EXPECT_TRUE(CheckQuarter(4).ok());
  EXPECT_EQ(CheckQuarter(2).code(), AwsError::kValidation);
  EXPECT_EQ(CheckQuarter(0).code(), AwsError::kInternalFailure);
}

TEST(StatusTest, OkAndError) {
  EXPECT_TRUE(Status::Ok().ok());
  Status s = ValidationError("nope");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), AwsError::kValidation);
  EXPECT_EQ(s.message(), "nope");
  s.WithDetails({{"Item", 1}});
  EXPECT_EQ(s.details()["Item"], 1);
}

TEST(StatusTest, ReturnIfError) {
  EXPECT_EQ(Chain(true).code(), AwsError::kValidation);
  EXPECT_EQ(Chain(false).code(), AwsError::kInternalFailure);
}

TEST(ResultTest, ValueOrStatus) {
  Result<int> v = 42;
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, 42);
  EXPECT_TRUE(v.status().ok());
  Result<int> e = Status(AwsError::kResourceNotFound, "gone");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), AwsError::kResourceNotFound);
  Result<std::string> moved = std::string("abc");
  std::string taken = std::move(moved).value();
  EXPECT_EQ(taken, "abc");
}

TEST(ClockTest, OffsetClockMovesOnlyForward) {
  OffsetClock clock(SystemTime(std::chrono::milliseconds(1000)));
  EXPECT_EQ(clock.NowMillis(), 1000);
  clock.Advance(Millis(500));
  EXPECT_EQ(clock.NowMillis(), 1500);
  clock.Advance(Millis(-100));
  EXPECT_EQ(clock.NowMillis(), 1500);
  EXPECT_DOUBLE_EQ(clock.NowEpochSeconds(), 1.5);
}

TEST(MetricsTest, PrometheusText) {
  MetricsRegistry registry;
  Counter* c = registry.GetCounter("requests_total", {{"service", "dynamodb"}}, "Requests.");
  c->Add(3);
  EXPECT_EQ(registry.GetCounter("requests_total", {{"service", "dynamodb"}}), c);
  registry.GetGauge("iterator_age_ms", {{"uuid", "u\"1"}})->Set(250);
  Histogram* h = registry.GetHistogram("latency_seconds", {});
  h->Observe(0.0002);
  h->Observe(2.0);
  std::string text = registry.RenderPrometheus();
  EXPECT_NE(text.find("# HELP requests_total Requests.\n# TYPE requests_total counter\n"
                      "requests_total{service=\"dynamodb\"} 3\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("iterator_age_ms{uuid=\"u\\\"1\"} 250"), std::string::npos) << text;
  EXPECT_NE(text.find("latency_seconds_bucket{le=\"0.00025\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("latency_seconds_bucket{le=\"+Inf\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("latency_seconds_count 2\n"), std::string::npos) << text;
  registry.Remove("iterator_age_ms", "uuid", "u\"1");
  EXPECT_EQ(registry.RenderPrometheus().find("u\\\"1"), std::string::npos);
}

}  // namespace
}  // namespace streamstack
