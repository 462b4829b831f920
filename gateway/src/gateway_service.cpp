#include "gateway_service.hpp"

#include <utility>

#include "cluster_state.hpp"

namespace gateway {

namespace pb = crnp::gateway::v1;

GatewayService::GatewayService(RegistrationService& registrations, const EventHub& hub,
                               const Upstream& upstream, SubscriptionManager& subscriptions,
                               RegistrationLimits limits)
    : registrations_(registrations),
      hub_(hub),
      upstream_(upstream),
      subscriptions_(subscriptions),
      limits_(limits) {}

grpc::ServerUnaryReactor* GatewayService::Register(grpc::CallbackServerContext* context,
                                                   const pb::RegisterRequest* request,
                                                   pb::Registration* response) {
  auto* reactor = context->DefaultReactor();
  // `response` stays valid until Finish; the change may end on another thread, later.
  registrations_.registerAsync(
      *request, [reactor, response](grpc::Status status, pb::Registration registration) {
        if (status.ok()) *response = std::move(registration);
        reactor->Finish(status);
      });
  return reactor;
}

grpc::ServerUnaryReactor* GatewayService::Unregister(grpc::CallbackServerContext* context,
                                                     const pb::UnregisterRequest* request,
                                                     pb::UnregisterResponse* response) {
  auto* reactor = context->DefaultReactor();
  registrations_.unregisterAsync(
      *request, [reactor, response](grpc::Status status, pb::UnregisterResponse result) {
        if (status.ok()) *response = std::move(result);
        reactor->Finish(status);
      });
  return reactor;
}

grpc::ServerUnaryReactor* GatewayService::GetRegistration(grpc::CallbackServerContext* context,
                                                          const pb::GetRegistrationRequest* request,
                                                          pb::Registration* response) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(registrations_.getRegistration(*request, response));
  return reactor;
}

grpc::ServerUnaryReactor* GatewayService::ListRegistrations(
    grpc::CallbackServerContext* context, const pb::ListRegistrationsRequest* /*request*/,
    pb::ListRegistrationsResponse* response) {
  auto* reactor = context->DefaultReactor();
  registrations_.listRegistrations(response);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* GatewayService::GetClusterState(grpc::CallbackServerContext* context,
                                                          const pb::GetClusterStateRequest* request,
                                                          pb::ClusterState* response) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(buildClusterState(*request, hub_, upstream_.health(), limits_, response));
  return reactor;
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* GatewayService::Subscribe(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request) {
  return subscriptions_.subscribe(context, request);
}

}  // namespace gateway
