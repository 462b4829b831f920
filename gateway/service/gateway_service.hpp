#pragma once
// The CrnpGateway gRPC service. Every method is raw (grpc::ByteBuffer in and out): the request is
// parsed here (wire_messages.hpp), so that bytes that are not the method's request message get
// INVALID_ARGUMENT with ErrorInfo MALFORMED_REQUEST on every RPC, where generated methods would
// answer a bare UNIMPLEMENTED. Reflection is unaffected: it describes the service from the
// descriptor pool. Unary methods are callbacks that never block (Register and Unregister finish
// from the registration service's `done`); Subscribe is handed to the SubscriptionManager
// (events are serialized once, in the EventHub). Every method asks the CallAuthorizer first,
// once, before it parses the request or writes anything: a refused Subscribe ends without a
// single stream message.
#include <functional>

#include "call_authorizer.hpp"
#include "config_defaults.hpp"
#include "crnp/gateway/v1/gateway.grpc.pb.h"
#include "event_hub.hpp"
#include "registration_service.hpp"
#include "subscription_manager.hpp"
#include "upstream.hpp"

namespace gateway {

namespace detail {
using crnp::gateway::v1::CrnpGateway;
using GatewayServiceBase =
    CrnpGateway::WithRawCallbackMethod_Register<CrnpGateway::WithRawCallbackMethod_Unregister<
        CrnpGateway::WithRawCallbackMethod_GetRegistration<
            CrnpGateway::WithRawCallbackMethod_ListRegistrations<
                CrnpGateway::WithRawCallbackMethod_GetClusterState<
                    CrnpGateway::WithRawCallbackMethod_Subscribe<CrnpGateway::Service>>>>>>;
}  // namespace detail

/// Every method of CrnpGateway, raw.
using GatewayServiceBase = detail::GatewayServiceBase;

class GatewayService final : public GatewayServiceBase {
 public:
  /// Every argument must outlive the gRPC server this service is registered with.
  /// `authorizer` decides who may call which method (allowAllCallers(): everyone).
  GatewayService(RegistrationService& registrations, const EventHub& hub, const Upstream& upstream,
                 SubscriptionManager& subscriptions,
                 const auth::CallAuthorizer& authorizer = auth::allowAllCallers(),
                 RegistrationLimits limits = {});

  // Each request is a serialized <Method>Request, each response the serialized response message.
  grpc::ServerUnaryReactor* Register(grpc::CallbackServerContext* context,
                                     const grpc::ByteBuffer* request,
                                     grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* Unregister(grpc::CallbackServerContext* context,
                                       const grpc::ByteBuffer* request,
                                       grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* GetRegistration(grpc::CallbackServerContext* context,
                                            const grpc::ByteBuffer* request,
                                            grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* ListRegistrations(grpc::CallbackServerContext* context,
                                              const grpc::ByteBuffer* request,
                                              grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* GetClusterState(grpc::CallbackServerContext* context,
                                            const grpc::ByteBuffer* request,
                                            grpc::ByteBuffer* response) override;
  grpc::ServerWriteReactor<grpc::ByteBuffer>* Subscribe(grpc::CallbackServerContext* context,
                                                        const grpc::ByteBuffer* request) override;

  /// Fills ClusterState.deployment; called on gRPC's threads, must not block.
  using DeploymentDescriber = std::function<void(crnp::gateway::v1::DeploymentStatus*)>;
  /// Before the server starts. Register and Unregister go to `changes` instead of the
  /// registration service (a follower replica hands them to the leader); `describe` tells who
  /// leads. Without: this process carries out every change, mode "single".
  void setDeployment(RegistrationChanges& changes, DeploymentDescriber describe);

 private:
  // nullptr when the caller may go on; else a reactor already finished with the refusal.
  grpc::ServerUnaryReactor* refuseUnary(grpc::CallbackServerContext* context,
                                        std::string_view method) const;

  RegistrationService& registrations_;
  RegistrationChanges* changes_;
  DeploymentDescriber describeDeployment_;
  const EventHub& hub_;
  const Upstream& upstream_;
  SubscriptionManager& subscriptions_;
  const auth::CallAuthorizer& authorizer_;
  const RegistrationLimits limits_;
};

}  // namespace gateway
