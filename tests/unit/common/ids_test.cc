#include "streamstack/common/ids.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace streamstack {
namespace {

TEST(IdsTest, UuidV4HasVersionAndVariant) {
  std::regex shape("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = NewUuidV4();
    EXPECT_TRUE(std::regex_match(id, shape)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(IdsTest, RandomHexLength) {
  EXPECT_EQ(RandomHex(16).size(), 32u);
  EXPECT_EQ(RandomHex(4).find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST(IdsTest, Base64RoundTrip) {
  struct Case {
    std::string raw, encoded;
  };
  for (const Case& c : std::vector<Case>{{"", ""},
                                         {"f", "Zg=="},
                                         {"fo", "Zm8="},
                                         {"foo", "Zm9v"},
                                         {std::string("\0\xff", 2), "AP8="}}) {
    EXPECT_EQ(Base64Encode(c.raw), c.encoded);
    std::string decoded;
    ASSERT_TRUE(Base64Decode(c.encoded, &decoded)) << c.encoded;
    EXPECT_EQ(decoded, c.raw);
  }
  std::string out;
  EXPECT_FALSE(Base64Decode("abc", &out));
  EXPECT_FALSE(Base64Decode("ab!=", &out));
  EXPECT_FALSE(Base64Decode("a=bc", &out));
}

TEST(IdsTest, DigestsMatchKnownVectors) {
  EXPECT_EQ(HexEncode(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Md5Hex("hello"), "5d41402abc4b2a76b9719d911017c592");
}

TEST(IdsTest, TimestampFormats) {
  int64_t ms = 1573690429717;  // 2019-11-14T00:13:49.717Z
  EXPECT_EQ(FormatIso8601Millis(ms), "2019-11-14T00:13:49.717Z");
  EXPECT_EQ(FormatIso8601Seconds(ms), "2019-11-14T00:13:49Z");
  EXPECT_EQ(FormatLambdaTimestamp(ms), "2019-11-14T00:13:49.717+0000");
}

TEST(IdsTest, Arns) {
  AccountScope s{"us-east-2", "123456789012"};
  EXPECT_EQ(arn::Table(s, "t"), "arn:aws:dynamodb:us-east-2:123456789012:table/t");
  EXPECT_EQ(arn::Stream(s, "t", "2019-06-10T19:26:16.525"),
            "arn:aws:dynamodb:us-east-2:123456789012:table/t/stream/2019-06-10T19:26:16.525");
  EXPECT_EQ(arn::Function(s, "f"), "arn:aws:lambda:us-east-2:123456789012:function:f");
  EXPECT_EQ(arn::EventSourceMapping(s, "u"),
            "arn:aws:lambda:us-east-2:123456789012:event-source-mapping:u");
  EXPECT_EQ(arn::Queue(s, "q"), "arn:aws:sqs:us-east-2:123456789012:q");
  EXPECT_EQ(arn::Topic(s, "t"), "arn:aws:sns:us-east-2:123456789012:t");
}

}  // namespace
}  // namespace streamstack
