#include "gateway_collector.hpp"

#include <prometheus/client_metric.h>
#include <prometheus/metric_family.h>
#include <prometheus/metric_type.h>

#include <deque>
#include <limits>
#include <string>
#include <utility>

namespace gateway {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;
using Labels = std::vector<ClientMetric::Label>;

class Families {
 public:
  MetricFamily& family(std::string name, std::string help, MetricType type) {
    out_.push_back({std::move(name), std::move(help), type, {}});
    return out_.back();
  }
  void counter(std::string name, std::string help, double value, Labels labels = {}) {
    auto& f = family(std::move(name), std::move(help), MetricType::Counter);
    add(f, value, std::move(labels));
  }
  void gauge(std::string name, std::string help, double value, Labels labels = {}) {
    auto& f = family(std::move(name), std::move(help), MetricType::Gauge);
    add(f, value, std::move(labels));
  }
  static void add(MetricFamily& f, double value, Labels labels = {}) {
    ClientMetric metric;
    metric.label = std::move(labels);
    if (f.type == MetricType::Counter) {
      metric.counter.value = value;
    } else {
      metric.gauge.value = value;
    }
    f.metric.push_back(std::move(metric));
  }
  void histogram(std::string name, std::string help, const LatencyHistogram::Snapshot& snapshot) {
    auto& f = family(std::move(name), std::move(help), MetricType::Histogram);
    ClientMetric metric;
    metric.histogram.sample_count = snapshot.count;
    metric.histogram.sample_sum = snapshot.sumSeconds;
    for (std::size_t i = 0; i < LatencyHistogram::kBounds.size(); ++i) {
      metric.histogram.bucket.push_back({snapshot.cumulative[i], LatencyHistogram::kBounds[i]});
    }
    metric.histogram.bucket.push_back({snapshot.count, std::numeric_limits<double>::infinity()});
    f.metric.push_back(std::move(metric));
  }
  std::vector<MetricFamily> take() {
    return {std::make_move_iterator(out_.begin()), std::make_move_iterator(out_.end())};
  }

