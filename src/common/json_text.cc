#include "streamstack/common/json_text.h"

#include <nlohmann/json.hpp>

namespace streamstack {

std::string StringMapToJson(const std::map<std::string, std::string>& map) {
  return nlohmann::json(map).dump();
}

std::map<std::string, std::string> StringMapFromJson(std::string_view json_text) {
  std::map<std::string, std::string> out;
  nlohmann::json j = nlohmann::json::parse(json_text, nullptr, false);
  if (!j.is_object()) return out;
  for (auto& [k, v] : j.items()) {
    if (v.is_string()) out[k] = v.get<std::string>();
  }
  return out;
}

}  // namespace streamstack
