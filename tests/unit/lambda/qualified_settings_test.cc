// The per-qualifier settings of a function -- function URLs, event invoke configs,
// provisioned concurrency, resource policies: ResolveQualifier and the cache helpers on their
// own, then each setting's AWS words through Functions' public operations.
#include "lambda/qualified_settings.h"

#include <gtest/gtest.h>

#include "streamstack/lambda/function.h"
#include "test_util.h"

namespace streamstack::lambda {
namespace {

using test_util::NewFunction;
using test_util::Wait;

constexpr const char* kArn = "arn:aws:lambda:us-east-1:000000000000:function:";

// Function "fn" with version 1 and alias "live"; "ghost" does not exist.
FunctionLookup Table() {
  return FunctionLookup{
      .has_function = [](const std::string& fn) { return fn == "fn"; },
      .has_version = [](const std::string& fn,
                        const std::string& v) { return fn == "fn" && v == "1"; },
      .has_alias = [](const std::string& fn,
                      const std::string& alias) { return fn == "fn" && alias == "live"; },
      .arn_of = [](const std::string& fn) { return std::string(kArn) + fn; },
  };
}

FunctionName Name(const std::string& name, const std::string& qualifier = "") {
  return FunctionName{name, qualifier};
}

// Expected: "ok <qualifier as stored>" or "<AwsError as int> <message>".
std::string Outcome(const Result<FunctionName>& r) {
  if (r.ok()) return "ok " + r->qualifier;
  return std::to_string(static_cast<int>(r.status().code())) + " " + r.status().message();
}

std::string Error(AwsError code, const std::string& message) {
  return std::to_string(static_cast<int>(code)) + " " + message;
}

TEST(ResolveQualifierTest, DefaultRulesAnswerWhatIsMissing) {
  const std::string arn = std::string(kArn);
  struct Case {
    FunctionName name;
    std::string want;
  } cases[] = {
      {Name("fn"), "ok "},
      {Name("fn", "$LATEST"), "ok $LATEST"},
      {Name("fn", "1"), "ok 1"},
      {Name("fn", "live"), "ok live"},
      {Name("fn", "2"), Error(AwsError::kResourceNotFound, "Function not found: " + arn + "fn:2")},
      {Name("fn", "dev"),
       Error(AwsError::kResourceNotFound, "Cannot find alias arn: " + arn + "fn:dev")},
      // The function is looked for first.
      {Name("ghost"), Error(AwsError::kResourceNotFound, "Function not found: " + arn + "ghost")},
      {Name("ghost", "$LATEST"),
       Error(AwsError::kResourceNotFound, "Function not found: " + arn + "ghost")},
      {Name("ghost", "1"),
       Error(AwsError::kResourceNotFound, "Function not found: " + arn + "ghost")},
      {Name("ghost", "live"),
       Error(AwsError::kResourceNotFound, "Function not found: " + arn + "ghost")},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Outcome(ResolveQualifier(c.name, QualifierRules{}, Table())), c.want)
        << c.name.name << ":" << c.name.qualifier;
  }
}

TEST(ResolveQualifierTest, QualifierFirstNamesTheMissingVersionOrAlias) {
  const std::string arn = std::string(kArn);
  QualifierRules rules{.function_first = false};
  struct Case {
    FunctionName name;
    std::string want;
  } cases[] = {
      {Name("ghost", "1"),
       Error(AwsError::kResourceNotFound, "Function not found: " + arn + "ghost:1")},
      {Name("ghost", "live"),
       Error(AwsError::kResourceNotFound, "Cannot find alias arn: " + arn + "ghost:live")},
      // Without a version or alias there is only the function to name.
      {Name("ghost"), Error(AwsError::kResourceNotFound, "Function not found: " + arn + "ghost")},
      {Name("fn", "live"), "ok live"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Outcome(ResolveQualifier(c.name, rules, Table())), c.want)
        << c.name.name << ":" << c.name.qualifier;
  }
}

TEST(ResolveQualifierTest, RefusalsComeBeforeLookups) {
  Status unqualified(AwsError::kInvalidParameterValue, "none");
  Status latest(AwsError::kInvalidParameterValue, "latest");
  QualifierRules rules{.unqualified_refused = unqualified, .latest_refused = latest};
  int lookups = 0;
  FunctionLookup counting = Table();
  counting.has_function = [&](const std::string&) { return ++lookups, false; };
  EXPECT_EQ(Outcome(ResolveQualifier(Name("ghost"), rules, counting)),
            Error(AwsError::kInvalidParameterValue, "none"));
  EXPECT_EQ(Outcome(ResolveQualifier(Name("ghost", "$LATEST"), rules, counting)),
            Error(AwsError::kInvalidParameterValue, "latest"));
  EXPECT_EQ(lookups, 0);
  // Only what is refused: policies refuse $LATEST and take the function itself.
  QualifierRules latest_only{.latest_refused = latest};
  EXPECT_EQ(Outcome(ResolveQualifier(Name("fn"), latest_only, Table())), "ok ");
  EXPECT_EQ(Outcome(ResolveQualifier(Name("fn", "$LATEST"), latest_only, Table())),
            Error(AwsError::kInvalidParameterValue, "latest"));
}

TEST(ResolveQualifierTest, RulesWordTheMissingAndStoreTheUnqualified) {
  Status gone(AwsError::kResourceNotFound, "The function doesn't exist.");
  QualifierRules rules{.unqualified_as = "$LATEST",
                       .function_missing = gone,
                       .version_missing = gone,
                       .alias_missing = gone};
  for (const auto& name :
       {Name("ghost"), Name("ghost", "live"), Name("fn", "2"), Name("fn", "dev")}) {
    EXPECT_EQ(Outcome(ResolveQualifier(name, rules, Table())),
              Error(AwsError::kResourceNotFound, "The function doesn't exist."))
        << name.name << ":" << name.qualifier;
  }
  EXPECT_EQ(Outcome(ResolveQualifier(Name("fn"), rules, Table())), "ok $LATEST");
  EXPECT_EQ(Outcome(ResolveQualifier(Name("fn", "$LATEST"), rules, Table())), "ok $LATEST");
  EXPECT_EQ(StoredQualifier(Name("ghost"), rules), "$LATEST");
  EXPECT_EQ(StoredQualifier(Name("ghost", "live"), rules), "live");
  EXPECT_EQ(StoredQualifier(Name("ghost"), QualifierRules{}), "");
  // Only the words set are replaced.
  QualifierRules alias_only{.alias_missing = gone};
  EXPECT_EQ(
      Outcome(ResolveQualifier(Name("fn", "2"), alias_only, Table())),
      Error(AwsError::kResourceNotFound, "Function not found: " + std::string(kArn) + "fn:2"));
  EXPECT_EQ(Outcome(ResolveQualifier(Name("fn", "dev"), alias_only, Table())),
            Error(AwsError::kResourceNotFound, "The function doesn't exist."));
}

TEST(QualifiedSettingsCacheTest, FindListErase) {
  QualifiedSettings<int> cache;
  cache["fn"]["live"] = 2;
  cache["fn"][""] = 1;
  cache["other"]["$LATEST"] = 3;
  EXPECT_EQ(FindQualified(cache, "fn", "live"), 2);
  EXPECT_EQ(FindQualified(cache, "fn", "$LATEST"), std::nullopt);
  EXPECT_EQ(FindQualified(cache, "ghost", ""), std::nullopt);
  EXPECT_EQ(ListQualified(cache, "fn"), (std::vector<int>{1, 2}));  // by qualifier
  EXPECT_TRUE(ListQualified(cache, "ghost").empty());
  EraseQualified(cache, "fn", "live");
  EraseQualified(cache, "ghost", "live");  // nothing to erase
  EXPECT_EQ(ListQualified(cache, "fn"), (std::vector<int>{1}));
  EXPECT_EQ(FindQualified(cache, "other", "$LATEST"), 3);
}

// One function "fn" with version 1 and alias "live" -> 1.
class QualifiedSettingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = test_util::MemoryStore();
    functions_ = std::make_unique<Functions>(*store_, clock_, AccountScope{});
    ASSERT_TRUE(functions_->Open().ok());
    auto fn = Wait<Function>([&](auto cb) { functions_->Create(NewFunction("fn"), cb); });
    ASSERT_TRUE(fn.ok()) << fn.status().message();
    auto v1 = Wait<Function>([&](auto cb) { functions_->PublishVersion("fn", {}, cb); });
    ASSERT_TRUE(v1.ok()) << v1.status().message();
    AliasInput alias;
    alias.function_version = "1";
    auto live = Wait<Alias>([&](auto cb) { functions_->CreateAlias("fn", "live", alias, cb); });
    ASSERT_TRUE(live.ok()) << live.status().message();
  }

  template <typename T>
  static void ExpectError(const Result<T>& r, AwsError code, const std::string& message,
                          const std::string& what) {
    ASSERT_FALSE(r.ok()) << what;
    EXPECT_EQ(r.status().code(), code) << what;
    EXPECT_EQ(r.status().message(), message) << what;
  }

  Result<FunctionUrlConfig> CreateUrl(const std::string& name) {
    return Wait<FunctionUrlConfig>(
        [&](auto cb) { functions_->CreateFunctionUrl(name, FunctionUrlInput{}, cb); });
  }
  Result<FunctionUrlConfig> UpdateUrl(const std::string& name) {
    return Wait<FunctionUrlConfig>(
        [&](auto cb) { functions_->UpdateFunctionUrl(name, FunctionUrlInput{}, cb); });
  }
  Result<bool> DeleteUrl(const std::string& name) {
    return Wait<bool>([&](auto cb) { functions_->DeleteFunctionUrl(name, cb); });
  }
  Result<EventInvokeConfig> PutInvokeConfig(const std::string& name, bool merge = false) {
    EventInvokeConfig config;
    config.maximum_retry_attempts = 1;
    return Wait<EventInvokeConfig>(
        [&](auto cb) { functions_->PutEventInvokeConfig(name, config, merge, cb); });
  }
  Result<bool> DeleteInvokeConfig(const std::string& name) {
    return Wait<bool>([&](auto cb) { functions_->DeleteEventInvokeConfig(name, cb); });
  }
  Result<ProvisionedConcurrency> PutProvisioned(const std::string& name, int64_t requested = 5) {
    return Wait<ProvisionedConcurrency>(
        [&](auto cb) { functions_->PutProvisionedConcurrency(name, requested, cb); });
  }
  Result<bool> DeleteProvisioned(const std::string& name) {
    return Wait<bool>([&](auto cb) { functions_->DeleteProvisionedConcurrency(name, cb); });
  }
  Result<std::string> AddPermission(const std::string& name, const std::string& sid = "s1") {
    PermissionInput in;
    in.statement_id = sid;
    in.action = "lambda:InvokeFunction";
    in.principal = "s3.amazonaws.com";
    return Wait<std::string>([&](auto cb) { functions_->AddPermission(name, in, cb); });
  }
  Result<bool> RemovePermission(const std::string& name, const std::string& sid = "s1") {
    return Wait<bool>([&](auto cb) { functions_->RemovePermission(name, sid, std::nullopt, cb); });
  }

  OffsetClock clock_{SystemTime(std::chrono::milliseconds(1573690429717))};
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<Functions> functions_;
};

