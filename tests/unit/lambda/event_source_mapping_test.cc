#include "streamstack/lambda/event_source_mapping.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace streamstack::lambda {
namespace {

using test_util::NewFunction;
using test_util::Wait;

constexpr const char* kStream =
    "arn:aws:dynamodb:us-east-1:000000000000:table/orders/stream/2019-06-10T19:26:16.525";

CreateMappingInput NewMapping(const std::string& function = "fn",
                              const std::string& stream = kStream) {
  CreateMappingInput in;
  in.event_source_arn = stream;
  in.starting_position = "LATEST";
  in.settings.function_name = function;
  return in;
}

// Every recorded answer that needs no lookup and that the input model cannot give (the model's
// own answers, reached through the REST adapter, are pinned in lambda_api_test.cc).
TEST(ValidateCreateMappingTest, RecordedAnswersAndBoundaries) {
  struct Case {
    const char* what;
    std::function<void(CreateMappingInput&)> edit;
    AwsError code;
    std::string message;
  };
  using I = CreateMappingInput;
  const AwsError kOk = AwsError::kOk, kIpv = AwsError::kInvalidParameterValue;
  std::vector<Case> cases = {
      {"defaults", [](I&) {}, kOk, ""},
      {"no starting position", [](I& i) { i.starting_position.reset(); }, kIpv,
       "1 validation error detected: Value null at 'startingPosition' failed to satisfy "
       "constraint: Member must not be null."},
      {"AT_TIMESTAMP", [](I& i) { i.starting_position = "AT_TIMESTAMP"; }, kIpv,
       std::string("Unsupported starting position for arn type: ") + kStream},
      {"TRIM_HORIZON", [](I& i) { i.starting_position = "TRIM_HORIZON"; }, kOk, ""},
      {"filter not JSON",
       [](I& i) { i.settings.filter_patterns = std::vector<std::string>{"{not json"}; }, kIpv,
       "Invalid filter pattern definition."},
      {"filter JSON array",
       [](I& i) { i.settings.filter_patterns = std::vector<std::string>{"[1]"}; }, kIpv,
       "Invalid filter pattern definition."},
      {"five filters",
       [](I& i) { i.settings.filter_patterns = std::vector<std::string>(5, "{\"a\":[1]}"); }, kOk,
       ""},
      {"six filters",
       [](I& i) { i.settings.filter_patterns = std::vector<std::string>(6, "{\"a\":[1]}"); }, kIpv,
       "Invalid filter criteria. The maximum number of filters is 5."},
      {"OnSuccess", [](I& i) { i.settings.on_success_given = true; }, kIpv,
       "Unsupported DestinationConfig parameter for given event source mapping type."},
      {"OnFailure SQS",
       [](I& i) { i.settings.on_failure_destination = "arn:aws:sqs:us-east-1:000000000000:dlq"; },
       kOk, ""},
      {"OnFailure SNS",
       [](I& i) { i.settings.on_failure_destination = "arn:aws:sns:us-east-1:000000000000:t"; },
       kOk, ""},
      {"OnFailure S3", [](I& i) { i.settings.on_failure_destination = "arn:aws:s3:::bucket"; },
       kIpv,
       "S3 bucket on-failure destinations are not supported by StreamStack yet (use an SQS "
       "queue or SNS topic ARN): arn:aws:s3:::bucket"},
      {"response types",
       [](I& i) {
         i.settings.function_response_types = std::vector<std::string>{"ReportBatchItemFailures"};
       },
       kOk, ""},
      {"not a stream",
       [](I& i) { i.event_source_arn = "arn:aws:dynamodb:us-east-1:000000000000:table/orders"; },
       kIpv,
       "Unrecognized event source, must be kinesis, dynamodb stream or sqs. Unsupported "
       "source arn : arn:aws:dynamodb:us-east-1:000000000000:table/orders"},
      {"record age 0", [](I& i) { i.settings.maximum_record_age_in_seconds = 0; }, kIpv,
       "MaximumRecordAgeInSeconds must be either -1 (forever) or between 60 and 604800 "
       "(inclusive)"},
      {"record age 59", [](I& i) { i.settings.maximum_record_age_in_seconds = 59; }, kIpv,
       "MaximumRecordAgeInSeconds must be either -1 (forever) or between 60 and 604800 "
       "(inclusive)"},
  };
  cases.push_back(
      {"record age 60", [](I& i) { i.settings.maximum_record_age_in_seconds = 60; }, kOk, ""});
  for (const auto& c : cases) {
    CreateMappingInput in = NewMapping();
    c.edit(in);
    Status s = ValidateCreateMapping(in);
    EXPECT_EQ(s.code(), c.code) << c.what << ": " << s.message();
    EXPECT_EQ(s.message(), c.message) << c.what;
    // Update validates the same settings with the same answers (StartingPosition aside).
    if (c.message.find("tartingPosition") == std::string::npos &&
        c.message.find("starting position") == std::string::npos &&
        c.message.find("event source") == std::string::npos) {
      Status u = ValidateMappingSettings(in.settings);
      EXPECT_EQ(u.code(), c.code) << "update " << c.what;
      EXPECT_EQ(u.message(), c.message) << "update " << c.what;
    }
  }
}

TEST(StreamArnTest, RecognisesDynamoDbStreams) {
  EXPECT_TRUE(IsDynamoDbStreamArn(kStream));
  EXPECT_FALSE(IsDynamoDbStreamArn("arn:aws:dynamodb:us-east-1:000000000000:table/orders"));
  EXPECT_FALSE(IsDynamoDbStreamArn("arn:aws:kinesis:us-east-1:000000000000:stream/s"));
  EXPECT_FALSE(IsDynamoDbStreamArn("arn:aws:dynamodb:us-east-1:123:table/orders/stream/x"));
  EXPECT_FALSE(IsDynamoDbStreamArn("arn:aws:dynamodb:us-east-1:000000000000:table/ab/stream/x"));
}

class MappingsTest : public ::testing::Test {
 protected:
  void Start(std::chrono::milliseconds delay) {
    store_ = test_util::MemoryStore();
    functions_ = std::make_unique<Functions>(*store_, clock_, AccountScope{});
    ASSERT_TRUE(functions_->Open().ok());
    for (const char* n : {"fn", "other"}) {
      ASSERT_TRUE(Wait<Function>([&](auto cb) { functions_->Create(NewFunction(n), cb); }).ok());
    }
    mappings_ = std::make_unique<EventSourceMappings>(*store_, clock_, *functions_, catalog_,
                                                      MappingOptions{delay});
    mappings_->SetObserver(&observer_);
    ASSERT_TRUE(mappings_->Open().ok());
  }
  Result<EventSourceMapping> Create(CreateMappingInput in) {
    return Wait<EventSourceMapping>([&](auto cb) { mappings_->Create(std::move(in), cb); });
  }
  Result<EventSourceMapping> Update(const std::string& uuid, MappingSettings s) {
    return Wait<EventSourceMapping>([&](auto cb) { mappings_->Update(uuid, std::move(s), cb); });
  }
  Result<EventSourceMapping> Delete(const std::string& uuid) {
    return Wait<EventSourceMapping>([&](auto cb) { mappings_->Delete(uuid, cb); });
  }
  // Lets the timer settle what is due and the writer commit it.
  void Settle() {
    mappings_->TEST_DrainTimers();
    ASSERT_TRUE(store_->WriteSync([](storage::WriteContext&) { return Status::Ok(); }).ok());
  }
  std::string State(const std::string& uuid) {
    auto m = mappings_->Get(uuid);
    return m.ok() ? MappingStateName(m->state) : m.status().message();
  }

