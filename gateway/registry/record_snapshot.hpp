#pragma once
// RecordSnapshot: the registrations as readers see them, an immutable map replaced as a whole
// (a pointer swap under a small lock). Readers copy the pointer and read without a lock; the
// writer builds the next map from the current one. Shared by both Registry implementations.
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "registry.hpp"

namespace gateway {

class RecordSnapshot {
 public:
  using Records = std::map<std::string, RegistrationRecord>;
  using RecordsPtr = std::shared_ptr<const Records>;

  RecordsPtr current() const {
    std::lock_guard lock(mutex_);
    return current_;
  }
  /// Publishes `next`; the previous map is released by its last reader (or here, after the
  /// lock).
  void publish(RecordsPtr next) {
    {
      std::lock_guard lock(mutex_);
      current_.swap(next);
    }
  }

  std::optional<RegistrationRecord> get(const std::string& id) const {
    const auto records = current();
    const auto it = records->find(id);
    if (it == records->end()) return std::nullopt;
    return it->second;
  }
  std::optional<std::vector<crnp::EventType>> typesOf(const std::string& id) const {
    const auto records = current();
    const auto it = records->find(id);
    if (it == records->end()) return std::nullopt;
    return it->second.types;
  }
  std::vector<RegistrationRecord> list() const {
    const auto records = current();
    std::vector<RegistrationRecord> out;
    out.reserve(records->size());
    for (const auto& [id, record] : *records) out.push_back(record);
    return out;
  }
  std::size_t size() const { return current()->size(); }

 private:
  mutable std::mutex mutex_;  // held only to copy or swap current_
  RecordsPtr current_ = std::make_shared<const Records>();
};

}  // namespace gateway
