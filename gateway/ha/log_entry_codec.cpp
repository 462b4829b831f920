#include "log_entry_codec.hpp"

#include <charconv>

#include "crnp/structured_log.hpp"
#include "event_codec.hpp"
#include "unix_nanos.hpp"

namespace gateway::ha {

std::string encodeLogEntry(const LogEntry& entry) {
  return std::to_string(toUnixNanos(entry.received)) + " " + std::to_string(entry.place) + " " +
         std::to_string(entry.previous) + "\n" + encodeEvent(entry.event);
}

namespace {

// Parses the decimal number text[begin, end); false unless it is exactly one.
template <class Number>
bool parseNumber(std::string_view text, Number& out) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return !text.empty() && error == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::optional<LogEntry> decodeLogEntry(std::string_view value) {
  const auto newline = value.find('\n');
  if (newline == std::string_view::npos) return std::nullopt;
  const std::string_view header = value.substr(0, newline);
  const auto first = header.find(' ');
  const auto second = first == std::string_view::npos ? first : header.find(' ', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  std::int64_t nanos = 0;
  LogEntry entry;
  if (!parseNumber(header.substr(0, first), nanos) ||
      !parseNumber(header.substr(first + 1, second - first - 1), entry.place) ||
      !parseNumber(header.substr(second + 1), entry.previous) ||
      entry.place >= kPlacesPerRevision) {
    return std::nullopt;
  }
  auto event = decodeEvent(value.substr(newline + 1));
  if (!event) return std::nullopt;
  entry.event = std::move(*event);
  entry.received = fromUnixNanos(nanos);
  return entry;
}

std::optional<NumberedEntry> readLogEntry(const mvccpb::KeyValue& kv) {
  auto entry = decodeLogEntry(kv.value());
  if (!entry) {
    crnp::slog::error("event-log", "skipping an unreadable event log entry",
                      {{"key", kv.key()}, {"revision", kv.mod_revision()}});
    return std::nullopt;
  }
  const auto sequence = sequenceOf(kv.mod_revision(), entry->place);
  return NumberedEntry{sequence, std::move(*entry)};
}

}  // namespace gateway::ha
