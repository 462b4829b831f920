#pragma once
// Counters shared by the parts of the CRNP server (sessions, delivery queues, the core).
// Relaxed atomics: they are statistics, not synchronisation.
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "crnp/messages.hpp"
#include "crnp/sim/crnp_server.hpp"

namespace crnp::sim {

struct ServerCounters {
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> repliesByCode[9] = {};
  std::atomic<std::uint64_t> delivered{0};
  std::atomic<std::uint64_t> deliveryFailures{0};
  std::atomic<std::uint64_t> clientsRemoved{0};
  std::atomic<std::uint64_t> connectionsRejected{0};
  std::atomic<std::uint64_t> requestTimeouts{0};
  std::atomic<std::uint64_t> persistFailures{0};

  static void bump(std::atomic<std::uint64_t>& counter) {
    counter.fetch_add(1, std::memory_order_relaxed);
  }
  void countReply(StatusCode code) { bump(repliesByCode[static_cast<std::size_t>(code)]); }

  ServerStats snapshot() const {
    ServerStats stats;
    auto get = [](const std::atomic<std::uint64_t>& c) {
      return c.load(std::memory_order_relaxed);
    };
    stats.requests = get(requests);
    for (std::size_t i = 0; i < 9; ++i) stats.repliesByCode[i] = get(repliesByCode[i]);
    stats.delivered = get(delivered);
    stats.deliveryFailures = get(deliveryFailures);
    stats.clientsRemoved = get(clientsRemoved);
    stats.connectionsRejected = get(connectionsRejected);
    stats.requestTimeouts = get(requestTimeouts);
    stats.persistFailures = get(persistFailures);
    return stats;
  }
};

}  // namespace crnp::sim
