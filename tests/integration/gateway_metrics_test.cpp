// Metrics scraped over HTTP from a running gateway, checked against what the test did: gRPC
// calls (go-grpc-prometheus names), events from the cluster, a slow consumer ended, and the
// cluster's state gauges following a node going down.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "gateway_process_fixture.hpp"
#include "prometheus_scrape.hpp"

namespace crnp::integration {
namespace {

using crnp::testing::Scrape;
using Labels = std::map<std::string, std::string>;

class GatewayMetricsTest : public GatewayProcessFixture {
 protected:
  Scrape scrape() {
    auto result = Scrape::fetch(metricsAddress_);
    EXPECT_EQ(result.status, 200) << result.body;
    return result;
  }
  /// 0 when the series does not exist (yet).
  double valueOf(const std::string& name, const Labels& labels = {}) {
    return scrape().value(name, labels).value_or(0);
  }
  static Labels method(const std::string& name, const std::string& type = "unary") {
    return {{"grpc_service", "crnp.gateway.v1.CrnpGateway"},
            {"grpc_method", name},
            {"grpc_type", type}};
  }
  static Labels with(Labels labels, const std::string& key, const std::string& value) {
    labels[key] = value;
    return labels;
  }
};

TEST_F(GatewayMetricsTest, GrpcAndEventMetricsCountWhatHappened) {
  ASSERT_NO_FATAL_FAILURE(startBoth());
  const Scrape first = scrape();
  EXPECT_TRUE(first.hasFamily("crnp_gateway_delivery_latency_seconds", "histogram"));
  EXPECT_EQ(first.value("crnp_gateway_registrations"), 0.0);

  ASSERT_TRUE(registerTypes("metrics", {eventType("EC_Cluster")}).ok());
  gw::Registration ignored;
  EXPECT_EQ(registerTypes("bad id!", {eventType("EC_Cluster")}, &ignored).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  const Scrape afterRegister = scrape();
  EXPECT_TRUE(afterRegister.hasFamily("grpc_server_handled_total", "counter"));
  EXPECT_TRUE(afterRegister.hasFamily("grpc_server_handling_seconds", "histogram"));
  EXPECT_EQ(afterRegister.value("grpc_server_started_total", method("Register")), 2.0);
  EXPECT_EQ(
      afterRegister.value("grpc_server_handled_total", with(method("Register"), "grpc_code", "OK")),
      1.0);
  EXPECT_EQ(afterRegister.value("grpc_server_handled_total",
                                with(method("Register"), "grpc_code", "InvalidArgument")),
            1.0);
  EXPECT_EQ(afterRegister.value("grpc_server_msg_received_total", method("Register")), 2.0);
  EXPECT_EQ(afterRegister.value("grpc_server_handling_seconds_count", method("Register")), 2.0);
  EXPECT_EQ(afterRegister.value("crnp_gateway_registrations"), 1.0);
  EXPECT_GE(afterRegister.value("crnp_upstream_exchanges_total", {{"result", "OK"}}).value_or(0),
            1.0);
  EXPECT_GE(afterRegister.value("crnp_upstream_exchange_duration_seconds_count").value_or(0), 1.0);

  auto stream = subscribe("metrics");
  for (;;) {  // up to snapshot_end
    auto message = stream->nextNonHeartbeat();
    ASSERT_TRUE(message);
    if (message->has_snapshot_end()) break;
  }
  constexpr int kEvents = 5;
  for (int i = 0; i < kEvents; ++i) emitMarked("metric-" + std::to_string(i));
  for (int seen = 0; seen < kEvents;) {
    auto message = stream->nextNonHeartbeat();
    ASSERT_TRUE(message) << "event " << seen << " missing";
    if (message->has_event() && markerOf(message->event()).rfind("metric-", 0) == 0) ++seen;
  }
  ASSERT_TRUE(test::eventually([&] {
    return valueOf("crnp_upstream_events_received_total",
                   {{"subclass", "ESC_cluster_test_marker"}}) == kEvents;
  }));
  const Scrape live = scrape();
  EXPECT_EQ(live.value("crnp_gateway_subscribers"), 1.0);
  EXPECT_EQ(live.value("crnp_gateway_streams_started_total", {{"start", "snapshot"}}), 1.0);
  EXPECT_GE(live.value("crnp_gateway_delivery_latency_seconds_count").value_or(0), kEvents);
  EXPECT_GE(live.value("crnp_gateway_events_published_total").value_or(0), kEvents);
  EXPECT_GE(
      live.value("grpc_server_msg_sent_total", method("Subscribe", "server_stream")).value_or(0),
      kEvents + 1.0);  // the events and snapshot_end at least
  EXPECT_EQ(live.value("crnp_upstream_healthy"), 1.0);
  EXPECT_GT(live.value("crnp_upstream_last_event_timestamp_seconds").value_or(0), 1.6e9);
  EXPECT_EQ(live.value("grpc_server_started_total", method("Subscribe", "server_stream")), 1.0);
}

// Without any client registration: the gateway watches the cluster's state for itself.
TEST_F(GatewayMetricsTest, NodeGoingDownFlipsItsGaugesAndStatesStayOnePerPlacement) {
  ASSERT_NO_FATAL_FAILURE(startBoth({"--watch-cluster-state", "true"}));
  ASSERT_TRUE(test::eventually([&] {
    return valueOf("crnp_cluster_node_member", {{"node", "phys-node-2"}}) == 1.0;
  })) << scrape().body;
  const double incarnation = valueOf("crnp_cluster_node_incarnation", {{"node", "phys-node-2"}});
  EXPECT_GT(incarnation, 0);

  sim::SetNodeStateRequest down;
  down.set_node("phys-node-2");
  down.set_up(false);
  sim::ClusterView view;
  ASSERT_TRUE(control_->SetNodeState(contextWithDeadline().get(), down, &view).ok());
  ASSERT_TRUE(test::eventually([&] {
    return valueOf("crnp_cluster_node_member", {{"node", "phys-node-2"}}) == 0.0;
  })) << scrape().body;
  const Scrape after = scrape();
  EXPECT_EQ(after.value("crnp_cluster_node_incarnation", {{"node", "phys-node-2"}}), -1.0);
  EXPECT_EQ(after.value("crnp_cluster_node_member", {{"node", "phys-node-1"}}), 1.0);
  EXPECT_EQ(after.value("crnp_gateway_registrations"), 0.0);
  EXPECT_EQ(after.value("crnp_upstream_registered_types"), 1.0);  // EC_Cluster

  // Every (group, node) placement has exactly one current state; the states it had before
  // are still there with 0.
  std::map<std::pair<std::string, std::string>, double> current;
  const auto groups = after.all("crnp_cluster_resource_group_state");
  ASSERT_FALSE(groups.empty()) << after.body;
  for (const auto& sample : groups) {
    EXPECT_TRUE(sample.value == 0.0 || sample.value == 1.0);
    current[{sample.labels.at("resource_group"), sample.labels.at("node")}] += sample.value;
  }
  for (const auto& [placement, sum] : current) {
    EXPECT_EQ(sum, 1.0) << placement.first << " on " << placement.second;
  }
}

TEST_F(GatewayMetricsTest, SlowConsumerEndedIsCounted) {
  ASSERT_NO_FATAL_FAILURE(startBoth({"--stream-queue-events", "16"}));
  ASSERT_TRUE(registerTypes("slow", {eventType("EC_Cluster")}).ok());
  // A stream that is never read.
  auto slowStub = stallingStub();
  grpc::ClientContext slowContext;
  slowContext.set_deadline(std::chrono::system_clock::now() + 30s);
  gw::SubscribeRequest request;
  request.set_registration_id("slow");
  auto slow = slowStub->Subscribe(&slowContext, request);
  ASSERT_TRUE(test::eventually([&] { return valueOf("crnp_gateway_subscribers") == 1.0; }));

  const std::string bulk(3000, 'x');
  for (int i = 0; i < 200 && valueOf("crnp_gateway_streams_too_slow_total") == 0; ++i) {
    sim::EmitEventRequest emit;
    emit.set_subclass("ESC_cluster_test_marker");
    auto* padding = emit.add_nvpairs();
    padding->set_name("padding");
    for (int v = 0; v < 5; ++v) padding->add_values(bulk + std::to_string(i));
    sim::EmitEventResponse response;
    ASSERT_TRUE(control_->EmitEvent(contextWithDeadline().get(), emit, &response).ok());
  }
  ASSERT_TRUE(test::eventually([&] {
    return valueOf("crnp_gateway_streams_too_slow_total") == 1.0;
  })) << scrape().body;
  gw::SubscribeResponse drained;
  while (slow->Read(&drained)) {
  }
  EXPECT_EQ(slow->Finish().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  ASSERT_TRUE(test::eventually([&] {
    return valueOf("grpc_server_handled_total", with(method("Subscribe", "server_stream"),
                                                     "grpc_code", "ResourceExhausted")) == 1.0;
  })) << scrape().body;
  EXPECT_EQ(valueOf("crnp_gateway_subscribers"), 0.0);
}

}  // namespace
}  // namespace crnp::integration