  OffsetClock clock_{SystemTime(std::chrono::milliseconds(1560209851963))};
  test_util::SetCatalog catalog_;
  test_util::RecordingObserver observer_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<Functions> functions_;
  std::unique_ptr<EventSourceMappings> mappings_;
};

TEST_F(MappingsTest, CreateAnswersCreatingWithAwsDefaults) {
  Start(std::chrono::milliseconds(0));
  auto m = Create(NewMapping());
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->state, MappingState::kCreating);
  EXPECT_EQ(m->batch_size, 100);
  EXPECT_EQ(m->maximum_batching_window_in_seconds, 0);
  EXPECT_EQ(m->parallelization_factor, 1);
  EXPECT_EQ(m->maximum_record_age_in_seconds, -1);
  EXPECT_EQ(m->maximum_retry_attempts, -1);
  EXPECT_EQ(m->tumbling_window_in_seconds, 0);
  EXPECT_FALSE(m->bisect_batch_on_function_error);
  EXPECT_EQ(m->last_processing_result, "No records processed");
  EXPECT_EQ(m->state_transition_reason, "User action");
  EXPECT_EQ(m->function_arn, "arn:aws:lambda:us-east-1:000000000000:function:fn");
  EXPECT_EQ(m->arn, "arn:aws:lambda:us-east-1:000000000000:event-source-mapping:" + m->uuid);
  EXPECT_EQ(State(m->uuid), "Enabled");
}

