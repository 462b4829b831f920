#include "log_entry_codec.hpp"

#include <charconv>

#include "event_codec.hpp"
#include "unix_nanos.hpp"

namespace gateway::ha {

std::string encodeLogEntry(const crnp::Event& event,
                           std::chrono::system_clock::time_point received) {
  return std::to_string(toUnixNanos(received)) + "\n" + encodeEvent(event);
}

std::optional<LogEntry> decodeLogEntry(std::string_view value) {
  const auto newline = value.find('\n');
  if (newline == std::string_view::npos || newline == 0) return std::nullopt;
  std::int64_t nanos = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + newline, nanos);
  if (error != std::errc() || end != value.data() + newline) return std::nullopt;
  auto event = decodeEvent(value.substr(newline + 1));
  if (!event) return std::nullopt;
  return LogEntry{std::move(*event), fromUnixNanos(nanos)};
}

}  // namespace gateway::ha
