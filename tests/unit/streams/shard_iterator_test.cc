#include "streams/shard_iterator.h"

#include <gtest/gtest.h>

namespace streamstack::streams {
namespace {

TEST(ShardIteratorTest, RoundTrips) {
  const ShardIteratorPosition positions[] = {
      {1, 1, 0, 0}, {7, 42, 123456789, 1718047576525}, {INT64_MAX, INT64_MAX, INT64_MAX, 1}};
  for (const auto& p : positions) {
    std::string text = EncodeShardIterator(p);
    EXPECT_LE(text.size(), 2048u);
    auto back = DecodeShardIterator(text);
    ASSERT_TRUE(back.has_value()) << text;
    EXPECT_EQ(back->stream_id, p.stream_id);
    EXPECT_EQ(back->shard_rowid, p.shard_rowid);
    EXPECT_EQ(back->after_sequence, p.after_sequence);
    EXPECT_EQ(back->issued_ms, p.issued_ms);
  }
}

TEST(ShardIteratorTest, RejectsAnythingElse) {
  std::string good = EncodeShardIterator({3, 4, 5, 6});
  std::string flipped = good;
  flipped[4] = flipped[4] == 'x' ? 'y' : 'x';
  for (const std::string& bad : {std::string(), std::string("abc"), std::string("====="), flipped,
                                 good.substr(1), good + "AAAA", std::string(3000, 'A')}) {
    EXPECT_FALSE(DecodeShardIterator(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace streamstack::streams
