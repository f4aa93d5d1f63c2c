#include "esm/checkpoint_tracker.h"

#include <gtest/gtest.h>

namespace streamstack::esm {
namespace {

TEST(CheckpointTrackerTest, StartsAtTheStoredCheckpoint) {
  CheckpointTracker t(40);
  EXPECT_EQ(t.committed(), 40);
  EXPECT_TRUE(t.empty());
  EXPECT_FALSE(t.Advance(40));  // nothing read: stays
  EXPECT_FALSE(t.Advance(30));  // never moves back
  EXPECT_EQ(t.committed(), 40);
}

TEST(CheckpointTrackerTest, MovesPastTheLeadingDoneRecordsOnly) {
  CheckpointTracker t;
  for (int64_t s : {10, 11, 12, 13}) t.Read(s, false);
  EXPECT_FALSE(t.Advance(13));
  EXPECT_EQ(t.committed(), 0);

  t.MarkDone(12);  // a later record done first (another lane) holds nothing up...
  EXPECT_FALSE(t.Advance(13));
  EXPECT_EQ(t.committed(), 0);  // ...but the checkpoint waits for 10 and 11
  EXPECT_EQ(t.in_flight(), 4u);

  t.MarkDone(10);
  EXPECT_TRUE(t.Advance(13));
  EXPECT_EQ(t.committed(), 10);
  EXPECT_EQ(t.in_flight(), 3u);

  t.MarkDone(11);
  EXPECT_TRUE(t.Advance(13));
  EXPECT_EQ(t.committed(), 12);  // 11 and the 12 done before it
  EXPECT_EQ(t.in_flight(), 1u);

  t.MarkDone(13);
  EXPECT_TRUE(t.Advance(13));
  EXPECT_EQ(t.committed(), 13);
  EXPECT_TRUE(t.empty());
}

TEST(CheckpointTrackerTest, FilteredRecordsAreDoneWhenRead) {
  // AWS: records that match no filter are dropped and checkpointed past.
  CheckpointTracker t(5);
  t.Read(6, true);
  t.Read(7, true);
  t.Read(8, false);
  t.Read(9, true);
  EXPECT_TRUE(t.Advance(9));
  EXPECT_EQ(t.committed(), 7);
  t.MarkDone(8);
  EXPECT_TRUE(t.Advance(9));
  EXPECT_EQ(t.committed(), 9);
}

TEST(CheckpointTrackerTest, WithNothingInFlightTheCheckpointFollowsThePosition) {
  // A read that found the shard has nothing more moves the position past the last record
  // (to the watermark); with every record done, the checkpoint goes there too.
  CheckpointTracker t(3);
  EXPECT_TRUE(t.Advance(20));
  EXPECT_EQ(t.committed(), 20);

  t.Read(21, false);
  EXPECT_FALSE(t.Advance(25));  // a record in flight holds the checkpoint below it
  EXPECT_EQ(t.committed(), 20);
  t.MarkDone(21);
  EXPECT_TRUE(t.Advance(25));
  EXPECT_EQ(t.committed(), 25);
}

TEST(CheckpointTrackerTest, UnknownSequencesAreIgnored) {
  CheckpointTracker t;
  t.Read(10, false);
  t.Read(12, false);
  t.MarkDone(11);  // never read
  t.MarkDone(9);
  t.MarkDone(99);
  EXPECT_FALSE(t.Advance(12));
  EXPECT_EQ(t.committed(), 0);
  EXPECT_EQ(t.in_flight(), 2u);
}

TEST(CheckpointTrackerTest, ClearForgetsWhatWasInFlight) {
  // A reset reads again from the checkpoint; answers for the records read before it are
  // ignored.
  CheckpointTracker t;
  for (int64_t s : {1, 2, 3}) t.Read(s, false);
  t.MarkDone(1);
  EXPECT_TRUE(t.Advance(3));
  t.Clear();
  EXPECT_TRUE(t.empty());
  EXPECT_EQ(t.committed(), 1);
  t.MarkDone(2);  // a stale answer
  EXPECT_FALSE(t.Advance(1));
  EXPECT_EQ(t.committed(), 1);
  t.Read(2, false);
  EXPECT_FALSE(t.Advance(2));
  t.MarkDone(2);
  EXPECT_TRUE(t.Advance(2));
  EXPECT_EQ(t.committed(), 2);
}

}  // namespace
}  // namespace streamstack::esm