 private:
  // A deque: family() hands out references that must survive the next family() (a vector's
  // growth moved the families and left clusterMetrics' first reference dangling).
  std::deque<MetricFamily> out_;
};

double seconds(std::chrono::system_clock::time_point time) {
  return std::chrono::duration<double>(time.time_since_epoch()).count();
}

void upstreamMetrics(Families& out, const MetricsSources& sources) {
  if (sources.upstreamHealth) {
    const UpstreamHealth health = sources.upstreamHealth();
    out.gauge("crnp_upstream_healthy",
              "1 when the CRNP registration is confirmed and current, else 0.",
              health.healthy ? 1 : 0);
    out.gauge("crnp_upstream_server_info", "The CRNP server in use (value 1).", 1,
              {{"server", health.server}});
    if (health.lastRegistered) {
      out.gauge("crnp_upstream_last_registered_timestamp_seconds",
                "When the CRNP server last confirmed the registration (Unix time).",
                seconds(*health.lastRegistered));
    }
  }
  if (!sources.upstreamStats) return;
  const UpstreamStats stats = sources.upstreamStats();
  out.gauge("crnp_upstream_registered_types",
            "Event types in the registration the CRNP server confirmed.",
            static_cast<double>(stats.confirmedTypes));
  auto& results = out.family("crnp_upstream_exchanges_total",
                             "Registration messages sent to the CRNP server, by result: the "
                             "SC_REPLY code, or the transport outcome when none came.",
                             MetricType::Counter);
  for (const auto& [result, count] : stats.exchangeResults) {
    Families::add(results, static_cast<double>(count), {{"result", result}});
  }
  out.histogram("crnp_upstream_exchange_duration_seconds",
                "Registration exchange latency: connect, request, SC_REPLY (or failure).",
                stats.exchangeSeconds);
  auto& events = out.family("crnp_upstream_events_received_total",
                            "Events the CRNP server delivered, by subclass (repeats included).",
                            MetricType::Counter);
  for (const auto& [subclass, count] : stats.eventsBySubclass) {
    Families::add(events, static_cast<double>(count), {{"subclass", subclass}});
  }
  if (stats.lastEventTime) {
    out.gauge("crnp_upstream_last_event_timestamp_seconds",
              "When the CRNP server last delivered an event, repeats included (Unix time).",
              seconds(*stats.lastEventTime));
  }
}

void callbackMetrics(Families& out, const crnp::CallbackListenerStats& stats) {
  out.counter("crnp_callback_connections_accepted_total",
              "Event connections accepted on the callback port from allowed peers.",
              static_cast<double>(stats.accepted));
  auto& rejected = out.family("crnp_callback_connections_rejected_total",
                              "Event connections closed unread, by reason.", MetricType::Counter);
  Families::add(rejected, static_cast<double>(stats.rejectedPeer),
                {{"reason", "peer_not_allowed"}});
  Families::add(rejected, static_cast<double>(stats.rejectedShare),
                {{"reason", "peer_over_share"}});
  auto& failed = out.family("crnp_callback_connections_failed_total",
                            "Accepted event connections that brought no event, by reason.",
                            MetricType::Counter);
  Families::add(failed, static_cast<double>(stats.parseErrors), {{"reason", "parse_error"}});
  Families::add(failed, static_cast<double>(stats.timedOut), {{"reason", "timeout"}});
  Families::add(failed, static_cast<double>(stats.tooLarge), {{"reason", "too_large"}});
  Families::add(failed, static_cast<double>(stats.ioErrors), {{"reason", "io_error"}});
  out.counter("crnp_callback_accept_pauses_total",
              "Times the callback port stopped accepting at its connection limit.",
              static_cast<double>(stats.acceptPauses));
  out.gauge("crnp_callback_connections_open", "Event connections being read.",
            static_cast<double>(stats.open));
}

void eventMetrics(Families& out, const EventHub& hub) {
  out.counter("crnp_gateway_events_published_total",
              "Events published to the streams (numbered; repeats of the current state are not).",
              static_cast<double>(hub.published()));
  out.counter("crnp_gateway_events_duplicates_suppressed_total",
              "Events not published because they repeated the latest event of their type.",
              static_cast<double>(hub.duplicatesSuppressed()));
  out.counter("crnp_gateway_fanout_overruns_total",
              "Events dropped from the fan-out backlog before reaching the streams (their "
              "streams were ended with SUBSCRIBER_TOO_SLOW).",
              static_cast<double>(hub.fanoutOverruns()));
  out.gauge("crnp_gateway_ring_events", "Events kept for resume.",
            static_cast<double>(hub.bufferedEvents()));
  out.gauge("crnp_gateway_ring_bytes", "Bytes of the events kept for resume.",
            static_cast<double>(hub.bufferedBytes()));
}

void eventLogMetrics(Families& out, const EventLogStats& stats) {
  out.counter("crnp_gateway_event_log_persisted_total",
              "Events written to the event log under --data-dir.",
              static_cast<double>(stats.persisted));
  out.counter("crnp_gateway_event_log_write_errors_total",
              "Event log transactions that failed (the reason is logged); live delivery goes on.",
              static_cast<double>(stats.writeErrors));
  out.counter("crnp_gateway_event_log_not_persisted_total",
              "Published events the event log could not keep (write errors, full queue); a "
              "token from before them resets after a restart.",
              static_cast<double>(stats.notPersisted));
  out.gauge("crnp_gateway_event_log_queued_events", "Events waiting for the event log's writer.",
            static_cast<double>(stats.queued));
}

void replicationMetrics(Families& out, const ReplicationStats& stats) {
  out.gauge("crnp_gateway_leader",
            "1 while this replica leads the deployment (holds the CRNP registration), else 0.",
            stats.leader ? 1 : 0);
  out.counter("crnp_gateway_leader_terms_total", "Elections this replica won.",
              static_cast<double>(stats.termsWon));
  out.counter("crnp_gateway_replicated_log_appended_total",
              "Events this replica appended to the event log in etcd while leading.",
              static_cast<double>(stats.appended));
  out.counter("crnp_gateway_replicated_log_repeats_total",
              "Events not appended: equal to the latest state of their key.",
              static_cast<double>(stats.repeats));
  out.counter("crnp_gateway_replicated_log_dropped_total",
              "Events lost: queued when the term ended, or beyond the queue while etcd did not "
              "answer.",
              static_cast<double>(stats.dropped));
  out.counter("crnp_gateway_replicated_log_append_errors_total",
              "Appends etcd did not take (each retried).", static_cast<double>(stats.appendErrors));
}

void streamMetrics(Families& out, const SubscriptionManager::Stats& stats) {
  out.gauge("crnp_gateway_subscribers", "Open Subscribe streams.",
            static_cast<double>(stats.streams));
  out.gauge("crnp_gateway_stream_queued_events", "Live events queued over all streams.",
            static_cast<double>(stats.queuedEvents));
  out.gauge("crnp_gateway_stream_queue_max_events", "Live events queued on the longest queue.",
            static_cast<double>(stats.maxQueuedEvents));
  auto& started = out.family("crnp_gateway_streams_started_total",
                             "Subscribe streams started, by how: a snapshot, or a replay from a "
                             "resume token.",
                             MetricType::Counter);
  Families::add(started, static_cast<double>(stats.snapshots), {{"start", "snapshot"}});
  Families::add(started, static_cast<double>(stats.resumes), {{"start", "resume"}});
  out.counter("crnp_gateway_stream_resets_total",
              "Resume tokens that could not be honoured (the stream got reset and a snapshot).",
              static_cast<double>(stats.resets));
  out.counter("crnp_gateway_streams_too_slow_total",
              "Streams ended with RESOURCE_EXHAUSTED / SUBSCRIBER_TOO_SLOW.",
              static_cast<double>(stats.tooSlow));
  out.histogram("crnp_gateway_delivery_latency_seconds",
                "Live event received from the cluster -> its write started on a stream.",
                stats.delivery);
}

/// 1 for an object's current state on a node, 0 for the other states it has had there.
void stateFamily(Families& out, const std::string& name, const std::string& what,
                 const std::string& objectLabel,
                 const std::vector<ClusterStateSeries::StateSample>& samples) {
  auto& family = out.family(name,
                            "1 for the " + what + "'s current state on the node, 0 for the " +
                                "other states it has had there.",
                            MetricType::Gauge);
  for (const auto& s : samples) {
    Families::add(family, s.current ? 1 : 0,
                  {{objectLabel, s.object}, {"node", s.node}, {"state", s.state}});
  }
}

void clusterMetrics(Families& out, const ClusterStateSeries& cluster) {
  auto& member = out.family("crnp_cluster_node_member",
                            "1 when the node is a cluster member (incarnation not -1), else 0.",
                            MetricType::Gauge);
  auto& incarnation =
      out.family("crnp_cluster_node_incarnation",
                 "The node's incarnation number (-1: not a member).", MetricType::Gauge);
  for (const auto& node : cluster.nodes()) {
    Families::add(member, node.member ? 1 : 0, {{"node", node.node}});
    if (node.incarnation) Families::add(incarnation, *node.incarnation, {{"node", node.node}});
  }
  stateFamily(out, "crnp_cluster_resource_group_state", "resource group", "resource_group",
              cluster.resourceGroups());
  stateFamily(out, "crnp_cluster_resource_state", "resource", "resource", cluster.resources());
  out.counter("crnp_cluster_series_dropped_total",
              "Cluster-state series not exported because the series limit was reached.",
              static_cast<double>(cluster.droppedSeries()));
}

}  // namespace

