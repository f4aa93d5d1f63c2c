// dynamodb: table ARNs where AWS takes a table. A TableName member (every item, query, scan,
// batch, transaction and table operation; the keys of RequestItems) may be the table's ARN,
// and the tagging and resource-policy operations name their table by ResourceArn. This
// resolves both to the table name the store knows, with AWS's errors for ARNs of another
// partition, region or account, of an index, or of no shape at all. Pure functions; any
// thread may call them. Knows nothing of HTTP.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "streamstack/common/ids.h"
#include "streamstack/common/status.h"

namespace streamstack::dynamodb {

// True when `value` is meant as an ARN: it begins with "arn:" (a table name cannot contain
// ':', so nothing else is).
bool LooksLikeArn(std::string_view value);

// The table a TableName member names: `name_or_arn` itself when it is not an ARN (the name's
// own rules are checked where the table is looked up), or the name inside a table ARN of
// `scope`'s account and region. The region an ARN must carry is the one our tables' ARNs
// carry (`scope`), so every ARN DescribeTable hands out resolves whatever region a client
// signs with.
// Errors, as AWS answers a TableName ARN:
// - another partition: ValidationException "1 validation error detected: Invalid AWS
//   partition in '<arn>'"
// - another region: ValidationException "1 validation error detected: Invalid AWS region in
//   '<arn>'"
// - another account: AccessDeniedException "Access is denied"
// - a resource other than table/...: ValidationException "1 validation error detected:
//   Invalid resource type in '<arn>'"
// - too few parts, an index or stream ARN, a name outside [a-zA-Z0-9_.-]{3,255}:
//   ValidationException "1 validation error detected: Value '<arn>' at 'tableName' failed
//   to satisfy constraint: Valid ARN format is ..."
Result<std::string> ResolveTableName(const AccountScope& scope, const std::string& name_or_arn);

// The region of an ARN ("arn:<partition>:<service>:<region>:..."), or nullopt for a value
// that is not one.
std::optional<std::string> ArnRegion(std::string_view arn);

// The table RestoreTableToPointInTime's SourceTableArn names: as ResolveTableName, save that
// a value that is no ARN is ValidationException "sourceTableArn is not a valid ARN" and one of
// another account is ValidationException kOtherAccountsResource (recorded, ack-api-quirks
// DDB-TABLE-442 and its point-in-time restore finding).
Result<std::string> ResolveSourceTableArn(const AccountScope& scope, const std::string& arn);

// AWS's answer to a resource policy operation, or a point-in-time restore, naming a resource of
// another account (recorded, ack-api-quirks DDB-TABLE-212, with its typographic apostrophe).
inline constexpr char kOtherAccountsResource[] =
    "This action is only supported by accounts that match the resource owner\u2019s account.";

// Which operation family reads a ResourceArn: their answers to an ARN of another region differ.
enum class ResourceArnUse { kTagging, kResourcePolicy };

// What a ResourceArn names once it is known to be ours.
struct ResourceArnTarget {
  std::string table_name;
  bool is_stream = false;  // arn:...:table/<name>/stream/<label>
};

// The table a ResourceArn (TagResource, UntagResource, ListTagsOfResource, the resource
// policy operations) names. Errors, as AWS answers (all ValidationException unless said):
// - not "arn:...": "One or more parameter values were invalid: ARNs must start with 'arn:':
//   <value>"
// - not a DynamoDB ARN: "One or more parameter values were invalid: Provided Arn is not a
//   DynamoDB resource arn: <arn>"
// - another account: tagging AccessDeniedException "Access is denied", resource policies
//   ValidationException kOtherAccountsResource
// - another region or partition: tagging "Invalid TableArn: Invalid ResourceArn provided as
//   input <arn>", resource policies "One or more parameter values were invalid: Invalid
//   resource Arn: <arn>"
// - an index or another resource type: "One or more parameter values were invalid: Invalid
//   resource arn provided, only table or stream is accepted. Provided resource arn: <arn>"
// - a table name outside the name rules: "Invalid TableArn: Invalid ResourceArn provided as
//   input <arn>"
Result<ResourceArnTarget> ResolveResourceArn(const AccountScope& scope, const std::string& arn,
                                             ResourceArnUse use);

// The id of the backup a BackupArn names (what follows "/backup/"), as DescribeBackup,
// DeleteBackup and RestoreTableFromBackup find it: AWS ignores the ARN's region and table name
// (recorded, ack-api-quirks DDB-BACKUP-012: another region's ARN finds the backup, echoed).
// ValidationException "Invalid Backup ARN" for a value that is no backup ARN (recorded,
// DDB-TABLE-442), "BackupArn is not valid" for a partition, service or region that is none;
// AccessDeniedException "Access is denied" for another account, and for an empty region
// (recorded without its text; the account's assumed). Which names are regions: AWS's
// partitions' naming (us-east-1, ap-southeast-2, us-gov-west-1, ...), not a list of them.
Result<std::string> ResolveBackupArn(const AccountScope& scope, const std::string& arn);

// AWS's answer when a ResourceArn resolved but names no table (or stream) of ours:
// ResourceNotFoundException "Requested resource not found: ResourceArn: <arn> not found".
Status ResourceArnNotFound(const std::string& arn);

}  // namespace streamstack::dynamodb
