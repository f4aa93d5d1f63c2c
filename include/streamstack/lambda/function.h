// lambda: functions, their published versions and aliases. A function is AWS's
// FunctionConfiguration plus where its events go: the URL in its STREAMSTACK_INVOKE_URL
// environment variable, else the invoke_url the config file declared for it, else its own
// code. $LATEST is mutable; a published version is an immutable copy of $LATEST's code and
// configuration; an alias names a version (optionally routing a share of invocations to a
// second one). Stored in SQLite (module "lambda") and cached in memory so that Invoke never
// reads the disk. No HTTP or wire format here.
// Thread safety: every public method of Functions may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "streamstack/common/clock.h"
#include "streamstack/common/ids.h"
#include "streamstack/common/invoker.h"
#include "streamstack/common/status.h"
#include "streamstack/common/thread_annotations.h"
#include "streamstack/storage/store.h"

namespace streamstack::lambda {

class Layers;
struct QualifierRules;  // lambda/qualified_settings.h

// The environment variable that names a function's invoke target.
inline constexpr const char* kInvokeUrlVariable = "STREAMSTACK_INVOKE_URL";

using Tags = std::map<std::string, std::string>;

// A function name as the API accepts it: "my-fn", "my-fn:$LATEST",
// "123456789012:function:my-fn", "arn:aws:lambda:us-east-1:123456789012:function:my-fn".
struct FunctionName {
  std::string name;
  std::string qualifier;  // empty when none was given
};

// How strict the name's shape is: CreateFunction's FunctionName (140 chars, no '.') or the
// NamespacedFunctionName of Get/Invoke/Delete/ESM (256 chars, '.' allowed).
enum class NameShape { kFunctionName, kNamespaced };

// Parses `input` as AWS does; ValidationException with AWS's "1 validation error detected:
// Value '...' at '<member>' failed to satisfy constraint: ..." message otherwise.
Result<FunctionName> ParseFunctionName(std::string_view input, NameShape shape,
                                       std::string_view member = "functionName");

// Where the code of a function came from. ZipFile bytes are stored in SQLite, not here.
struct CodeLocation {
  std::string s3_bucket;
  std::string s3_key;
  std::string s3_object_version;
  std::string image_uri;
};

struct Function {
  std::string name;
  std::string arn;                  // qualified (":<version>") for a published version
  std::string version = "$LATEST";  // or "1", "2", ...
  std::string runtime;              // empty for PackageType Image
  std::string role;
  std::string handler;  // empty for PackageType Image
  std::string description;
  int timeout_seconds = 3;
  int memory_size_mb = 128;
  // Environment.Variables; `has_environment` keeps the difference between none and {}.
  bool has_environment = false;
  std::map<std::string, std::string> environment;
  std::string package_type = "Zip";
  std::string architecture = "x86_64";
  int ephemeral_storage_mb = 512;
  std::string tracing_mode = "PassThrough";
  int64_t code_size = 0;
  std::string code_sha256;  // base64 of SHA-256, as AWS shows it
  CodeLocation code;
  int64_t last_modified_ms = 0;
  std::string revision_id;
  Tags tags;
  // The invoke_url the config file declared (not part of AWS's configuration).
  std::string declared_invoke_url;
  // PutFunctionConcurrency's ReservedConcurrentExecutions; -1: none.
  int reserved_concurrency = -1;
  // Layer version ARNs in the order given, with each archive's size (FunctionConfiguration's
  // Layers).
  std::vector<std::pair<std::string, int64_t>> layers;
  // $LATEST only: the highest version number published so far (numbers are never reused),
  // and $LATEST's RevisionId when it was last published (unchanged since: nothing to publish).
  int64_t last_version = 0;
  std::string published_revision_id;

