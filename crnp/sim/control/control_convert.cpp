// Conversions between simulator values and crnp.sim.v1 messages.
#include "control_convert.hpp"

#include <string>

#include "crnp/cluster_events.hpp"
#include "crnp/endpoint.hpp"
#include "crnp/text.hpp"

namespace crnp::sim {
namespace {

constexpr std::string_view kDefaultClass = kClusterClass;
constexpr std::string_view kDefaultPublisher = "rgm";

void fillStates(const std::vector<ClusterNode>& nodes, const std::vector<std::string>& states,
                google::protobuf::Map<std::string, std::string>& out) {
  for (std::size_t i = 0; i < nodes.size() && i < states.size(); ++i) {
    out[nodes[i].name] = states[i];
  }
}

}  // namespace

grpc::Status toStatus(const ModelError& error) {
  switch (error.kind) {
    case ModelErrorKind::NotFound:
      return {grpc::StatusCode::NOT_FOUND, error.message};
    case ModelErrorKind::InvalidArgument:
      return {grpc::StatusCode::INVALID_ARGUMENT, error.message};
    case ModelErrorKind::FailedPrecondition:
      return {grpc::StatusCode::FAILED_PRECONDITION, error.message};
    case ModelErrorKind::Unavailable:
      return {grpc::StatusCode::UNAVAILABLE, error.message};
  }
  return {grpc::StatusCode::INTERNAL, error.message};
}

void toProto(const ClusterView& view, v1::ClusterView& out) {
  out.Clear();
  for (const auto& node : view.nodes) {
    auto* nodeView = out.add_nodes();
    nodeView->set_name(node.name);
    nodeView->set_incarnation(node.incarnation);
  }
  for (const auto& group : view.groups) {
    auto* groupView = out.add_resource_groups();
    groupView->set_name(group.name);
    for (const auto& node : view.nodes) groupView->add_node_list(node.name);
    fillStates(view.nodes, group.states, *groupView->mutable_node_states());
    for (const auto& resource : group.resources) {
      auto* resourceView = groupView->add_resources();
      resourceView->set_name(resource.name);
      fillStates(view.nodes, resource.states, *resourceView->mutable_node_states());
    }
  }
  out.set_events_generated(view.eventsGenerated);
}

void toProto(const std::vector<ClientInfo>& clients, v1::ListClientsResponse& out) {
  out.Clear();
  for (const auto& client : clients) {
    auto* view = out.add_clients();
    view->set_address(crnp::toString(client.callback));
    for (const auto& type : client.types) {
      auto* typeView = view->add_event_types();
      typeView->set_event_class(type.eventClass);
      typeView->set_subclass(type.subclass);
      for (const auto& pair : type.nvpairs) {
        auto* pairView = typeView->add_nvpairs();
        pairView->set_name(pair.name);
        for (const auto& value : pair.values) pairView->add_values(value);
      }
    }
    view->set_delivered(client.delivered);
    view->set_failed_attempts(client.failedAttempts);
    view->set_queued(static_cast<std::uint32_t>(client.queued));
  }
}

Event fromProto(const v1::EmitEventRequest& request, const std::string& defaultVendor) {
  Event event;
  event.eventClass = request.event_class().empty() ? kDefaultClass : request.event_class();
  event.subclass = request.subclass();
  event.vendor = request.vendor().empty() ? defaultVendor : request.vendor();
  event.publisher = request.publisher().empty() ? kDefaultPublisher : request.publisher();
  for (const auto& pair : request.nvpairs()) {
    event.nvpairs.push_back(NvPair{pair.name(), {pair.values().begin(), pair.values().end()}});
  }
  return event;
}

FaultRequest fromProto(const v1::InjectFaultRequest& request) {
  using Kind = v1::InjectFaultRequest;
  Fault fault;
  fault.count = request.count();
  switch (request.kind()) {
    case Kind::REPLY_CODE: {
      fault.kind = FaultKind::ReplyCode;
      const auto code = statusCodeFromString(request.reply_code());
      if (!code) {
        return {std::nullopt, "unknown reply_code '" + echoBounded(request.reply_code()) +
                                  "'; expected OK, RETRY, LOW_RESOURCE, SYSTEM_ERROR, FAIL, "
                                  "MALFORMED, INVALID, VERSION_TOO_HIGH or VERSION_TOO_LOW"};
      }
      fault.code = *code;
      break;
    }
    case Kind::DROP_REPLY:
      fault.kind = FaultKind::DropReply;
      break;
    case Kind::DELAY_REPLY:
      if (request.delay_ms() == 0) return {std::nullopt, "DELAY_REPLY needs delay_ms > 0"};
      fault.kind = FaultKind::DelayReply;
      fault.delay = std::chrono::milliseconds(request.delay_ms());
      break;
    case Kind::REFUSE_DELIVERY:
      fault.kind = FaultKind::RefuseDelivery;
      break;
    case Kind::BLACKHOLE_DELIVERY:
      fault.kind = FaultKind::BlackholeDelivery;
      break;
    case Kind::FAIL_PERSIST:
      fault.kind = FaultKind::FailPersist;
      break;
    default:
      return {std::nullopt,
              "kind must be one of REPLY_CODE, DROP_REPLY, DELAY_REPLY, "
              "REFUSE_DELIVERY, BLACKHOLE_DELIVERY, FAIL_PERSIST"};
  }
  return {fault, {}};
}

}  // namespace crnp::sim
