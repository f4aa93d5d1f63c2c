// JSON text for values stored as text columns (tags, attributes): string -> string maps.
// Pure functions; any thread may call them.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace streamstack {

// {"k": "v", ...}
std::string StringMapToJson(const std::map<std::string, std::string>& map);
// The string members of a JSON object; anything else (not JSON, not an object, members that
// are not strings) reads as nothing.
std::map<std::string, std::string> StringMapFromJson(std::string_view json_text);

}  // namespace streamstack
