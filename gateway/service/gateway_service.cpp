#include "gateway_service.hpp"

#include <string>
#include <string_view>
#include <utility>

#include "cluster_state.hpp"
#include "wire_messages.hpp"

namespace gateway {

namespace pb = crnp::gateway::v1;

namespace {

// Finishes `reactor` with `status`, after serializing `message` into `response` when OK.
void finishWith(grpc::ServerUnaryReactor* reactor, grpc::ByteBuffer* response,
                const grpc::Status& status, const google::protobuf::MessageLite& message) {
  if (status.ok()) *response = serializeToByteBuffer(message);
  reactor->Finish(status);
}

// The client's deadline and cancellation, so that a change still queued when the client gave
// up is not applied behind its back. The context lives until the reactor finished.
ChangeCaller callerOf(grpc::CallbackServerContext* context) {
  return {context->deadline(), [context] { return context->IsCancelled(); }};
}

// "/crnp.gateway.v1.CrnpGateway/<method>": the path the CallAuthorizer's table is keyed by.
std::string pathOf(std::string_view method) {
  return "/" + std::string(pb::CrnpGateway::service_full_name()) + "/" + std::string(method);
}

// The reactor of a Subscribe refused before it started: finishes at once, no message.
class RefusedStream final : public grpc::ServerWriteReactor<grpc::ByteBuffer> {
 public:
  explicit RefusedStream(grpc::Status status) { Finish(std::move(status)); }
  void OnDone() override { delete this; }
};

}  // namespace

GatewayService::GatewayService(RegistrationService& registrations, const EventHub& hub,
                               const Upstream& upstream, SubscriptionManager& subscriptions,
                               const auth::CallAuthorizer& authorizer, RegistrationLimits limits)
    : registrations_(registrations),
      changes_(&registrations),
      hub_(hub),
      upstream_(upstream),
      subscriptions_(subscriptions),
      authorizer_(authorizer),
      limits_(limits) {}

void GatewayService::setDeployment(RegistrationChanges& changes, DeploymentDescriber describe) {
  changes_ = &changes;
  describeDeployment_ = std::move(describe);
}

grpc::ServerUnaryReactor* GatewayService::refuseUnary(grpc::CallbackServerContext* context,
                                                      std::string_view method) const {
  auto status = authorizer_.authorize(*context, pathOf(method));
  if (status.ok()) return nullptr;
  auto* reactor = context->DefaultReactor();
  reactor->Finish(std::move(status));
  return reactor;
}

grpc::ServerUnaryReactor* GatewayService::Register(grpc::CallbackServerContext* context,
                                                   const grpc::ByteBuffer* request,
                                                   grpc::ByteBuffer* response) {
  if (auto* refused = refuseUnary(context, "Register")) return refused;
  auto* reactor = context->DefaultReactor();
  pb::RegisterRequest parsed;
  if (auto status = parseRequest(request, parsed); !status.ok()) {
    reactor->Finish(status);
    return reactor;
  }
  // `response` stays valid until Finish; the change may end on another thread, later.
  changes_->registerAsync(
      parsed,
      [reactor, response](grpc::Status status, pb::Registration registration) {
        finishWith(reactor, response, status, registration);
      },
      callerOf(context));
  return reactor;
}

grpc::ServerUnaryReactor* GatewayService::Unregister(grpc::CallbackServerContext* context,
                                                     const grpc::ByteBuffer* request,
                                                     grpc::ByteBuffer* response) {
  if (auto* refused = refuseUnary(context, "Unregister")) return refused;
  auto* reactor = context->DefaultReactor();
  pb::UnregisterRequest parsed;
  if (auto status = parseRequest(request, parsed); !status.ok()) {
    reactor->Finish(status);
    return reactor;
  }
  changes_->unregisterAsync(
      parsed,
      [reactor, response](grpc::Status status, pb::UnregisterResponse result) {
        finishWith(reactor, response, status, result);
      },
      callerOf(context));
  return reactor;
}

grpc::ServerUnaryReactor* GatewayService::GetRegistration(grpc::CallbackServerContext* context,
                                                          const grpc::ByteBuffer* request,
                                                          grpc::ByteBuffer* response) {
  if (auto* refused = refuseUnary(context, "GetRegistration")) return refused;
  auto* reactor = context->DefaultReactor();
  pb::GetRegistrationRequest parsed;
  pb::Registration registration;
  auto status = parseRequest(request, parsed);
  if (status.ok()) status = registrations_.getRegistration(parsed, &registration);
  finishWith(reactor, response, status, registration);
  return reactor;
}

grpc::ServerUnaryReactor* GatewayService::ListRegistrations(grpc::CallbackServerContext* context,
                                                            const grpc::ByteBuffer* request,
                                                            grpc::ByteBuffer* response) {
  if (auto* refused = refuseUnary(context, "ListRegistrations")) return refused;
  auto* reactor = context->DefaultReactor();
  pb::ListRegistrationsRequest parsed;  // no fields, but bytes that do not parse are refused
  pb::ListRegistrationsResponse list;
  const auto status = parseRequest(request, parsed);
  if (status.ok()) registrations_.listRegistrations(&list);
  finishWith(reactor, response, status, list);
  return reactor;
}

grpc::ServerUnaryReactor* GatewayService::GetClusterState(grpc::CallbackServerContext* context,
                                                          const grpc::ByteBuffer* request,
                                                          grpc::ByteBuffer* response) {
  if (auto* refused = refuseUnary(context, "GetClusterState")) return refused;
  auto* reactor = context->DefaultReactor();
  pb::GetClusterStateRequest parsed;
  pb::ClusterState state;
  auto status = parseRequest(request, parsed);
  if (status.ok()) status = buildClusterState(parsed, hub_, upstream_.health(), limits_, &state);
  if (status.ok()) {
    auto* deployment = state.mutable_deployment();
    if (describeDeployment_) {
      describeDeployment_(deployment);
    } else {
      deployment->set_mode("single");
      deployment->set_is_leader(true);
      deployment->set_applied_revision(hub_.lastSequence());
    }
  }
  finishWith(reactor, response, status, state);
  return reactor;
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* GatewayService::Subscribe(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request) {
  if (auto status = authorizer_.authorize(*context, pathOf("Subscribe")); !status.ok()) {
    return new RefusedStream(std::move(status));
  }
  return subscriptions_.subscribe(context, request);
}

}  // namespace gateway
