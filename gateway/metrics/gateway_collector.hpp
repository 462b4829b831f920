#pragma once
// GatewayCollector: the gateway's own metrics, read from the components at scrape time (they
// keep plain counters and know nothing of Prometheus): the CRNP side (upstream health and
// exchanges, callback connections, events by subclass), the event path (published,
// suppressed repeats, fan-out overruns, ring, event log), the streams (subscribers, queues, starts,
// resets, slow consumers, delivery latency) and the cluster's state as gauges
// (ClusterStateSeries). docs/metrics.md lists every series.
#include <prometheus/collectable.h>

#include <functional>
#include <mutex>

#include "cluster_state_series.hpp"
#include "crnp/callback_listener.hpp"
#include "event_hub.hpp"
#include "event_log_writer.hpp"
#include "subscription_manager.hpp"
#include "upstream.hpp"

namespace gateway {

/// Where the collector reads from; every function is called on the scraping thread and must
/// be thread-safe. Unset functions leave their metrics out.
/// A replica of a replicated deployment (--store etcd): its part and the event log it appended
/// while leading (totals over its terms).
struct ReplicationStats {
  bool leader = false;
  std::uint64_t termsWon = 0;
  std::uint64_t appended = 0;
  std::uint64_t repeats = 0;
  std::uint64_t dropped = 0;
  std::uint64_t appendErrors = 0;
};

struct MetricsSources {
  std::function<UpstreamHealth()> upstreamHealth;
  std::function<UpstreamStats()> upstreamStats;
  std::function<crnp::CallbackListenerStats()> callbackStats;
  std::function<std::size_t()> registrations;
  std::function<SubscriptionManager::Stats()> streams;
  const EventHub* hub = nullptr;
  std::function<EventLogStats()> eventLog;        ///< unset without --data-dir
  std::function<ReplicationStats()> replication;  ///< set with --store etcd
};

class GatewayCollector final : public prometheus::Collectable {
 public:
  explicit GatewayCollector(MetricsSources sources);
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const MetricsSources sources_;
  mutable std::mutex clusterMutex_;  // scrapes may overlap
  mutable ClusterStateSeries cluster_;
};

}  // namespace gateway