TEST_F(MappingsTest, LookupAnswers) {
  Start(std::chrono::milliseconds(0));
  auto missing_fn = Create(NewMapping("nope"));
  EXPECT_EQ(missing_fn.status().code(), AwsError::kInvalidParameterValue);
  EXPECT_EQ(missing_fn.status().message(), "Function does not exist");
  std::string missing_stream =
      "arn:aws:dynamodb:us-east-1:000000000000:table/missing/stream/2019-06-10T19:26:16.525";
  auto no_stream = Create(NewMapping("fn", missing_stream));
  EXPECT_EQ(no_stream.status().code(), AwsError::kInvalidParameterValue);
  EXPECT_EQ(no_stream.status().message(), "Stream not found: " + missing_stream);

  auto first = Create(NewMapping("fn"));
  ASSERT_TRUE(first.ok());
  auto twice = Create(NewMapping("fn"));
  EXPECT_EQ(twice.status().code(), AwsError::kResourceConflict);
  EXPECT_EQ(twice.status().message(),
            std::string("The event source arn (\" ") + kStream +
                " \") and function (\" fn \") provided mapping already exists. Please update or "
                "delete the existing mapping with UUID " +
                first->uuid);
  EXPECT_TRUE(Create(NewMapping("other")).ok()) << "a second function on the same stream";

  for (auto r : {mappings_->Get("0f0e0d0c-0000-4000-8000-000000000000")}) {
    EXPECT_EQ(r.status().code(), AwsError::kResourceNotFound);
    EXPECT_EQ(r.status().message(), "The resource you requested does not exist.");
  }
  EXPECT_EQ(Update("nope", {}).status().code(), AwsError::kResourceNotFound);
  EXPECT_EQ(Delete("nope").status().code(), AwsError::kResourceNotFound);
  // Moving the first mapping onto "other" would map (other, stream) twice.
  MappingSettings move;
  move.function_name = "other";
  EXPECT_EQ(Update(first->uuid, move).status().code(), AwsError::kResourceConflict);
}