GatewayCollector::GatewayCollector(MetricsSources sources) : sources_(std::move(sources)) {}

std::vector<MetricFamily> GatewayCollector::Collect() const {
  Families out;
  upstreamMetrics(out, sources_);
  if (sources_.callbackStats) callbackMetrics(out, sources_.callbackStats());
  if (sources_.registrations) {
    out.gauge("crnp_gateway_registrations", "Registrations stored.",
              static_cast<double>(sources_.registrations()));
  }
  if (sources_.streams) streamMetrics(out, sources_.streams());
  if (sources_.eventLog) eventLogMetrics(out, sources_.eventLog());
  if (sources_.replication) replicationMetrics(out, sources_.replication());
  if (sources_.hub) {
    eventMetrics(out, *sources_.hub);
    const auto latest = sources_.hub->latest({});
    std::vector<crnp::Event> events;
    events.reserve(latest.size());
    for (const auto& stored : latest) events.push_back(stored->event);
    if (!latest.empty()) {
      out.gauge("crnp_cluster_last_change_timestamp_seconds",
                "When the gateway received the last event that changed the cluster's state "
                "(Unix time).",
                seconds(latest.back()->received));
    }
    std::lock_guard lock(clusterMutex_);
    cluster_.update(events);
    clusterMetrics(out, cluster_);
  }
  return out.take();
}

}  // namespace gateway
