#include "lambda/qualified_settings.h"

#include "lambda/function_record.h"

namespace streamstack::lambda {

std::string StoredQualifier(const FunctionName& name, const QualifierRules& rules) {
  return name.qualifier.empty() ? rules.unqualified_as : name.qualifier;
}

Result<FunctionName> ResolveQualifier(const FunctionName& name, const QualifierRules& rules,
                                      const FunctionLookup& lookup) {
  const std::string& q = name.qualifier;
  if (q.empty() && rules.unqualified_refused) return *rules.unqualified_refused;
  if (q == "$LATEST" && rules.latest_refused) return *rules.latest_refused;
  const std::string arn = lookup.arn_of(name.name);
  const bool names_version_or_alias = !q.empty() && q != "$LATEST";
  if ((rules.function_first || !names_version_or_alias) && !lookup.has_function(name.name)) {
    return rules.function_missing.value_or(
        Status(AwsError::kResourceNotFound, "Function not found: " + arn));
  }
  if (names_version_or_alias) {
    // A qualifier of digits names a version; an alias name is never all digits.
    if (IsNumeric(q)) {
      if (!lookup.has_version(name.name, q)) {
        return rules.version_missing.value_or(
            Status(AwsError::kResourceNotFound, "Function not found: " + arn + ":" + q));
      }
    } else if (!lookup.has_alias(name.name, q)) {  // none when the function is missing
      return rules.alias_missing.value_or(
          Status(AwsError::kResourceNotFound, "Cannot find alias arn: " + arn + ":" + q));
    }
  }
  return FunctionName{name.name, StoredQualifier(name, rules)};
}

Result<FunctionName> Functions::ResolveQualifier(const FunctionName& name,
                                                 const QualifierRules& rules) const {
  FunctionLookup lookup{
      .has_function = [this](const std::string& fn) { return Find(fn) != nullptr; },
      .has_version = [this](const std::string& fn,
                            const std::string& v) { return FindVersion(fn, v) != nullptr; },
      .has_alias = [this](const std::string& fn,
                          const std::string& alias) { return GetAlias(fn, alias).ok(); },
      .arn_of = [this](const std::string& fn) { return ArnOf(fn); },
  };
  return lambda::ResolveQualifier(name, rules, lookup);
}

Result<FunctionName> Functions::ResolveQualifier(const std::string& function_name,
                                                 const QualifierRules& rules) const {
  STREAMSTACK_ASSIGN_OR_RETURN(auto name, ParseFunctionName(function_name, NameShape::kNamespaced));
  return ResolveQualifier(name, rules);
}

}  // namespace streamstack::lambda