TEST_F(MappingsTest, TransitionsSettleOnTheClock) {
  Start(std::chrono::milliseconds(60000));
  auto m = Create(NewMapping());
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(State(m->uuid), "Creating");
  clock_.Advance(std::chrono::milliseconds(60000));
  EXPECT_EQ(State(m->uuid), "Enabled");

  MappingSettings disable;
  disable.enabled = false;
  EXPECT_EQ(MappingStateName(Update(m->uuid, disable)->state), std::string("Disabling"));
  clock_.Advance(std::chrono::milliseconds(60000));
  EXPECT_EQ(State(m->uuid), "Disabled");

  MappingSettings batch;
  batch.batch_size = 5;
  EXPECT_EQ(MappingStateName(Update(m->uuid, batch)->state), std::string("Updating"));
  clock_.Advance(std::chrono::milliseconds(60000));
  EXPECT_EQ(State(m->uuid), "Disabled") << "Updating a disabled mapping leaves it disabled";

  MappingSettings enable;
  enable.enabled = true;
  EXPECT_EQ(MappingStateName(Update(m->uuid, enable)->state), std::string("Enabling"));
  EXPECT_EQ(State(m->uuid), "Enabling");
  clock_.Advance(std::chrono::milliseconds(60000));
  EXPECT_EQ(State(m->uuid), "Enabled");
  EXPECT_EQ(mappings_->Get(m->uuid)->batch_size, 5);

  EXPECT_EQ(MappingStateName(Delete(m->uuid)->state), std::string("Deleting"));
  EXPECT_EQ(State(m->uuid), "Deleting");
  clock_.Advance(std::chrono::milliseconds(60000));
  EXPECT_EQ(State(m->uuid), "The resource you requested does not exist.");
  EXPECT_TRUE(mappings_->List("", "", "", 100)->mappings.empty());
}

TEST_F(MappingsTest, CreateDisabledSettlesDisabled) {
  Start(std::chrono::milliseconds(0));
  auto in = NewMapping();
  in.settings.enabled = false;
  auto m = Create(in);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->state, MappingState::kCreating);
  EXPECT_EQ(State(m->uuid), "Disabled");
}

TEST_F(MappingsTest, ObserverSeesEveryCommittedState) {
  Start(std::chrono::milliseconds(0));
  auto m = Create(NewMapping());
  ASSERT_TRUE(m.ok());
  Settle();
  MappingSettings disable;
  disable.enabled = false;
  ASSERT_TRUE(Update(m->uuid, disable).ok());
  Settle();
  ASSERT_TRUE(Delete(m->uuid).ok());
  Settle();
  const std::string& u = m->uuid;
  EXPECT_EQ(observer_.events(),
            (std::vector<std::string>{u + " Creating", u + " Enabled", u + " Disabling",
                                      u + " Disabled", u + " Deleting", u + " deleted"}));
}

TEST_F(MappingsTest, ListFiltersAndPages) {
  Start(std::chrono::milliseconds(0));
  std::string stream2 = "arn:aws:dynamodb:us-east-1:000000000000:table/items/stream/label";
  std::vector<std::string> uuids;
  for (auto [fn, stream] : std::vector<std::pair<std::string, std::string>>{
           {"fn", kStream}, {"other", kStream}, {"fn", stream2}, {"other", stream2}}) {
    auto m = Create(NewMapping(fn, stream));
    ASSERT_TRUE(m.ok());
    uuids.push_back(m->uuid);
  }
  auto by_fn = mappings_->List("arn:aws:lambda:us-east-1:000000000000:function:fn", "", "", 100);
  ASSERT_EQ(by_fn->mappings.size(), 2u);
  EXPECT_EQ(by_fn->mappings[0].uuid, uuids[0]);
  EXPECT_EQ(by_fn->mappings[1].uuid, uuids[2]);
  EXPECT_EQ(mappings_->List("other", stream2, "", 100)->mappings.size(), 1u);
  EXPECT_EQ(mappings_->List("", stream2, "", 100)->mappings.size(), 2u);
  EXPECT_TRUE(mappings_->List("ghost", "", "", 100)->mappings.empty());

  std::vector<std::string> seen;
  std::string marker;
  do {
    auto page = mappings_->List("", "", marker, 3);
    ASSERT_TRUE(page.ok());
    for (const auto& m : page->mappings) seen.push_back(m.uuid);
    marker = page->next_marker;
  } while (!marker.empty());
  EXPECT_EQ(seen, uuids);
  EXPECT_EQ(mappings_->List("", "", "!!", 3).status().code(), AwsError::kInvalidParameterValue);
}