  // STREAMSTACK_INVOKE_URL when set (an API user set it explicitly), else the declared URL,
  // else empty.
  std::string InvokeUrl() const;
};

// The parts of CreateFunction / UpdateFunctionConfiguration a caller may give. Unset
// optionals keep the current value (update) or take AWS's default (create).
struct FunctionSettings {
  std::optional<std::string> runtime;
  std::optional<std::string> role;
  std::optional<std::string> handler;
  std::optional<std::string> description;
  std::optional<int64_t> timeout_seconds;
  std::optional<int64_t> memory_size_mb;
  std::optional<std::map<std::string, std::string>> environment;
  std::optional<std::string> tracing_mode;
  std::optional<int64_t> ephemeral_storage_mb;
  std::optional<std::vector<std::string>> layers;  // layer version ARNs
};

// The Code member of CreateFunction, or the body of UpdateFunctionCode.
struct FunctionCodeInput {
  std::optional<std::string> zip_file;  // raw bytes (already base64-decoded)
  CodeLocation location;
};

struct CreateFunctionInput {
  std::string function_name;
  FunctionSettings settings;
  std::optional<FunctionCodeInput> code;
  std::optional<std::string> package_type;
  std::optional<std::vector<std::string>> architectures;
  Tags tags;
  std::string declared_invoke_url;  // config-file declarations only
};

struct UpdateFunctionCodeInput {
  FunctionCodeInput code;
  std::optional<std::vector<std::string>> architectures;
};

// PublishVersion's optional preconditions and the version's description (default: $LATEST's).
struct PublishVersionInput {
  std::optional<std::string> code_sha256;
  std::optional<std::string> description;
  std::optional<std::string> revision_id;
};

// An alias: a name for one version, and optionally a second version that gets a share of
// the invocations (RoutingConfig.AdditionalVersionWeights).
struct Alias {
  std::string name;
  std::string function_name;
  std::string arn;  // arn:...:function:<function>:<alias>
  std::string function_version;
  std::string description;
  std::string revision_id;
  std::map<std::string, double> additional_version_weights;
};

// CreateAlias / UpdateAlias. Unset optionals keep the current value (update).
struct AliasInput {
  std::optional<std::string> function_version;
  std::optional<std::string> description;
  std::optional<std::map<std::string, double>> additional_version_weights;
  std::optional<std::string> revision_id;  // UpdateAlias's precondition
};

// AddPermission's statement parts (the function and qualifier come with the name).
struct PermissionInput {
  std::string statement_id;
  std::string action;
  std::string principal;
  std::string source_arn;
  std::string source_account;
  std::string event_source_token;
  std::string principal_org_id;
  std::string function_url_auth_type;
  std::optional<std::string> revision_id;
};

// Asynchronous invocation settings of a function, version or alias: retries, maximum event
// age and where records of the outcome go (SQS, SNS or another function's ARN; empty: none).
struct EventInvokeConfig {
  std::string function_name;
  std::string qualifier = "$LATEST";
  std::optional<int64_t> maximum_retry_attempts;     // 0..2; none: AWS's 2
  std::optional<int64_t> maximum_event_age_seconds;  // 60..21600; none: AWS's 6 hours
  std::string on_success;
  std::string on_failure;
  int64_t last_modified_ms = 0;
};

// A version's or alias's provisioned concurrency: stored and answered (StreamStack starts
// sandboxes on demand; it does not keep this many warm).
struct ProvisionedConcurrency {
  std::string function_name;
  std::string qualifier;
  int64_t requested = 0;
  int64_t last_modified_ms = 0;
};

// A function URL's cross-origin settings (Cors). Unset members are absent from answers.
struct FunctionUrlCors {
  std::optional<bool> allow_credentials;
  std::optional<std::vector<std::string>> allow_headers;
  std::optional<std::vector<std::string>> allow_methods;
  std::optional<std::vector<std::string>> allow_origins;
  std::optional<std::vector<std::string>> expose_headers;
  std::optional<int64_t> max_age;
};
// A function URL: an HTTP endpoint of the function itself ('' qualifier) or of one alias,
// reached at /lambda-url/<url_id>/ or on a host named <url_id>.lambda-url.<region>.<any>.
struct FunctionUrlConfig {
  std::string function_name;
  std::string qualifier;  // '' or an alias name
  std::string url_id;     // 32 lowercase letters and digits, as AWS's
  std::string auth_type;  // NONE or AWS_IAM
  // As given; answers of Create and Update show it only when it was set, Get shows BUFFERED.
  std::optional<std::string> invoke_mode;
  std::optional<FunctionUrlCors> cors;
  int64_t creation_ms = 0;
  int64_t last_modified_ms = 0;
};
// CreateFunctionUrlConfig / UpdateFunctionUrlConfig. Unset optionals keep the current value.
struct FunctionUrlInput {
  std::optional<std::string> auth_type;
  std::optional<std::string> invoke_mode;
  std::optional<FunctionUrlCors> cors;
};
// GetPolicy's answer: the policy document as JSON text, and its RevisionId.
struct FunctionPolicy {
  std::string document;
  std::string revision_id;
};

// One page of ListFunctions.
struct FunctionPage {
  std::vector<Function> functions;
  std::string next_marker;  // empty when this is the last page
};

// The function store. Writes go through the Store's writer (callbacks run on its thread,
// after the COMMIT); reads come from the in-memory cache, loaded by Open().
class Functions {
 public:
  template <typename T>
  using Callback = std::function<void(Result<T>)>;