TEST_F(QualifiedSettingsTest, FunctionUrlsNameOneMessageForEverythingMissing) {
  const std::string kFunctionMissing = "Function does not exist";
  const std::string kResourceMissing = "The resource you requested does not exist.";
  for (const char* name : {"ghost", "ghost:live", "fn:nope"}) {
    ExpectError(CreateUrl(name), AwsError::kResourceNotFound, kFunctionMissing, name);
    ExpectError(UpdateUrl(name), AwsError::kResourceNotFound, kFunctionMissing, name);
    ExpectError(functions_->GetFunctionUrl(name), AwsError::kResourceNotFound, kResourceMissing,
                name);
    ExpectError(DeleteUrl(name), AwsError::kResourceNotFound, kResourceMissing, name);
  }
  ExpectError(functions_->ListFunctionUrls("ghost"), AwsError::kResourceNotFound, kFunctionMissing,
              "list");
  // A version or $LATEST is not a URL qualifier: the shape is checked before anything exists.
  for (const char* name : {"fn:1", "fn:$LATEST", "ghost:1"}) {
    auto r = CreateUrl(name);
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.status().code(), AwsError::kValidation) << name;
    EXPECT_NE(r.status().message().find("((?!^\\d+$)^[0-9a-zA-Z-_]+$)"), std::string::npos)
        << r.status().message();
  }
  // The function and the alias exist; their configs do not yet.
  ExpectError(functions_->GetFunctionUrl("fn"), AwsError::kResourceNotFound, kResourceMissing,
              "no config");
  ExpectError(UpdateUrl("fn:live"), AwsError::kResourceNotFound, kResourceMissing, "no config");
  ExpectError(DeleteUrl("fn"), AwsError::kResourceNotFound, kResourceMissing, "no config");

  auto live = CreateUrl(std::string(kArn) + "fn:live");
  ASSERT_TRUE(live.ok()) << live.status().message();
  EXPECT_EQ(live->function_name, "fn");
  EXPECT_EQ(live->qualifier, "live");
  ExpectError(CreateUrl("fn:live"), AwsError::kResourceConflict,
              std::string("Failed to create function url config for [functionArn = ") + kArn +
                  "fn:live]. Error message:  FunctionUrlConfig exists for this Lambda function",
              "again");
  auto plain = CreateUrl("fn");
  ASSERT_TRUE(plain.ok()) << plain.status().message();
  EXPECT_EQ(plain->qualifier, "");
  auto list = functions_->ListFunctionUrls("fn");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].qualifier, "");
  EXPECT_EQ((*list)[1].qualifier, "live");
  ASSERT_TRUE(DeleteUrl("fn:live").ok());
  ExpectError(functions_->GetFunctionUrl("fn:live"), AwsError::kResourceNotFound, kResourceMissing,
              "deleted");
  EXPECT_FALSE(functions_->FindFunctionUrl(live->url_id).has_value());
  EXPECT_TRUE(functions_->FindFunctionUrl(plain->url_id).has_value());
}

