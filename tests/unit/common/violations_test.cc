#include "streamstack/common/violations.h"

#include <gtest/gtest.h>

namespace streamstack {
namespace {

TEST(ViolationsTest, FormatsLikeAwsRequestValidation) {
  Violations none;
  EXPECT_TRUE(none.ToStatus().ok());

  Violations one;
  one.Range(0, "batchSize", 1, 10000);
  one.Range(5, "parallelizationFactor", 1, 10);  // in range: nothing
  Status s = one.ToStatus();
  EXPECT_EQ(s.code(), AwsError::kValidation);
  EXPECT_EQ(s.message(),
            "1 validation error detected: Value '0' at 'batchSize' failed to satisfy constraint: "
            "Member must have value greater than or equal to 1");

  Violations two;
  two.Enum(std::string("X"), "invocationType", {"Event", "RequestResponse", "DryRun"});
  two.NotNull(false, "role");
  EXPECT_EQ(two.ToStatus().message(),
            "2 validation errors detected: Value 'X' at 'invocationType' failed to satisfy "
            "constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]; "
            "Value null at 'role' failed to satisfy constraint: Member must not be null");
  EXPECT_EQ(two.ToStatus(AwsError::kInvalidParameterValue).code(),
            AwsError::kInvalidParameterValue);
}

TEST(ViolationsTest, Lengths) {
  Violations v;
  v.Length(std::string(257, 'd'), "description", 0, 256);
  EXPECT_NE(v.ToStatus().message().find("Member must have length less than or equal to 256"),
            std::string::npos);
}

TEST(ViolationsTest, Patterns) {
  Violations v;
  v.Pattern(std::string("a:b"), "logGroupName", "[\\.\\-_/#A-Za-z0-9]+", false);
  v.Pattern(std::string("ok"), "logStreamName", "[^:*]*", true);  // satisfied: nothing
  v.Pattern(std::nullopt, "logGroupNamePrefix", "[\\.\\-_/#A-Za-z0-9]+", false);  // absent
  EXPECT_EQ(v.ToStatus().message(),
            "1 validation error detected: Value 'a:b' at 'logGroupName' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+");
}

TEST(ViolationsTest, ValidationEnvelope) {
  EXPECT_EQ(
      InValidationEnvelope(ValidationError("ReturnValues can only be ALL_OLD or NONE")).message(),
      "1 validation error detected: ReturnValues can only be ALL_OLD or NONE");
  // Already counted, or not a ValidationException: unchanged.
  for (const char* counted : {"1 validation error detected: Value null at 'key' failed",
                              "12 validation errors detected: Value 'a' at 'b' failed"}) {
    EXPECT_EQ(InValidationEnvelope(ValidationError(counted)).message(), counted);
  }
  EXPECT_EQ(InValidationEnvelope(ValidationError("1 validation errors")).message(),
            "1 validation error detected: 1 validation errors");
  Status serialization(AwsError::kSerialization, "Unexpected value type");
  EXPECT_EQ(InValidationEnvelope(serialization).message(), "Unexpected value type");
  EXPECT_TRUE(InValidationEnvelope(Status::Ok()).ok());
}

}  // namespace
}  // namespace streamstack
