// lambda: what the settings a function keeps per qualifier -- function URLs, event invoke
// configs, provisioned concurrency, resource policies -- have in common: resolving the
// (function, qualifier) a name gives, and their caches by function and qualifier. Each
// setting answers a name that names nothing in AWS's words for that setting; it states
// those words once as QualifierRules. Private to lambda. The cache helpers lock nothing
// (callers hold Functions' mutex) except LoadQualified and DeleteQualifiedSetting, which take
// it around the Store's read or write.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "streamstack/common/status.h"
#include "streamstack/common/thread_annotations.h"
#include "streamstack/lambda/function.h"
#include "streamstack/storage/store.h"

namespace streamstack::lambda {

// How one setting takes a name's qualifier, and what AWS answers when the name does not
// name something that exists. Checked in this order: refused qualifiers, then the function,
// then the version or alias.
struct QualifierRules {
  // The qualifier an unqualified name is stored under: '' (the function itself) or
  // "$LATEST".
  std::string unqualified_as = "";
  // AWS's answers for a name without a qualifier and for $LATEST, where the setting takes
  // neither; given before anything is looked up. Unset: taken.
  std::optional<Status> unqualified_refused = std::nullopt;
  std::optional<Status> latest_refused = std::nullopt;
  // True: a missing function is answered as such. False: as the version or alias the name
  // gives (provisioned concurrency, where AWS names the missing alias or version even when
  // the function is missing too).
  bool function_first = true;
  // AWS's words for what does not exist. Unset: ResourceNotFoundException
  // "Function not found: <arn>", "Function not found: <arn>:<version>",
  // "Cannot find alias arn: <arn>:<alias>".
  std::optional<Status> function_missing = std::nullopt;
  std::optional<Status> version_missing = std::nullopt;
  std::optional<Status> alias_missing = std::nullopt;
};

// What ResolveQualifier asks of the functions; Functions answers from its cache, tests from
// a table.
struct FunctionLookup {
  std::function<bool(const std::string& name)> has_function;
  std::function<bool(const std::string& name, const std::string& version)> has_version;
  std::function<bool(const std::string& name, const std::string& alias)> has_alias;
  std::function<std::string(const std::string& name)> arn_of;
};

// The qualifier `name` is stored under by a setting with these rules (no existence check).
std::string StoredQualifier(const FunctionName& name, const QualifierRules& rules);

// `name`, its qualifier as stored, when the setting takes that qualifier and the function and
// the version (digits) or alias it names exist; else the rules' answer.
Result<FunctionName> ResolveQualifier(const FunctionName& name, const QualifierRules& rules,
                                      const FunctionLookup& lookup);

// A setting's cache: by function name, then by qualifier (the order AWS lists them in).
template <typename T>
using QualifiedSettings = std::map<std::string, std::map<std::string, T>>;

// The setting of (`name`, `qualifier`); none when there is none.
template <typename T>
std::optional<T> FindQualified(const QualifiedSettings<T>& settings, const std::string& name,
                               const std::string& qualifier) {
  auto fn = settings.find(name);
  if (fn == settings.end()) return std::nullopt;
  auto it = fn->second.find(qualifier);
  if (it == fn->second.end()) return std::nullopt;
  return it->second;
}

// Every setting of the function `name`, by qualifier.
template <typename T>
std::vector<T> ListQualified(const QualifiedSettings<T>& settings, const std::string& name) {
  std::vector<T> out;
  auto fn = settings.find(name);
  if (fn == settings.end()) return out;
  for (const auto& [qualifier, setting] : fn->second) out.push_back(setting);
  return out;
}

template <typename T>
void EraseQualified(QualifiedSettings<T>& settings, const std::string& name,
                    const std::string& qualifier) {
  auto fn = settings.find(name);
  if (fn != settings.end()) fn->second.erase(qualifier);
}

// Reads every row of `select_all` into `cache`, under `mu`; `decode` makes a setting of the
// current row, keyed by its function_name and qualifier (none: a record this version cannot
// read, left out). Startup only.
template <typename T, typename Decode>
Status LoadQualified(storage::Store& store, const char* select_all, SharedMutex& mu,
                     QualifiedSettings<T>& cache, Decode decode) {
  return store.Read([&](storage::Database& db) -> Status {
    WriterLock lock(mu);
    auto& st = db.Prepare(select_all);
    while (true) {
      STREAMSTACK_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      std::optional<T> setting = decode(st);
      if (!setting) continue;
      auto& by_qualifier = cache[setting->function_name];
      by_qualifier[setting->qualifier] = std::move(*setting);
    }
    return Status::Ok();
  });
}

// Deletes the row of (`key.name`, `key.qualifier`) with `delete_sql` (which binds the two,
// in that order) and, after the COMMIT, its copy in `cache` under `mu`; answers true whether
// or not there was one. `cache` and `mu` must outlive the write (members of Functions).
template <typename T>
void DeleteQualifiedSetting(storage::Store& store, const char* delete_sql, SharedMutex& mu,
                            QualifiedSettings<T>& cache, FunctionName key,
                            std::function<void(Result<bool>)> done) {
  store.Write(
      [delete_sql, &mu, &cache, key](storage::WriteContext& ctx) -> Status {
        auto& st = ctx.db().Prepare(delete_sql);
        st.Bind(1, key.name);
        st.Bind(2, key.qualifier);
        STREAMSTACK_RETURN_IF_ERROR(st.Run());
        ctx.OnCommit([&mu, &cache, key] {
          WriterLock lock(mu);
          EraseQualified(cache, key.name, key.qualifier);
        });
        return Status::Ok();
      },
      [done = std::move(done)](Status status) {
        if (!status.ok()) return done(std::move(status));
        done(true);
      });
}

}  // namespace streamstack::lambda