TEST_F(QualifiedSettingsTest, EventInvokeConfigsStandForLatestWhenUnqualified) {
  const std::string kFunctionMissing = "The function doesn't exist.";
  for (const char* name : {"ghost", "ghost:1", "fn:9", "fn:nope"}) {
    ExpectError(PutInvokeConfig(name), AwsError::kResourceNotFound, kFunctionMissing, name);
  }
  ExpectError(functions_->ListEventInvokeConfigs("ghost"), AwsError::kResourceNotFound,
              kFunctionMissing, "list");
  // Get and Delete look for the config only: a missing function has none either.
  ExpectError(
      functions_->GetEventInvokeConfig("ghost"), AwsError::kResourceNotFound,
      std::string("The function ") + kArn + "ghost:$LATEST doesn't have an EventInvokeConfig",
      "get");
  ExpectError(DeleteInvokeConfig("fn:live"), AwsError::kResourceNotFound,
              std::string("The function ") + kArn + "fn:live doesn't have an EventInvokeConfig",
              "delete");
  ExpectError(PutInvokeConfig("fn:1", /*merge=*/true), AwsError::kResourceNotFound,
              std::string("The function ") + kArn + "fn:1 doesn't have an EventInvokeConfig",
              "update");

  auto latest = PutInvokeConfig("fn");
  ASSERT_TRUE(latest.ok()) << latest.status().message();
  EXPECT_EQ(latest->qualifier, "$LATEST");
  auto same = functions_->GetEventInvokeConfig("fn:$LATEST");
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->maximum_retry_attempts, 1);
  ASSERT_TRUE(PutInvokeConfig("fn:live").ok());
  ASSERT_TRUE(PutInvokeConfig("fn:1").ok());
  auto list = functions_->ListEventInvokeConfigs("fn");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].qualifier, "$LATEST");
  EXPECT_EQ((*list)[1].qualifier, "1");
  EXPECT_EQ((*list)[2].qualifier, "live");
  ASSERT_TRUE(DeleteInvokeConfig("fn:1").ok());
  EXPECT_FALSE(functions_->EventInvokeConfigFor("fn:1").has_value());
  EXPECT_TRUE(functions_->EventInvokeConfigFor("fn").has_value());
}

