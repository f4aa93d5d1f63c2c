#include "streamstack/lambda/function.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace streamstack::lambda {
namespace {

using test_util::NewFunction;
using test_util::Wait;

constexpr const char* kNamePattern =
    "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?"
    "(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?";

TEST(FunctionNameTest, AcceptsNamesArnsAndPartialArns) {
  struct Case {
    const char* input;
    const char* name;
    const char* qualifier;
  } cases[] = {
      {"my-fn", "my-fn", ""},
      {"my_fn-2", "my_fn-2", ""},
      {"my-fn:$LATEST", "my-fn", "$LATEST"},
      {"my-fn:prod", "my-fn", "prod"},
      {"123456789012:function:my-fn", "my-fn", ""},
      {"function:my-fn", "my-fn", ""},
      {"arn:aws:lambda:us-east-1:123456789012:function:my-fn", "my-fn", ""},
      {"arn:aws:lambda:us-east-1:123456789012:function:my-fn:$LATEST", "my-fn", "$LATEST"},
      {"arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f", "f", ""},
      {"123456789012", "123456789012", ""},
  };
  for (const auto& c : cases) {
    auto r = ParseFunctionName(c.input, NameShape::kFunctionName);
    ASSERT_TRUE(r.ok()) << c.input << ": " << r.status().message();
    EXPECT_EQ(r->name, c.name) << c.input;
    EXPECT_EQ(r->qualifier, c.qualifier) << c.input;
  }
}

TEST(FunctionNameTest, RejectsWithAwsMessage) {
  for (const char* bad : {"my fn", "a.out", "arn:aws:s3:::bucket", "my-fn:a:b", "my-fn:", ":x",
                          "arn:aws:lambda:us-east-1:123456789012:function:"}) {
    auto r = ParseFunctionName(bad, NameShape::kFunctionName);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), AwsError::kValidation);
    EXPECT_EQ(r.status().message(),
              std::string("1 validation error detected: Value '") + bad +
                  "' at 'functionName' failed to satisfy constraint: Member must satisfy regular "
                  "expression pattern: " +
                  kNamePattern)
        << bad;
  }
  // Dots are allowed where the model says NamespacedFunctionName.
  EXPECT_TRUE(ParseFunctionName("a.out", NameShape::kNamespaced).ok());
}

TEST(FunctionNameTest, LengthLimits) {
  EXPECT_TRUE(ParseFunctionName(std::string(64, 'a'), NameShape::kFunctionName).ok());
  auto r = ParseFunctionName(std::string(65, 'a'), NameShape::kFunctionName);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("Member must have length less than or equal to 64"),
            std::string::npos);
  r = ParseFunctionName(std::string(141, 'a'), NameShape::kFunctionName);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("Member must have length less than or equal to 140"),
            std::string::npos);
  r = ParseFunctionName("", NameShape::kFunctionName);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("greater than or equal to 1"), std::string::npos);
}

class FunctionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = test_util::MemoryStore();
    functions_ = std::make_unique<Functions>(*store_, clock_, AccountScope{});
    ASSERT_TRUE(functions_->Open().ok());
  }
  Result<Function> Create(CreateFunctionInput in) {
    return Wait<Function>([&](auto cb) { functions_->Create(std::move(in), cb); });
  }

  OffsetClock clock_{SystemTime(std::chrono::milliseconds(1573690429717))};
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<Functions> functions_;
};

TEST_F(FunctionsTest, CreateAppliesAwsDefaults) {
  auto fn = Create(NewFunction("my-fn"));
  ASSERT_TRUE(fn.ok()) << fn.status().message();
  EXPECT_EQ(fn->arn, "arn:aws:lambda:us-east-1:000000000000:function:my-fn");
  EXPECT_EQ(fn->timeout_seconds, 3);
  EXPECT_EQ(fn->memory_size_mb, 128);
  EXPECT_EQ(fn->package_type, "Zip");
  EXPECT_EQ(fn->architecture, "x86_64");
  EXPECT_EQ(fn->ephemeral_storage_mb, 512);
  EXPECT_EQ(fn->code_size, 22);
  EXPECT_EQ(fn->code_sha256, Base64Encode(Sha256(test_util::EmptyZip())));
  EXPECT_EQ(fn->revision_id.size(), 36u);
  EXPECT_EQ(FormatLambdaTimestamp(fn->last_modified_ms), "2019-11-14T00:13:49.717+0000");
}