  Functions(storage::Store& store, Clock& clock, AccountScope scope);
  ~Functions();
  Functions(const Functions&) = delete;
  Functions& operator=(const Functions&) = delete;

  // Creates the schema and loads every function. Call once before anything else.
  [[nodiscard]] Status Open();

  // 201 path of CreateFunction. `input` is a request the lambda module's input model accepted
  // (the REST adapter reads requests through it: types, required members, lengths, patterns,
  // enums and ranges), so only what the model cannot say is checked here. Errors:
  // ValidationException for a name the model's pattern accepts but AWS does not (a plain name
  // past 64 characters), InvalidParameterValueException (missing Runtime/Handler, code source,
  // zip, reserved or oversized environment, layers), ResourceConflictException "Function
  // already exist: <name>". UpdateConfiguration and UpdateCode take model-checked input too.
  void Create(CreateFunctionInput input, Callback<Function> done);
  // Creates or updates a function the config file declares (runtime, handler, timeout,
  // memory, declared invoke URL), held to the input model as UpdateFunctionConfiguration's
  // request would be. Blocks until committed: startup only.
  [[nodiscard]] Status Declare(const std::string& name, const std::string& runtime,
                               const std::string& handler, int timeout_seconds, int memory_size_mb,
                               const std::string& invoke_url);
  void UpdateConfiguration(const std::string& function_name, FunctionSettings settings,
                           Callback<Function> done);
  void UpdateCode(const std::string& function_name, UpdateFunctionCodeInput input,
                  Callback<Function> done);
  // Resource-based policies, one per function and per version or alias: stored and answered
  // as AWS words them, not enforced. AddPermission answers the statement (JSON text); its
  // input is one the lambda module's input model accepted (the REST adapter reads requests
  // through it), so the model's patterns are not checked again here.
  void AddPermission(const std::string& function_name, PermissionInput input,
                     Callback<std::string> done);
  void RemovePermission(const std::string& function_name, const std::string& statement_id,
                        std::optional<std::string> revision_id, Callback<bool> done);
  Result<FunctionPolicy> GetPolicy(const std::string& function_name) const;

  // Event invoke configs (qualified name: that version or alias; else $LATEST). Put replaces
  // the whole config, Update changes only what it is given. Errors as AWS answers them:
  // "The function doesn't exist.", "The function <arn> doesn't have an EventInvokeConfig",
  // invalid destinations. The ranges of MaximumRetryAttempts and MaximumEventAgeInSeconds are
  // the input model's to check (the REST adapter reads the request through it).
  void PutEventInvokeConfig(const std::string& function_name, EventInvokeConfig config, bool merge,
                            Callback<EventInvokeConfig> done);
  Result<EventInvokeConfig> GetEventInvokeConfig(const std::string& function_name) const;
  void DeleteEventInvokeConfig(const std::string& function_name, Callback<bool> done);
  Result<std::vector<EventInvokeConfig>> ListEventInvokeConfigs(
      const std::string& function_name) const;
  // What an asynchronous invocation of `function_name` (as named) follows; none: defaults.
  std::optional<EventInvokeConfig> EventInvokeConfigFor(const std::string& function_name) const;

  // Provisioned concurrency of a version or alias (qualified name). AWS's errors: $LATEST or
  // none, InvalidParameterValue; a missing alias or version, ResourceNotFound; an alias over
  // a provisioned version (or the reverse), ResourceConflict; Get of none,
  // ProvisionedConcurrencyConfigNotFound. Delete of none succeeds. `requested` is the input
  // model's PositiveInteger (the request reader holds it to at least 1).
  void PutProvisionedConcurrency(const std::string& function_name, int64_t requested,
                                 Callback<ProvisionedConcurrency> done);
  Result<ProvisionedConcurrency> GetProvisionedConcurrency(const std::string& function_name) const;
  void DeleteProvisionedConcurrency(const std::string& function_name, Callback<bool> done);
  Result<std::vector<ProvisionedConcurrency>> ListProvisionedConcurrency(
      const std::string& function_name) const;