TEST_F(QualifiedSettingsTest, ProvisionedConcurrencyNamesTheMissingQualifierFirst) {
  const std::string kUnpublished =
      "Provisioned Concurrency Configs cannot be applied to unpublished function versions.";
  const std::string kNotAliasOrVersion =
      "The function resource provided must be an alias or a published version.";
  for (const char* name : {"fn", "fn:$LATEST", "ghost"}) {
    ExpectError(PutProvisioned(name), AwsError::kInvalidParameterValue, kUnpublished, name);
    ExpectError(functions_->GetProvisionedConcurrency(name), AwsError::kInvalidParameterValue,
                kNotAliasOrVersion, name);
    ExpectError(DeleteProvisioned(name), AwsError::kInvalidParameterValue, kNotAliasOrVersion,
                name);
  }
  // AWS names the missing alias or version even when the function is missing too.
  struct Case {
    const char* name;
    std::string message;
  } cases[] = {
      {"fn:9", std::string("Function not found: ") + kArn + "fn:9"},
      {"ghost:1", std::string("Function not found: ") + kArn + "ghost:1"},
      {"fn:nope", std::string("Cannot find alias arn: ") + kArn + "fn:nope"},
      {"ghost:live", std::string("Cannot find alias arn: ") + kArn + "ghost:live"},
  };
  for (const auto& c : cases) {
    ExpectError(PutProvisioned(c.name), AwsError::kResourceNotFound, c.message, c.name);
    ExpectError(functions_->GetProvisionedConcurrency(c.name), AwsError::kResourceNotFound,
                c.message, c.name);
    ExpectError(DeleteProvisioned(c.name), AwsError::kResourceNotFound, c.message, c.name);
  }
  ExpectError(functions_->ListProvisionedConcurrency("ghost"), AwsError::kResourceNotFound,
              std::string("Function not found: ") + kArn + "ghost", "list");
  ExpectError(functions_->GetProvisionedConcurrency("fn:1"),
              AwsError::kProvisionedConcurrencyConfigNotFound,
              "No Provisioned Concurrency Config found for this function", "none yet");
  EXPECT_TRUE(DeleteProvisioned("fn:1").ok());  // AWS: deleting none succeeds

  auto live = PutProvisioned("fn:live", 7);
  ASSERT_TRUE(live.ok()) << live.status().message();
  EXPECT_EQ(live->qualifier, "live");
  auto got = functions_->GetProvisionedConcurrency("fn:live");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->requested, 7);
  ExpectError(PutProvisioned("fn:1"), AwsError::kResourceConflict,
              "Version is pointed by a Provisioned Concurrency alias", "conflict");
  ASSERT_TRUE(DeleteProvisioned("fn:live").ok());
  auto list = functions_->ListProvisionedConcurrency("fn");
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->empty());
}