TEST_F(FunctionsTest, DuplicateIsAConflict) {
  ASSERT_TRUE(Create(NewFunction("dup")).ok());
  auto again = Create(NewFunction("dup"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), AwsError::kResourceConflict);
  EXPECT_EQ(again.status().message(), "Function already exist: dup");
}

TEST_F(FunctionsTest, CreateRejectsWithAwsAnswers) {
  auto no_runtime = NewFunction("a");
  no_runtime.settings.runtime.reset();
  auto r = Create(no_runtime);
  EXPECT_EQ(r.status().message(),
            "Runtime and Handler are mandatory parameters for functions created with deployment "
            "packages.");
  auto bad_zip = NewFunction("b");
  bad_zip.code->zip_file = "not a zip";
  r = Create(bad_zip);
  EXPECT_EQ(r.status().code(), AwsError::kInvalidParameterValue);
  EXPECT_EQ(r.status().message(),
            "Could not unzip uploaded file. Please check your file, then try to upload again.");
  auto reserved = NewFunction("d");
  reserved.settings.environment = std::map<std::string, std::string>{{"AWS_REGION", "x"}};
  r = Create(reserved);
  EXPECT_EQ(r.status().code(), AwsError::kInvalidParameterValue);
  EXPECT_NE(r.status().message().find("Reserved keys used in this request: AWS_REGION"),
            std::string::npos);
  auto image = NewFunction("e");
  image.package_type = "Image";
  image.settings.runtime.reset();
  image.settings.handler.reset();
  image.code = FunctionCodeInput{std::nullopt, CodeLocation{"", "", "", "repo/img:latest"}};
  r = Create(image);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->package_type, "Image");
  EXPECT_EQ(r->code.image_uri, "repo/img:latest");
}

TEST_F(FunctionsTest, GetByNameArnAndPartialArn) {
  ASSERT_TRUE(Create(NewFunction("g")).ok());
  for (const char* name : {"g", "g:$LATEST", "000000000000:function:g",
                           "arn:aws:lambda:us-east-1:000000000000:function:g"}) {
    auto fn = functions_->Get(name);
    ASSERT_TRUE(fn.ok()) << name;
    EXPECT_EQ(fn->name, "g");
  }
  auto missing = functions_->Get("nope");
  EXPECT_EQ(missing.status().code(), AwsError::kResourceNotFound);
  EXPECT_EQ(missing.status().message(),
            "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope");
  auto version = functions_->Get("g:7");
  EXPECT_EQ(version.status().message(),
            "Function not found: arn:aws:lambda:us-east-1:000000000000:function:g:7");
}

TEST_F(FunctionsTest, UpdateConfigurationCodeAndDelete) {
  ASSERT_TRUE(Create(NewFunction("u")).ok());
  FunctionSettings s;
  s.timeout_seconds = 30;
  s.environment = std::map<std::string, std::string>{{kInvokeUrlVariable, "http://x:1/"}};
  auto before = functions_->Get("u");
  auto updated = Wait<Function>([&](auto cb) { functions_->UpdateConfiguration("u", s, cb); });
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated->timeout_seconds, 30);
  EXPECT_EQ(updated->runtime, "python3.12");
  EXPECT_NE(updated->revision_id, before->revision_id);
  auto target = functions_->ResolveInvokeTarget("u");
  ASSERT_TRUE(target.ok());
  EXPECT_EQ(target->invoke_url, "http://x:1/");
  EXPECT_EQ(target->timeout_seconds, 30);

  UpdateFunctionCodeInput code;
  code.code.zip_file = std::string("PK\x03\x04rest-of-zip", 16);
  auto recoded = Wait<Function>([&](auto cb) { functions_->UpdateCode("u", code, cb); });
  ASSERT_TRUE(recoded.ok()) << recoded.status().message();
  EXPECT_EQ(recoded->code_size, 16);
  EXPECT_EQ(recoded->code_sha256, Base64Encode(Sha256(*code.code.zip_file)));

  auto deleted = Wait<bool>([&](auto cb) { functions_->Delete("u", cb); });
  ASSERT_TRUE(deleted.ok());
  EXPECT_FALSE(functions_->Exists("u"));
  auto again = Wait<bool>([&](auto cb) { functions_->Delete("u", cb); });
  EXPECT_EQ(again.status().code(), AwsError::kResourceNotFound);
}

