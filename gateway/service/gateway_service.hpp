#pragma once
// The CrnpGateway gRPC service. Every method is raw (grpc::ByteBuffer in and out): the request is
// parsed here (wire_messages.hpp), so that bytes that are not the method's request message get
// INVALID_ARGUMENT with ErrorInfo MALFORMED_REQUEST on every RPC, where generated methods would
// answer a bare UNIMPLEMENTED. Reflection is unaffected: it describes the service from the
// descriptor pool. Unary methods are callbacks that never block (Register and Unregister finish
// from the registration service's `done`); Subscribe is handed to the SubscriptionManager
// (events are serialized once, in the EventHub).
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
  GatewayService(RegistrationService& registrations, const EventHub& hub, const Upstream& upstream,
                 SubscriptionManager& subscriptions, RegistrationLimits limits = {});

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

 private:
  RegistrationService& registrations_;
  const EventHub& hub_;
  const Upstream& upstream_;
  SubscriptionManager& subscriptions_;
  const RegistrationLimits limits_;
};

}  // namespace gateway
