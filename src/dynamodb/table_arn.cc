#include "streamstack/dynamodb/table_arn.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "streamstack/common/text.h"

namespace streamstack::dynamodb {
namespace {

// arn:<partition>:<service>:<region>:<account>:<resource>; the resource keeps any ':'.
struct ArnParts {
  std::string partition;
  std::string service;
  std::string region;
  std::string account;
  std::string resource;
};

// The first `n` fields of an ARN, each ended by ':', and what follows them; nullopt when it
// has fewer or does not begin with "arn".
struct ArnFields {
  std::vector<std::string_view> fields;
  std::string_view rest;
};
std::optional<ArnFields> SplitArnFields(std::string_view arn, size_t n) {
  ArnFields out;
  size_t start = 0;
  while (out.fields.size() < n) {
    size_t colon = arn.find(':', start);
    if (colon == std::string_view::npos) return std::nullopt;
    out.fields.push_back(arn.substr(start, colon - start));
    start = colon + 1;
  }
  if (out.fields[0] != "arn") return std::nullopt;
  out.rest = arn.substr(start);
  return out;
}

std::optional<ArnParts> SplitArn(std::string_view arn) {
  auto split = SplitArnFields(arn, 5);
  if (!split) return std::nullopt;
  const auto& f = split->fields;
  return ArnParts{std::string(f[1]), std::string(f[2]), std::string(f[3]), std::string(f[4]),
                  std::string(split->rest)};
}

bool ValidTableName(std::string_view name) {
  if (name.size() < 3 || name.size() > 255) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  });
}

Status AccessDenied() { return Status(AwsError::kAccessDenied, "Access is denied"); }

// Whether `region` reads as an AWS region: <area>-[<qualifier>-]<direction>-<n>.
bool LooksLikeRegion(std::string_view region) {
  static constexpr std::string_view kAreas[] = {"us", "eu", "ap", "sa", "ca",
                                                "me", "af", "il", "mx", "cn"};
  static constexpr std::string_view kWords[] = {"east",      "west",      "north",     "south",
                                                "central",   "northeast", "northwest", "southeast",
                                                "southwest", "gov",       "iso",       "isob"};
  const std::vector<std::string_view> parts = SplitOn(region, '-');
  if (parts.size() < 3) return false;
  auto in = [](std::string_view word, const auto& words) {
    return std::find(std::begin(words), std::end(words), word) != std::end(words);
  };
  if (!in(parts.front(), kAreas)) return false;
  for (size_t i = 1; i + 1 < parts.size(); ++i) {
    if (!in(parts[i], kWords)) return false;
  }
  const std::string_view n = parts.back();
  return !n.empty() && std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// AWS: TableName's ARN checks read "1 validation error detected: <what> in '<arn>'"
// (terraform-provider-aws#42792 records the region one).
Status TableNameArnError(const char* what, const std::string& arn) {
  return ValidationError(std::string("1 validation error detected: ") + what + " in '" + arn + "'");
}

Status TableNameArnFormat(const std::string& arn) {
  return ValidationError(
      "1 validation error detected: Value '" + arn +
      "' at 'tableName' failed to satisfy constraint: Valid ARN format is "
      "'arn:<awsPartition>:<vendor>:<region>:<subscriber>:resourceType/resourceName', where "
      "Resource name must have length less than or equal to 255, Resource name must have "
      "length greater than or equal to 3, Resource name must satisfy regular expression "
      "pattern: [a-zA-Z0-9_.-]+");
}

Status InvalidResourceArn(const std::string& arn) {
  return ValidationError("Invalid TableArn: Invalid ResourceArn provided as input " + arn);
}

Status InvalidParameter(const std::string& detail) {
  return ValidationError("One or more parameter values were invalid: " + detail);
}

}  // namespace

bool LooksLikeArn(std::string_view value) { return value.starts_with("arn:"); }

