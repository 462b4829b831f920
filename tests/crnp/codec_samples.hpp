#pragma once
// Sample CRNP messages shared by the codec tests.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "crnp/messages.hpp"

namespace crnp::test {

/// Names parameterised tests after the `name` member of their parameter.
struct ByName {
  template <class T>
  std::string operator()(const testing::TestParamInfo<T>& p) const {
    return p.param.name;
  }
};

constexpr std::string_view kDeclaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

inline Registration sampleRegistration(RegType type = RegType::AddClient) {
  Registration r;
  r.port = 8888;
  r.type = type;
  r.events = {
      {"EC_Cluster", "", {}},
      {"EC_Cluster", "ESC_cluster_membership", {}},
      {"EC_Cluster", "ESC_cluster_rg_state", {{"rg_name", {"oracle-rg"}}}},
      {"EC_Cluster", "ESC_cluster_r_state", {{"r_name", {"oracle-rs"}}}},
  };
  return r;
}

inline Event sampleEvent() {
  Event e;
  e.eventClass = "EC_Cluster";
  e.subclass = "ESC_cluster_rg_state";
  e.vendor = "SUNW";
  e.publisher = "rgm";
  e.nvpairs = {{"rg_name", {"oracle-rg"}},
               {"node_list", {"phys-node-1", "phys-node-2"}},
               {"state_list", {"ONLINE", "OFFLINE"}},
               {"ev_ts", {"1700000000"}}};
  return e;
}

/// A minimal valid SC_REPLY with `inner` as the content of SC_STATUS_MSG.
inline std::string replyWithMessage(std::string_view inner) {
  return "<SC_REPLY VERSION=\"1.0\" STATUS_CODE=\"OK\"><SC_STATUS_MSG>" + std::string(inner) +
         "</SC_STATUS_MSG></SC_REPLY>";
}

/// A minimal valid SC_EVENT with `pairs` as its content.
inline std::string eventWithPairs(std::string_view pairs) {
  return "<SC_EVENT VERSION=\"1.0\" CLASS=\"EC_Cluster\" SUBCLASS=\"ESC_cluster_membership\" "
         "VENDOR=\"SUNW\" PUBLISHER=\"rgm\">" +
         std::string(pairs) + "</SC_EVENT>";
}

}  // namespace crnp::test
