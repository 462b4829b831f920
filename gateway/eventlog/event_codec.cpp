#include "event_codec.hpp"

#include <nlohmann/json.hpp>

namespace gateway {
namespace {

using Json = nlohmann::json;

Json pairsToJson(const std::vector<crnp::NvPair>& pairs) {
  Json array = Json::array();
  for (const auto& pair : pairs) array.push_back({{"name", pair.name}, {"values", pair.values}});
  return array;
}

}  // namespace

std::string encodeEvent(const crnp::Event& event) {
  return Json{{"version", event.version},     {"class", event.eventClass},
              {"subclass", event.subclass},   {"vendor", event.vendor},
              {"publisher", event.publisher}, {"nvpairs", pairsToJson(event.nvpairs)}}
      .dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::optional<crnp::Event> decodeEvent(std::string_view text) {
  const Json object = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!object.is_object()) return std::nullopt;
  try {
    crnp::Event event;
    event.version = object.at("version").get<std::string>();
    event.eventClass = object.at("class").get<std::string>();
    event.subclass = object.at("subclass").get<std::string>();
    event.vendor = object.at("vendor").get<std::string>();
    event.publisher = object.at("publisher").get<std::string>();
    for (const auto& pair : object.at("nvpairs")) {
      event.nvpairs.push_back(
          {pair.at("name").get<std::string>(), pair.at("values").get<std::vector<std::string>>()});
    }
    return event;
  } catch (const Json::exception&) {
    return std::nullopt;
  }
}

std::string encodeEventKey(const crnp::EventType& key) {
  return Json{
      {"class", key.eventClass}, {"subclass", key.subclass}, {"nvpairs", pairsToJson(key.nvpairs)}}
      .dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace gateway