TEST_F(QualifiedSettingsTest, PoliciesNameTheMissingFunctionFirst) {
  ExpectError(AddPermission("fn:$LATEST"), AwsError::kInvalidParameterValue,
              "We currently do not support adding policies for $LATEST.", "latest");
  ExpectError(AddPermission("ghost:$LATEST"), AwsError::kInvalidParameterValue,
              "We currently do not support adding policies for $LATEST.", "latest, no function");
  struct Case {
    const char* name;
    std::string add;     // AddPermission's answer
    std::string remove;  // RemovePermission's
    std::string get;     // GetPolicy's
  } cases[] = {
      {"ghost", std::string("Function not found: ") + kArn + "ghost",
       std::string("No policy found for: ") + kArn + "ghost",
       "The resource you requested does not exist."},
      {"ghost:1", std::string("Function not found: ") + kArn + "ghost",
       std::string("No policy found for: ") + kArn + "ghost",
       "The resource you requested does not exist."},
      {"fn:9", std::string("Function not found: ") + kArn + "fn:9",
       std::string("Function not found: ") + kArn + "fn:9",
       "The resource you requested does not exist."},
      {"fn:nope", std::string("Cannot find alias arn: ") + kArn + "fn:nope",
       std::string("Cannot find alias arn: ") + kArn + "fn:nope",
       std::string("Cannot find alias arn: ") + kArn + "fn:nope"},
  };
  for (const auto& c : cases) {
    ExpectError(AddPermission(c.name), AwsError::kResourceNotFound, c.add, c.name);
    ExpectError(RemovePermission(c.name), AwsError::kResourceNotFound, c.remove, c.name);
    ExpectError(functions_->GetPolicy(c.name), AwsError::kResourceNotFound, c.get, c.name);
  }
  for (const char* name : {"fn", "fn:$LATEST", "fn:1", "fn:live"}) {
    ExpectError(functions_->GetPolicy(name), AwsError::kResourceNotFound,
                "The resource you requested does not exist.", name);
    ExpectError(RemovePermission(name), AwsError::kResourceNotFound,
                "No policy is associated with the given resource.", name);
  }

  auto statement = AddPermission("fn:live");
  ASSERT_TRUE(statement.ok()) << statement.status().message();
  EXPECT_NE(statement->find(std::string("\"Resource\":\"") + kArn + "fn:live\""), std::string::npos)
      << *statement;
  ASSERT_TRUE(AddPermission("fn").ok());
  // Each qualifier has its own policy; the unqualified one is not $LATEST's.
  ExpectError(functions_->GetPolicy("fn:$LATEST"), AwsError::kResourceNotFound,
              "The resource you requested does not exist.", "latest");
  EXPECT_TRUE(functions_->GetPolicy("fn").ok());
  ASSERT_TRUE(RemovePermission("fn:live").ok());
  ExpectError(functions_->GetPolicy("fn:live"), AwsError::kResourceNotFound,
              "The resource you requested does not exist.", "removed");
}

