#pragma once
// The value of an event log key in etcd: the time the leader received the event (Unix
// nanoseconds, decimal), a newline, and the event in the event log's JSON form
// (eventlog/event_codec.hpp). Every replica reports the same received_time for an event.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "crnp/messages.hpp"

namespace gateway::ha {

struct LogEntry {
  crnp::Event event;
  std::chrono::system_clock::time_point received;
};

std::string encodeLogEntry(const crnp::Event& event,
                           std::chrono::system_clock::time_point received);
/// nullopt for anything encodeLogEntry cannot have produced.
std::optional<LogEntry> decodeLogEntry(std::string_view value);

}  // namespace gateway::ha