Result<std::string> ResolveTableName(const AccountScope& scope, const std::string& name_or_arn) {
  if (!LooksLikeArn(name_or_arn)) return name_or_arn;
  auto parts = SplitArn(name_or_arn);
  if (!parts) return TableNameArnFormat(name_or_arn);
  if (parts->partition != "aws") return TableNameArnError("Invalid AWS partition", name_or_arn);
  if (parts->region != scope.region) return TableNameArnError("Invalid AWS region", name_or_arn);
  if (parts->account != scope.account_id) return AccessDenied();
  if (parts->service != "dynamodb" || !parts->resource.starts_with("table/")) {
    return TableNameArnError("Invalid resource type", name_or_arn);
  }
  std::string name = parts->resource.substr(6);
  if (!ValidTableName(name)) return TableNameArnFormat(name_or_arn);  // index/stream ARNs too
  return name;
}

std::optional<std::string> ArnRegion(std::string_view arn) {
  auto split = SplitArnFields(arn, 4);
  if (!split) return std::nullopt;
  return std::string(split->fields[3]);
}

Result<std::string> ResolveSourceTableArn(const AccountScope& scope, const std::string& arn) {
  auto parts = SplitArn(arn);
  if (!parts) return ValidationError("sourceTableArn is not a valid ARN");
  if (parts->account != scope.account_id) return ValidationError(kOtherAccountsResource);
  return ResolveTableName(scope, arn);
}

Result<std::string> ResolveBackupArn(const AccountScope& scope, const std::string& arn) {
  const size_t backup = arn.find("/backup/");
  auto parts = SplitArn(arn);
  if (!parts || backup == std::string::npos || arn.find(":table/") == std::string::npos) {
    return ValidationError("Invalid Backup ARN");
  }
  if (parts->partition != "aws" || parts->service != "dynamodb") {
    return ValidationError("BackupArn is not valid");
  }
  if (parts->region.empty()) return AccessDenied();
  if (!LooksLikeRegion(parts->region)) return ValidationError("BackupArn is not valid");
  if (parts->account != scope.account_id) return AccessDenied();
  return arn.substr(backup + 8);
}

Result<ResourceArnTarget> ResolveResourceArn(const AccountScope& scope, const std::string& arn,
                                             ResourceArnUse use) {
  if (!LooksLikeArn(arn)) return InvalidParameter("ARNs must start with 'arn:': " + arn);
  auto parts = SplitArn(arn);
  if (!parts) return InvalidResourceArn(arn);
  if (parts->service != "dynamodb") {
    return InvalidParameter("Provided Arn is not a DynamoDB resource arn: " + arn);
  }
  if (parts->account != scope.account_id) {
    if (use == ResourceArnUse::kResourcePolicy) return ValidationError(kOtherAccountsResource);
    return AccessDenied();
  }
  if (parts->partition != "aws" || parts->region != scope.region) {
    if (use == ResourceArnUse::kResourcePolicy) {
      return InvalidParameter("Invalid resource Arn: " + arn);
    }
    return InvalidResourceArn(arn);
  }
  auto only_table_or_stream = [&] {
    return InvalidParameter(
        "Invalid resource arn provided, only table or stream is accepted. Provided resource "
        "arn: " +
        arn);
  };
  if (!parts->resource.starts_with("table/")) return only_table_or_stream();
  std::string rest = parts->resource.substr(6);
  ResourceArnTarget target;
  size_t slash = rest.find('/');
  target.table_name = rest.substr(0, slash);
  if (slash != std::string::npos) {
    std::string_view sub = std::string_view(rest).substr(slash + 1);
    if (!sub.starts_with("stream/") || sub.size() == 7) return only_table_or_stream();
    target.is_stream = true;
  }
  if (!ValidTableName(target.table_name)) return InvalidResourceArn(arn);
  return target;
}

Status ResourceArnNotFound(const std::string& arn) {
  return Status(AwsError::kResourceNotFound,
                "Requested resource not found: ResourceArn: " + arn + " not found");
}

}  // namespace streamstack::dynamodb
