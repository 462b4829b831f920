#include "state_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <nlohmann/json.hpp>

namespace crnp::sim {
namespace {

using nlohmann::json;
constexpr int kFormatVersion = 1;

std::error_code lastError() { return {errno, std::system_category()}; }

/// Writes all of `text` to `fd`, retrying short writes and EINTR.
std::error_code writeAll(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return lastError();
    }
    done += static_cast<std::size_t>(n);
  }
  return {};
}

std::error_code syncDirectoryOf(const std::string& path) {
  auto dir = std::filesystem::path(path).parent_path();
  if (dir.empty()) dir = ".";
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return lastError();
  std::error_code ec;
  if (::fsync(fd) != 0) ec = lastError();
  ::close(fd);
  return ec;
}

json typeToJson(const EventType& type) {
  json pairs = json::array();
  for (const auto& pair : type.nvpairs)
    pairs.push_back({{"name", pair.name}, {"values", pair.values}});
  return {{"class", type.eventClass}, {"subclass", type.subclass}, {"nvpairs", pairs}};
}

EventType typeFromJson(const json& j) {
  EventType type;
  type.eventClass = j.at("class").get<std::string>();
  type.subclass = j.value("subclass", std::string{});
  for (const auto& pair : j.value("nvpairs", json::array())) {
    type.nvpairs.push_back(
        {pair.at("name").get<std::string>(), pair.at("values").get<std::vector<std::string>>()});
  }
  return type;
}

}  // namespace

std::string StateStore::serialize(const std::vector<ClientRegistration>& clients) {
  json list = json::array();
  for (const auto& client : clients) {
    json types = json::array();
    for (const auto& type : client.types) types.push_back(typeToJson(type));
    list.push_back({{"ip", client.callback.address().to_string()},
                    {"port", client.callback.port()},
                    {"types", types}});
  }
  return json{{"version", kFormatVersion}, {"clients", list}}.dump(2) + "\n";
}

bool StateStore::deserialize(const std::string& text, std::vector<ClientRegistration>& clients,
                             std::string* why) {
  // Loading happens once at start-up, off any hot path: exceptions are fine here.
  try {
    const json root = json::parse(text);
    if (root.at("version").get<int>() != kFormatVersion) {
      if (why) *why = "unsupported state file version " + root.at("version").dump();
      return false;
    }
    std::vector<ClientRegistration> loaded;
    for (const auto& entry : root.at("clients")) {
      boost::system::error_code ec;
      const auto ip = boost::asio::ip::make_address(entry.at("ip").get<std::string>(), ec);
      const auto port = entry.at("port").get<int>();
      if (ec || port <= 0 || port > 65535) {
        if (why)
          *why = "bad callback address " + entry.at("ip").dump() + ":" + std::to_string(port);
        return false;
      }
      ClientRegistration client;
      client.callback = {ip, static_cast<unsigned short>(port)};
      for (const auto& type : entry.at("types")) client.types.push_back(typeFromJson(type));
      loaded.push_back(std::move(client));
    }
    clients = std::move(loaded);
    return true;
  } catch (const json::exception& e) {
    if (why) *why = e.what();
    return false;
  }
}

std::error_code StateStore::save(const std::vector<ClientRegistration>& clients) const {
  if (!enabled()) return {};
  const std::string temporary = path_ + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return lastError();
  std::error_code ec = writeAll(fd, serialize(clients));
  if (!ec && ::fsync(fd) != 0) ec = lastError();
  if (::close(fd) != 0 && !ec) ec = lastError();
  if (!ec && ::rename(temporary.c_str(), path_.c_str()) != 0) ec = lastError();
  if (ec) {
    ::unlink(temporary.c_str());
    return ec;
  }
  return syncDirectoryOf(path_);
}

std::error_code StateStore::load(std::vector<ClientRegistration>& clients, std::string* why) const {
  clients.clear();
  if (!enabled()) return {};
  const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return {};  // first start: nothing registered yet
    const auto ec = lastError();
    if (why) *why = "cannot open " + path_ + ": " + ec.message();
    return ec;
  }
  std::string text;
  char chunk[8192];
  std::error_code ec;
  for (;;) {
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) ec = lastError();
    if (n <= 0) break;
    text.append(chunk, static_cast<std::size_t>(n));
  }
  ::close(fd);
  if (ec) {
    if (why) *why = "cannot read " + path_ + ": " + ec.message();
    return ec;
  }
  if (!deserialize(text, clients, why)) {
    if (why) *why = path_ + ": " + *why;
    return std::make_error_code(std::errc::invalid_argument);
  }
  return {};
}

}  // namespace crnp::sim
