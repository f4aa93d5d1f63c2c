// lambda: a resource-based policy as stored -- its statements and RevisionId -- with the
// rules AWS applies when statements are added and removed. Shared by function policies
// (AddPermission) and layer version policies (AddLayerVersionPermission); the SQL that holds
// the record stays with each. A value; one thread at a time. Private to lambda.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "streamstack/common/status.h"

namespace streamstack::lambda {

class PolicyRecord {
 public:
  // `get_api` names the operation AWS's PreconditionFailed message points to ("GetPolicy",
  // "GetLayerPolicy").
  explicit PolicyRecord(const char* get_api) : get_api_(get_api) {}
  // The stored text; a malformed record reads as no policy.
  static PolicyRecord Parse(std::string_view text, const char* get_api);

  bool empty() const { return statements_.empty(); }
  const std::string& revision_id() const { return revision_id_; }

  // Errors: PreconditionFailed when `expected_revision` is not this policy's RevisionId;
  // ResourceConflict for a statement id in use.
  Status Add(nlohmann::ordered_json statement, const std::optional<std::string>& expected_revision);
  // Errors: PreconditionFailed as for Add; ResourceNotFound "Statement <sid> is not found in
  // resource policy."
  Status Remove(const std::string& statement_id,
                const std::optional<std::string>& expected_revision);

  // The policy document: {"Version":"2012-10-17","Id":"default","Statement":[...]}.
  std::string Document() const;
  // The text to store, under a new RevisionId (every change is one).
  std::string Encode();

 private:
  Status CheckRevision(const std::optional<std::string>& expected) const;

  const char* get_api_;
  std::string revision_id_;
  nlohmann::ordered_json statements_ = nlohmann::ordered_json::array();
};

}  // namespace streamstack::lambda
