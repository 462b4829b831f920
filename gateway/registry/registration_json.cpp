#include "registration_json.hpp"

#include <nlohmann/json.hpp>

#include "unix_nanos.hpp"

namespace gateway {
namespace {

using Json = nlohmann::json;

Json typesToArray(const std::vector<crnp::EventType>& types) {
  Json array = Json::array();
  for (const auto& type : types) {
    Json pairs = Json::array();
    for (const auto& pair : type.nvpairs)
      pairs.push_back({{"name", pair.name}, {"values", pair.values}});
    array.push_back({{"class", type.eventClass}, {"subclass", type.subclass}, {"nvpairs", pairs}});
  }
  return array;
}

std::optional<std::vector<crnp::EventType>> typesFromArray(const Json& array) {
  if (!array.is_array()) return std::nullopt;
  std::vector<crnp::EventType> types;
  try {
    for (const auto& item : array) {
      crnp::EventType type;
      type.eventClass = item.at("class").get<std::string>();
      type.subclass = item.at("subclass").get<std::string>();
      for (const auto& pair : item.at("nvpairs")) {
        type.nvpairs.push_back({pair.at("name").get<std::string>(),
                                pair.at("values").get<std::vector<std::string>>()});
      }
      types.push_back(std::move(type));
    }
  } catch (const Json::exception&) {
    return std::nullopt;  // wrong shape: the caller names the registration
  }
  return types;
}

}  // namespace

std::string typesToJson(const std::vector<crnp::EventType>& types) {
  return typesToArray(types).dump();  // throws on invalid UTF-8
}

std::optional<std::vector<crnp::EventType>> typesFromJson(const std::string& text) {
  return typesFromArray(Json::parse(text, nullptr, /*allow_exceptions=*/false));
}

std::string recordToJson(const RegistrationRecord& record) {
  const Json object{{"id", record.id},
                    {"eventTypes", typesToArray(record.types)},
                    {"createTimeNs", toUnixNanos(record.createTime)},
                    {"updateTimeNs", toUnixNanos(record.updateTime)}};
  return object.dump();  // throws on invalid UTF-8
}

std::optional<RegistrationRecord> recordFromJson(const std::string& text) {
  const Json object = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!object.is_object()) return std::nullopt;
  try {
    RegistrationRecord record;
    record.id = object.at("id").get<std::string>();
    auto types = typesFromArray(object.at("eventTypes"));
    if (!types) return std::nullopt;
    record.types = std::move(*types);
    record.createTime = fromUnixNanos(object.at("createTimeNs").get<std::int64_t>());
    record.updateTime = fromUnixNanos(object.at("updateTimeNs").get<std::int64_t>());
    return record;
  } catch (const Json::exception&) {
    return std::nullopt;
  }
}

}  // namespace gateway