  // Function URLs of the function or of an alias (qualified name), with the errors AWS
  // answers (recorded in LocalStack's TestLambdaUrl): a missing function or alias is
  // "Function does not exist" for Create, Update and List, and "The resource you requested
  // does not exist." for Get and Delete, as is a missing config; a second config for the same
  // qualifier, ResourceConflictException. Deleting the function or the alias deletes its URL.
  void CreateFunctionUrl(const std::string& function_name, FunctionUrlInput input,
                         Callback<FunctionUrlConfig> done);
  void UpdateFunctionUrl(const std::string& function_name, FunctionUrlInput input,
                         Callback<FunctionUrlConfig> done);
  Result<FunctionUrlConfig> GetFunctionUrl(const std::string& function_name) const;
  void DeleteFunctionUrl(const std::string& function_name, Callback<bool> done);
  // Every URL of the function (unqualified first, then aliases by name).
  Result<std::vector<FunctionUrlConfig>> ListFunctionUrls(const std::string& function_name) const;
  // The URL with this id (any case), for serving requests to it.
  std::optional<FunctionUrlConfig> FindFunctionUrl(std::string_view url_id) const;
  // The whole function (versions and aliases included), or with a version qualifier only that
  // version. Errors: ResourceNotFoundException "Function not found: <arn>"; a version an alias
  // names, ResourceConflictException; "$LATEST", InvalidParameterValueException.
  void Delete(const std::string& function_name, Callback<bool> done);

  // `function_name` in any accepted form, qualified by nothing or $LATEST, a version or an
  // alias (the version it names); ResourceNotFoundException "Function not found: <arn>".
  Result<Function> Get(const std::string& function_name) const;

  // Versions. PublishVersion answers the last version again when $LATEST has not changed
  // since; InvalidParameterValueException for a CodeSha256 that is not $LATEST's,
  // PreconditionFailedException for another RevisionId. Its Description's length is the input
  // model's to check (the REST adapter reads the request through it).
  void PublishVersion(const std::string& function_name, PublishVersionInput input,
                      Callback<Function> done);
  // $LATEST first (its ARN qualified with ":$LATEST"), then each version in order.
  Result<std::vector<Function>> ListVersions(const std::string& function_name) const;

  // Aliases. Errors: ResourceNotFoundException for the function, the version or the alias
  // ("Alias not found: <arn>"), ResourceConflictException "Alias already exists: <arn>",
  // InvalidParameterValueException for routing weights. The input is one the lambda module's
  // input model accepted (names, FunctionVersion, Description, the weights' keys and range).
  void CreateAlias(const std::string& function_name, const std::string& alias, AliasInput input,
                   Callback<Alias> done);
  void UpdateAlias(const std::string& function_name, const std::string& alias, AliasInput input,
                   Callback<Alias> done);
  void DeleteAlias(const std::string& function_name, const std::string& alias, Callback<bool> done);
  Result<Alias> GetAlias(const std::string& function_name, const std::string& alias) const;
  // By name; those pointing at `function_version` (either of its versions) when given.
  Result<std::vector<Alias>> ListAliases(const std::string& function_name,
                                         const std::string& function_version) const;
  // Only the invoke essentials (no copy of the configuration): the Invoke hot path.
  // The function as an invocation runs it now (any name form Invoke accepts).
  Result<FunctionTarget> ResolveInvokeTarget(const std::string& function_name) const;
  bool Exists(const std::string& plain_name) const;
  // Sorted by name. `marker` is a previous page's next_marker; max_items 1..10000 (the model's
  // MaxListItems, which the request reader holds it to; below 1 reads as 1).
  Result<FunctionPage> List(const std::string& marker, int max_items) const;

  // PutFunctionConcurrency (`reserved` >= 0) and DeleteFunctionConcurrency (nullopt).
  // Errors: ResourceNotFoundException; InvalidParameterValueException when the account's
  // unreserved concurrency would drop below its minimum (kAccountConcurrency -
  // kMinimumUnreservedConcurrency may be reserved in all).
  void PutConcurrency(const std::string& function_name, std::optional<int> reserved,
                      Callback<Function> done);
  static constexpr int kAccountConcurrency = 1000;  // AWS's default ConcurrentExecutions
  static constexpr int kMinimumUnreservedConcurrency = 100;
  // The reserved concurrency of every function, summed (GetAccountSettings).
  int ReservedConcurrencyTotal() const;
  // GetAccountSettings' AccountUsage: how many functions, and the code sizes of every
  // version of them ($LATEST and published) summed.
  struct Usage {
    int64_t function_count = 0;
    int64_t total_code_size = 0;
  };
  Usage AccountUsage() const;

  // Tags of a function by its ARN (TagResource/UntagResource/ListTags).
  void TagResource(const std::string& arn, Tags tags, Callback<bool> done);
  void UntagResource(const std::string& arn, std::vector<std::string> keys, Callback<bool> done);
  Result<Tags> ListTags(const std::string& arn) const;