TEST_F(QualifiedSettingsTest, ReloadedFromTheStore) {
  auto url = CreateUrl("fn:live");
  ASSERT_TRUE(url.ok()) << url.status().message();
  ASSERT_TRUE(PutInvokeConfig("fn").ok());
  ASSERT_TRUE(PutInvokeConfig("fn:1").ok());
  ASSERT_TRUE(DeleteInvokeConfig("fn:1").ok());
  ASSERT_TRUE(PutProvisioned("fn:live", 3).ok());

  Functions reopened(*store_, clock_, AccountScope{});
  ASSERT_TRUE(reopened.Open().ok());
  auto served = reopened.FindFunctionUrl(url->url_id);
  ASSERT_TRUE(served.has_value());
  EXPECT_EQ(served->qualifier, "live");
  auto configs = reopened.ListEventInvokeConfigs("fn");
  ASSERT_TRUE(configs.ok());
  ASSERT_EQ(configs->size(), 1u);
  EXPECT_EQ((*configs)[0].qualifier, "$LATEST");
  EXPECT_EQ((*configs)[0].maximum_retry_attempts, 1);
  auto provisioned = reopened.GetProvisionedConcurrency("fn:live");
  ASSERT_TRUE(provisioned.ok()) << provisioned.status().message();
  EXPECT_EQ(provisioned->requested, 3);
}

}  // namespace
}  // namespace streamstack::lambda
