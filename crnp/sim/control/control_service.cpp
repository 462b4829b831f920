// SimControl RPCs: validate the request, hand the work to the Simulator, Finish from its
// callback (on the Simulator's strand). Nothing here blocks or waits.
#include "crnp/sim/control_service.hpp"

#include <spdlog/spdlog.h>

#include <utility>

#include "control_convert.hpp"

namespace crnp::sim {
namespace {

grpc::Status invalid(std::string message) {
  return {grpc::StatusCode::INVALID_ARGUMENT, std::move(message)};
}

grpc::ServerUnaryReactor* finishNow(grpc::CallbackServerContext* context, grpc::Status status) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(std::move(status));
  return reactor;
}

// Finishes with the view after an operation, or with the operation's error.
Simulator::OperationCallback finishWithView(grpc::ServerUnaryReactor* reactor,
                                            v1::ClusterView* response) {
  return [reactor, response](OperationOutcome outcome) {
    if (outcome.error) {
      reactor->Finish(toStatus(*outcome.error));
      return;
    }
    toProto(outcome.view, *response);
    reactor->Finish(grpc::Status::OK);
  };
}

}  // namespace

ControlService::ControlService(Simulator& simulator, CallGuard guard)
    : simulator_(simulator), guard_(std::move(guard)) {}

grpc::ServerUnaryReactor* ControlService::refused(grpc::CallbackServerContext* context,
                                                  std::string_view method) const {
  if (!guard_) return nullptr;
  const std::string path =
      "/" + std::string(v1::SimControl::service_full_name()) + "/" + std::string(method);
  auto status = guard_(*context, path);
  return status.ok() ? nullptr : finishNow(context, std::move(status));
}

grpc::ServerUnaryReactor* ControlService::EmitEvent(grpc::CallbackServerContext* context,
                                                    const v1::EmitEventRequest* request,
                                                    v1::EmitEventResponse* response) {
  if (auto* rejected = refused(context, "EmitEvent")) return rejected;
  if (request->subclass().empty()) return finishNow(context, invalid("subclass is required"));
  auto* reactor = context->DefaultReactor();
  simulator_.emit(
      fromProto(*request, simulator_.config().cluster.vendor),
      [reactor, response](EmitOutcome outcome) {
        if (outcome.error) {
          reactor->Finish(toStatus(*outcome.error));
          return;
        }
        response->set_sequence(outcome.sequence);
        response->set_clients_matched(static_cast<std::uint32_t>(outcome.clientsMatched));
        reactor->Finish(grpc::Status::OK);
      });
  return reactor;
}

grpc::ServerUnaryReactor* ControlService::SetNodeState(grpc::CallbackServerContext* context,
                                                       const v1::SetNodeStateRequest* request,
                                                       v1::ClusterView* response) {
  if (auto* rejected = refused(context, "SetNodeState")) return rejected;
  if (request->node().empty()) return finishNow(context, invalid("node is required"));
  auto* reactor = context->DefaultReactor();
  simulator_.setNodeState(request->node(), request->up(), finishWithView(reactor, response));
  return reactor;
}

grpc::ServerUnaryReactor* ControlService::SwitchResourceGroup(
    grpc::CallbackServerContext* context, const v1::SwitchResourceGroupRequest* request,
    v1::ClusterView* response) {
  if (auto* rejected = refused(context, "SwitchResourceGroup")) return rejected;
  if (request->resource_group().empty()) {
    return finishNow(context, invalid("resource_group is required"));
  }
  if (request->node().empty()) return finishNow(context, invalid("node is required"));
  auto* reactor = context->DefaultReactor();
  simulator_.switchover(request->resource_group(), request->node(),
                        finishWithView(reactor, response));
  return reactor;
}

grpc::ServerUnaryReactor* ControlService::FailResource(grpc::CallbackServerContext* context,
                                                       const v1::FailResourceRequest* request,
                                                       v1::ClusterView* response) {
  if (auto* rejected = refused(context, "FailResource")) return rejected;
  if (request->resource().empty()) return finishNow(context, invalid("resource is required"));
  if (request->node().empty()) return finishNow(context, invalid("node is required"));
  ResourceFailure failure;
  switch (request->kind()) {
    case v1::FailResourceRequest::START_FAILED:
      failure = ResourceFailure::StartFailed;
      break;
    case v1::FailResourceRequest::MONITOR_FAILED:
      failure = ResourceFailure::MonitorFailed;
      break;
    default:
      return finishNow(context, invalid("kind must be START_FAILED or MONITOR_FAILED"));
  }
  auto* reactor = context->DefaultReactor();
  simulator_.failResource(request->resource(), request->node(), failure,
                          finishWithView(reactor, response));
  return reactor;
}

grpc::ServerUnaryReactor* ControlService::GetCluster(grpc::CallbackServerContext* context,
                                                     const v1::GetClusterRequest* /*request*/,
                                                     v1::ClusterView* response) {
  if (auto* rejected = refused(context, "GetCluster")) return rejected;
  auto* reactor = context->DefaultReactor();
  simulator_.view([reactor, response](ClusterView view) {
    toProto(view, *response);
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

grpc::ServerUnaryReactor* ControlService::ListClients(grpc::CallbackServerContext* context,
                                                      const v1::ListClientsRequest* /*request*/,
                                                      v1::ListClientsResponse* response) {
  if (auto* rejected = refused(context, "ListClients")) return rejected;
  auto* reactor = context->DefaultReactor();
  simulator_.clients([reactor, response](std::vector<ClientInfo> clients) {
    toProto(clients, *response);
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

grpc::ServerUnaryReactor* ControlService::InjectFault(grpc::CallbackServerContext* context,
                                                      const v1::InjectFaultRequest* request,
                                                      v1::InjectFaultResponse* /*response*/) {
  if (auto* rejected = refused(context, "InjectFault")) return rejected;
  const auto parsed = fromProto(*request);
  if (!parsed.fault) return finishNow(context, invalid(parsed.error));
  // FaultInjector is a small mutex-guarded table: safe and quick to call from a reactor.
  simulator_.server().faults().inject(*parsed.fault);
  spdlog::info("crnp-sim: fault armed: {}", request->ShortDebugString());
  return finishNow(context, grpc::Status::OK);
}

grpc::ServerUnaryReactor* ControlService::ClearFaults(grpc::CallbackServerContext* context,
                                                      const v1::ClearFaultsRequest* /*request*/,
                                                      v1::ClearFaultsResponse* /*response*/) {
  if (auto* rejected = refused(context, "ClearFaults")) return rejected;
  simulator_.server().faults().clear();
  spdlog::info("crnp-sim: faults cleared");
  return finishNow(context, grpc::Status::OK);
}

}  // namespace crnp::sim
