// lambda: layers. A layer version is an immutable zip (with the runtimes and architectures it
// says it suits) that functions name by its ARN; the local runtimes find its nodejs/, python/,
// bin/ and lib/ folders as AWS's runtimes find them under /opt. Stored in SQLite (module
// "lambda"); numbers are never reused, even after a version is deleted.
// Thread safety: every public method may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "streamstack/common/clock.h"
#include "streamstack/common/ids.h"
#include "streamstack/common/status.h"
#include "streamstack/storage/store.h"

namespace streamstack::lambda {

struct LayerVersion {
  std::string layer_name;
  std::string layer_arn;          // arn:aws:lambda:<region>:<account>:layer:<name>
  std::string layer_version_arn;  // ...:<version>
  int64_t version = 0;
  std::string description;
  std::vector<std::string> compatible_runtimes;
  std::vector<std::string> compatible_architectures;
  std::string license_info;
  int64_t created_ms = 0;
  std::string code_sha256;  // base64
  int64_t code_size = 0;
};

struct PublishLayerInput {
  std::optional<std::string> description;
  std::optional<std::string> zip;  // the Content's ZipFile bytes
  bool content_from_s3 = false;    // S3Bucket/S3Key: refused until an S3 service exists
  std::vector<std::string> compatible_runtimes;
  std::vector<std::string> compatible_architectures;
  std::optional<std::string> license_info;
};

// AddLayerVersionPermission's statement parts.
struct LayerPermissionInput {
  std::string statement_id;
  std::string action;     // only lambda:GetLayerVersion
  std::string principal;  // an account id, "*" or an account's root ARN
  std::string organization_id;
  std::optional<std::string> revision_id;
};
// A layer version's policy document (JSON text) or one statement of it, and the policy's
// RevisionId.
struct LayerPolicyText {
  std::string text;
  std::string revision_id;
};
class Layers {
 public:
  template <typename T>
  using Callback = std::function<void(Result<T>)>;

  // `store` and `clock` must outlive this object.
  Layers(storage::Store& store, Clock& clock, AccountScope scope);
  // Creates the schema (it is the lambda module's, migrated by Functions::Open first).
  [[nodiscard]] Status Open();

  // The operations take requests the lambda module's input model accepted (the REST adapter
  // reads every request through it): the model's constraints on names, lengths, patterns and
  // enums are not checked again here.
  void Publish(const std::string& layer_name, PublishLayerInput input, Callback<LayerVersion> done);
  // ResourceNotFoundException "The resource you requested does not exist."; versions below 1
  // InvalidParameterValueException "Layer Version Cannot be less than 1".
  Result<LayerVersion> Get(const std::string& layer_name, int64_t version) const;
  // An ARN that names no layer version is ResourceNotFoundException as well.
  Result<LayerVersion> GetByArn(const std::string& layer_version_arn) const;
  // Newest first; those suiting `runtime` / `architecture` when given.
  Result<std::vector<LayerVersion>> ListVersions(const std::string& layer_name,
                                                 const std::string& runtime,
                                                 const std::string& architecture) const;
  // Each layer's newest suiting version, by name.
  Result<std::vector<LayerVersion>> ListLatest(const std::string& runtime,
                                               const std::string& architecture) const;
  // Deleting a version that is not there succeeds, as on AWS.
  void Delete(const std::string& layer_name, int64_t version, Callback<bool> done);

  // Layer version permissions: stored and answered as AWS words them (LocalStack's
  // TestLambdaLayer::test_layer_policy_* recordings), not enforced. AddPermission answers the
  // statement; errors: "Layer version <arn> does not exist.", a statement id in use
  // (ResourceConflict), another RevisionId (PreconditionFailed).
  void AddPermission(const std::string& layer_name, int64_t version, LayerPermissionInput input,
                     Callback<LayerPolicyText> done);
  void RemovePermission(const std::string& layer_name, int64_t version,
                        const std::string& statement_id, std::optional<std::string> revision_id,
                        Callback<bool> done);
  Result<LayerPolicyText> GetPolicy(const std::string& layer_name, int64_t version) const;
  // The bytes of every layer version's zip, summed (GetAccountSettings).
  Result<int64_t> TotalCodeSize() const;
  // The zip of a layer version and its CodeSha256 (for the local runtimes).
  struct Code {
    std::string zip;
    std::string sha256;
  };
  Result<Code> GetCode(const std::string& layer_version_arn) const;

  // The name and version a layer version ARN names; nullopt when it is not one.
  static std::optional<std::pair<std::string, int64_t>> ParseVersionArn(const std::string& arn);
  std::string ArnOf(const std::string& layer_name) const;

 private:
  // The version's ARN when it exists; ResourceNotFoundException as AWS words it otherwise.
  Result<std::string> ExistingVersionArn(storage::Database& db, const std::string& name,
                                         int64_t version) const;
  storage::Store& store_;
  Clock& clock_;
  const AccountScope scope_;
};

}  // namespace streamstack::lambda
