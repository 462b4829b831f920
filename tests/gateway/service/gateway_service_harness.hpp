#pragma once
// The production GatewayService over an in-memory registry, a FakeUpstream, a real event hub
// and subscription manager, behind a real gRPC server on 127.0.0.1:0 with a generated stub.
// Test fixtures derive from it (GatewayServiceTest, GatewayServiceAuthTest).
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <memory>

#include "../registration/registration_fixture.hpp"
#include "call_authorizer.hpp"
#include "event_hub.hpp"
#include "fake_upstream.hpp"
#include "gateway_service.hpp"
#include "loopback_grpc_server.hpp"
#include "serial_worker.hpp"
#include "subscription_manager.hpp"

namespace gateway::test {

class GatewayServiceHarness : public ::testing::Test {
 protected:
  explicit GatewayServiceHarness(const auth::CallAuthorizer& authorizer = auth::allowAllCallers()) {
    registry_ = SqliteRegistry::open("").registry;
    RegistrationService::Options options;
    options.onChange = [this](const std::string& id, const std::optional<Types>& types) {
      subscriptions_.registrationChanged(id, types);
    };
    registrations_ =
        std::make_unique<RegistrationService>(*registry_, upstream_, worker_.executor(), options);
    service_ = std::make_unique<GatewayService>(*registrations_, hub_, upstream_, subscriptions_,
                                                authorizer);
    auto grpcServer = crnp::testing::startLoopbackGrpcServer({service_.get()});
    server_ = std::move(grpcServer.server);
    channel_ = grpcServer.channel();
    stub_ = pb::CrnpGateway::NewStub(channel_);
  }

  ~GatewayServiceHarness() override {
    upstream_.hold(false);
    while (upstream_.answerNext(FakeUpstream::ok())) {
    }
    subscriptions_.shutdown();
    registrations_->shutdown();
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
    server_->Wait();
    worker_.stop();
  }

  std::unique_ptr<Registry> registry_;
  FakeUpstream upstream_;
  EventHub hub_{EventHubConfig{}};
  SubscriptionManager subscriptions_{
      hub_, [this](const std::string& id) { return registry_->typesOf(id); }, SubscriptionConfig{}};
  SerialWorker worker_;
  std::unique_ptr<RegistrationService> registrations_;
  std::unique_ptr<GatewayService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<pb::CrnpGateway::Stub> stub_;
};

}  // namespace gateway::test
