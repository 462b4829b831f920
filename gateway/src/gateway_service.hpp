#pragma once
// The CrnpGateway gRPC service: unary methods on the callback API (none of them blocks: Register
// and Unregister finish from the registration service's `done`), Subscribe as a raw method
// handed to the SubscriptionManager (events are serialized once, in the EventHub).
#include "config_defaults.hpp"
#include "crnp/gateway/v1/gateway.grpc.pb.h"
#include "event_hub.hpp"
#include "registration_service.hpp"
#include "subscription_manager.hpp"
#include "upstream.hpp"

namespace gateway {

using GatewayServiceBase = crnp::gateway::v1::CrnpGateway::WithRawCallbackMethod_Subscribe<
    crnp::gateway::v1::CrnpGateway::CallbackService>;

class GatewayService final : public GatewayServiceBase {
 public:
  /// Every argument must outlive the gRPC server this service is registered with.
  GatewayService(RegistrationService& registrations, const EventHub& hub, const Upstream& upstream,
                 SubscriptionManager& subscriptions, RegistrationLimits limits = {});

  grpc::ServerUnaryReactor* Register(grpc::CallbackServerContext* context,
                                     const crnp::gateway::v1::RegisterRequest* request,
                                     crnp::gateway::v1::Registration* response) override;
  grpc::ServerUnaryReactor* Unregister(grpc::CallbackServerContext* context,
                                       const crnp::gateway::v1::UnregisterRequest* request,
                                       crnp::gateway::v1::UnregisterResponse* response) override;
  grpc::ServerUnaryReactor* GetRegistration(
      grpc::CallbackServerContext* context,
      const crnp::gateway::v1::GetRegistrationRequest* request,
      crnp::gateway::v1::Registration* response) override;
  grpc::ServerUnaryReactor* ListRegistrations(
      grpc::CallbackServerContext* context,
      const crnp::gateway::v1::ListRegistrationsRequest* request,
      crnp::gateway::v1::ListRegistrationsResponse* response) override;
  grpc::ServerUnaryReactor* GetClusterState(
      grpc::CallbackServerContext* context,
      const crnp::gateway::v1::GetClusterStateRequest* request,
      crnp::gateway::v1::ClusterState* response) override;
  grpc::ServerWriteReactor<grpc::ByteBuffer>* Subscribe(grpc::CallbackServerContext* context,
                                                        const grpc::ByteBuffer* request) override;

 private:
  RegistrationService& registrations_;
  const EventHub& hub_;
  const Upstream& upstream_;
  SubscriptionManager& subscriptions_;
  const RegistrationLimits limits_;
};

}  // namespace gateway
