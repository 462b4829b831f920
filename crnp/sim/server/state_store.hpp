#pragma once
// The state file: every registration (callback IP, port, event types) as JSON. Each save
// writes a temporary file next to it, fsyncs it, renames it over the old one and fsyncs the
// directory, so a crash leaves either the old or the new state, never a mix.
#include <string>
#include <system_error>
#include <vector>

#include "client_registry.hpp"

namespace crnp::sim {

class StateStore {
 public:
  /// An empty path disables persistence (save and load do nothing).
  explicit StateStore(std::string path) : path_(std::move(path)) {}

  bool enabled() const { return !path_.empty(); }
  const std::string& path() const { return path_; }

  std::error_code save(const std::vector<ClientRegistration>& clients) const;
  /// A missing file is an empty state. A file that cannot be read or understood is an error,
  /// described in `*why`.
  std::error_code load(std::vector<ClientRegistration>& clients, std::string* why) const;

  /// The JSON text for `clients`, and back (exposed for tests).
  static std::string serialize(const std::vector<ClientRegistration>& clients);
  static bool deserialize(const std::string& text, std::vector<ClientRegistration>& clients,
                          std::string* why);

 private:
  std::string path_;
};

}  // namespace crnp::sim