TEST_F(FunctionsTest, ListPagesInNameOrder) {
  for (const char* n : {"c", "a", "e", "b", "d"}) ASSERT_TRUE(Create(NewFunction(n)).ok());
  std::vector<std::string> seen;
  std::string marker;
  int pages = 0;
  do {
    auto page = functions_->List(marker, 2);
    ASSERT_TRUE(page.ok());
    for (const auto& f : page->functions) seen.push_back(f.name);
    marker = page->next_marker;
    ++pages;
  } while (!marker.empty());
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  EXPECT_EQ(pages, 3);
}

TEST_F(FunctionsTest, TagsAndDeclarations) {
  ASSERT_TRUE(Create(NewFunction("t")).ok());
  std::string arn = functions_->ArnOf("t");
  ASSERT_TRUE(Wait<bool>([&](auto cb) {
                functions_->TagResource(arn, {{"a", "1"}, {"b", "2"}}, cb);
              }).ok());
  ASSERT_TRUE(Wait<bool>([&](auto cb) { functions_->UntagResource(arn, {"a"}, cb); }).ok());
  EXPECT_EQ(functions_->ListTags(arn).value(), (Tags{{"b", "2"}}));

  ASSERT_TRUE(functions_
                  ->Declare("declared", "provided.al2023", "bootstrap", 5, 256,
                            "http://fn:9000/2015-03-31/functions/function/invocations")
                  .ok());
  std::string revision = functions_->Get("declared")->revision_id;
  ASSERT_TRUE(functions_
                  ->Declare("declared", "provided.al2023", "bootstrap", 5, 256,
                            "http://fn:9000/2015-03-31/functions/function/invocations")
                  .ok());
  EXPECT_EQ(functions_->Get("declared")->revision_id, revision) << "an unchanged declaration";
  auto target = functions_->ResolveInvokeTarget("declared");
  ASSERT_TRUE(target.ok());
  EXPECT_EQ(target->invoke_url, "http://fn:9000/2015-03-31/functions/function/invocations");
  EXPECT_EQ(target->timeout_seconds, 5);
  // An explicit STREAMSTACK_INVOKE_URL wins over the declaration.
  FunctionSettings s;
  s.environment = std::map<std::string, std::string>{{kInvokeUrlVariable, "http://other/"}};
  ASSERT_TRUE(
      Wait<Function>([&](auto cb) { functions_->UpdateConfiguration("declared", s, cb); }).ok());
  EXPECT_EQ(functions_->ResolveInvokeTarget("declared")->invoke_url, "http://other/");
}

TEST(FunctionsPersistenceTest, ReloadedAfterReopen) {
  std::string path = ::testing::TempDir() + "lambda_functions_" + NewUuidV4() + ".db";
  SystemClock clock;
  {
    auto store = storage::Store::Open({.path = path});
    ASSERT_TRUE(store.ok());
    Functions functions(**store, clock, AccountScope{});
    ASSERT_TRUE(functions.Open().ok());
    ASSERT_TRUE(Wait<Function>([&](auto cb) { functions.Create(NewFunction("kept"), cb); }).ok());
    ASSERT_TRUE((*store)->Close().ok());
  }
  auto store = storage::Store::Open({.path = path});
  ASSERT_TRUE(store.ok());
  Functions functions(**store, clock, AccountScope{});
  ASSERT_TRUE(functions.Open().ok());
  EXPECT_TRUE(functions.Exists("kept"));
  ASSERT_TRUE((*store)->Close().ok());
  std::remove(path.c_str());
}

}  // namespace
}  // namespace streamstack::lambda