  // The zip the function's $LATEST runs (read from SQLite) and its CodeSha256. Errors:
  // ResourceNotFoundException; InvalidParameterValueException for a function whose code
  // is not a stored zip (an image, or S3 code StreamStack does not hold).
  struct Code {
    std::string zip;
    std::string sha256;
  };
  Result<Code> GetCode(const std::string& plain_name, const std::string& version = "$LATEST") const;

  // Called with a function's name after every committed change of its code or
  // configuration and after its deletion (on the Store's writer thread; must not block).
  // Set before serving; not thread-safe against running writes.
  void SetChangeListener(std::function<void(const std::string& name)> listener) {
    on_change_ = std::move(listener);
  }

  // The layers functions may name (CreateFunction / UpdateFunctionConfiguration's Layers).
  // Set before serving; must outlive this object.
  void SetLayers(const Layers* layers) { layers_ = layers; }

  // The ARN of a function name (no existence check).
  std::string ArnOf(const std::string& plain_name) const;
  const AccountScope& scope() const { return scope_; }

 private:
  Status NotFound(const std::string& name, const std::string& qualifier = "") const;
  // The configuration a (qualified) name names; for an alias with a routing config and
  // `route`, the version this invocation goes to.
  Result<std::shared_ptr<const Function>> Resolve(const FunctionName& name, bool route) const;
  std::shared_ptr<const Function> FindVersion(const std::string& plain_name,
                                              const std::string& version) const;
  void WriteAlias(const std::string& function_name, std::shared_ptr<Alias> alias, bool must_be_new,
                  std::optional<std::string> expected_revision, Callback<Alias> done);
  void DeleteQualified(const FunctionName& name, Callback<bool> done);
  Status LoadVersionsAndAliases();
  Status LoadEventInvokeConfigs();
  Status LoadProvisionedConcurrency();
  Status LoadFunctionUrls();
  // The function and alias a URL operation names, checked as AWS checks them; `missing` is
  // the message for a function or alias that does not exist.
  Result<FunctionName> FunctionUrlTarget(const std::string& function_name,
                                         const char* missing) const;
  void WriteFunctionUrl(FunctionUrlConfig config, bool must_be_new,
                        Callback<FunctionUrlConfig> done);
  // The function and qualifier a per-qualifier setting (URL, event invoke config,
  // provisioned concurrency, policy) belongs to, checked against the cache as `rules` say;
  // the second parses a NamespacedFunctionName first.
  Result<FunctionName> ResolveQualifier(const FunctionName& name,
                                        const QualifierRules& rules) const;
  Result<FunctionName> ResolveQualifier(const std::string& function_name,
                                        const QualifierRules& rules) const;
  void Commit(std::shared_ptr<Function> fn, std::optional<std::string> zip, bool must_be_new,
              Callback<Function> done);
  std::shared_ptr<const Function> Find(const std::string& plain_name) const;
  void Mutate(const std::string& function_name, std::function<Status(Function&)> change,
              std::optional<std::string> zip, Callback<Function> done, bool touch = true);

  // Constant after construction.
  storage::Store& store_;
  Clock& clock_;
  const AccountScope scope_;

  std::function<void(const std::string&)> on_change_;  // set before serving
  const Layers* layers_ = nullptr;                     // set before serving
  // The layers a function names, checked as AWS checks them, with their sizes.
  Result<std::vector<std::pair<std::string, int64_t>>> ResolveLayers(
      const std::vector<std::string>& arns) const;

  // The cache. Updated on the writer thread after each COMMIT.
  mutable SharedMutex mu_;
  std::map<std::string, std::shared_ptr<const Function>> by_name_ GUARDED_BY(mu_);
  std::map<std::string, std::map<int64_t, std::shared_ptr<const Function>>> versions_
      GUARDED_BY(mu_);
  std::map<std::string, std::map<std::string, std::shared_ptr<const Alias>>> aliases_
      GUARDED_BY(mu_);

  std::map<std::string, std::map<std::string, EventInvokeConfig>> invoke_configs_ GUARDED_BY(mu_);
  std::map<std::string, std::map<std::string, ProvisionedConcurrency>> provisioned_ GUARDED_BY(mu_);
  std::map<std::string, std::map<std::string, FunctionUrlConfig>> urls_ GUARDED_BY(mu_);
  // -> name, qualifier
  std::map<std::string, std::pair<std::string, std::string>> url_ids_ GUARDED_BY(mu_);

  // Invocations through each weighted alias so far (by alias ARN): which version the next
  // one takes follows from it, so routing is exact and repeatable.
  mutable Mutex routing_mu_;
  mutable std::map<std::string, uint64_t> routed_ GUARDED_BY(routing_mu_);
};

}  // namespace streamstack::lambda