TEST_F(MappingsTest, EngineApiAndTags) {
  Start(std::chrono::milliseconds(0));
  auto m = Create(NewMapping());
  ASSERT_TRUE(m.ok());
  std::promise<Status> p1;
  mappings_->SetLastProcessingResult(m->uuid, kProcessingFunctionCallFailed,
                                     [&](Status s) { p1.set_value(s); });
  ASSERT_TRUE(p1.get_future().get().ok());
  EXPECT_EQ(mappings_->Get(m->uuid)->last_processing_result, "PROBLEM: Function call failed");

  std::promise<Status> p2;
  mappings_->PutCheckpoint(m->uuid, "shardId-1", "000100", [&](Status s) { p2.set_value(s); });
  ASSERT_TRUE(p2.get_future().get().ok());
  std::promise<Status> p3;
  mappings_->PutCheckpoint(m->uuid, "shardId-1", "000200", [&](Status s) { p3.set_value(s); });
  ASSERT_TRUE(p3.get_future().get().ok());
  EXPECT_EQ(mappings_->GetCheckpoint(m->uuid, "shardId-1")->value(), "000200");
  EXPECT_FALSE(mappings_->GetCheckpoint(m->uuid, "shardId-2")->has_value());
  ASSERT_EQ(mappings_->ListCheckpoints(m->uuid)->size(), 1u);

  ASSERT_TRUE(Wait<bool>([&](auto cb) {
                mappings_->TagResource(m->arn, {{"team", "a"}}, cb);
              }).ok());
  EXPECT_EQ(mappings_->ListTags(m->arn).value(), (Tags{{"team", "a"}}));
  ASSERT_TRUE(Wait<bool>([&](auto cb) { mappings_->UntagResource(m->arn, {"team"}, cb); }).ok());
  EXPECT_TRUE(mappings_->ListTags(m->arn)->empty());
  EXPECT_EQ(mappings_->ListTags(m->arn + "0").status().code(), AwsError::kResourceNotFound);

  ASSERT_TRUE(Delete(m->uuid).ok());
  Settle();
  EXPECT_TRUE(mappings_->ListCheckpoints(m->uuid)->empty()) << "deleted with the mapping";
}

TEST(MappingsPersistenceTest, MappingsStateAndCheckpointsSurviveReopen) {
  std::string path = ::testing::TempDir() + "lambda_mappings_" + NewUuidV4() + ".db";
  SystemClock clock;
  test_util::SetCatalog catalog;
  std::string uuid;
  {
    auto store = storage::Store::Open({.path = path});
    ASSERT_TRUE(store.ok());
    Functions functions(**store, clock, AccountScope{});
    ASSERT_TRUE(functions.Open().ok());
    ASSERT_TRUE(Wait<Function>([&](auto cb) { functions.Create(NewFunction("fn"), cb); }).ok());
    EventSourceMappings mappings(**store, clock, functions, catalog);
    ASSERT_TRUE(mappings.Open().ok());
    auto in = NewMapping();
    in.settings.enabled = false;
    in.settings.batch_size = 7;
    auto m = Wait<EventSourceMapping>([&](auto cb) { mappings.Create(in, cb); });
    ASSERT_TRUE(m.ok());
    uuid = m->uuid;
    std::promise<Status> p;
    mappings.PutCheckpoint(uuid, "shardId-9", "42", [&](Status s) { p.set_value(s); });
    ASSERT_TRUE(p.get_future().get().ok());
    mappings.Stop();
    ASSERT_TRUE((*store)->Close().ok());
  }
  auto store = storage::Store::Open({.path = path});
  ASSERT_TRUE(store.ok());
  Functions functions(**store, clock, AccountScope{});
  ASSERT_TRUE(functions.Open().ok());
  EventSourceMappings mappings(**store, clock, functions, catalog);
  ASSERT_TRUE(mappings.Open().ok());
  auto m = mappings.Get(uuid);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->state, MappingState::kDisabled);
  EXPECT_EQ(m->batch_size, 7);
  EXPECT_EQ(mappings.GetCheckpoint(uuid, "shardId-9")->value(), "42");
  mappings.Stop();
  ASSERT_TRUE((*store)->Close().ok());
  std::remove(path.c_str());
}

}  // namespace
}  // namespace streamstack::lambda
