#include "lambda/policy_record.h"

#include "streamstack/common/ids.h"

namespace streamstack::lambda {

PolicyRecord PolicyRecord::Parse(std::string_view text, const char* get_api) {
  PolicyRecord record(get_api);
  auto j = nlohmann::ordered_json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return record;
  record.revision_id_ = j.value("revision_id", "");
  if (j.contains("statements") && j["statements"].is_array()) {
    record.statements_ = std::move(j["statements"]);
  }
  return record;
}

Status PolicyRecord::CheckRevision(const std::optional<std::string>& expected) const {
  if (!expected || *expected == revision_id_) return Status::Ok();
  return Status(AwsError::kPreconditionFailed,
                std::string("The Revision Id provided does not match the latest Revision Id. "
                            "Call the ") +
                    get_api_ + " API to retrieve the latest Revision Id");
}

Status PolicyRecord::Add(nlohmann::ordered_json statement,
                         const std::optional<std::string>& expected_revision) {
  STREAMSTACK_RETURN_IF_ERROR(CheckRevision(expected_revision));
  const std::string sid = statement.value("Sid", "");
  for (const auto& existing : statements_) {
    if (existing.value("Sid", "") == sid) {
      return Status(AwsError::kResourceConflict,
                    "The statement id (" + sid +
                        ") provided already exists. Please provide a new statement id, or "
                        "remove the existing statement.");
    }
  }
  statements_.push_back(std::move(statement));
  return Status::Ok();
}

Status PolicyRecord::Remove(const std::string& statement_id,
                            const std::optional<std::string>& expected_revision) {
  STREAMSTACK_RETURN_IF_ERROR(CheckRevision(expected_revision));
  nlohmann::ordered_json kept = nlohmann::ordered_json::array();
  for (auto& s : statements_) {
    if (s.value("Sid", "") != statement_id) kept.push_back(std::move(s));
  }
  if (kept.size() == statements_.size()) {
    statements_ = std::move(kept);
    return Status(AwsError::kResourceNotFound,
                  "Statement " + statement_id + " is not found in resource policy.");
  }
  statements_ = std::move(kept);
  return Status::Ok();
}

std::string PolicyRecord::Document() const {
  nlohmann::ordered_json document = {
      {"Version", "2012-10-17"}, {"Id", "default"}, {"Statement", statements_}};
  return document.dump();
}

std::string PolicyRecord::Encode() {
  revision_id_ = NewUuidV4();
  return nlohmann::ordered_json{{"revision_id", revision_id_}, {"statements", statements_}}.dump();
}

}  // namespace streamstack::lambda
