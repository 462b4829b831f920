#pragma once
// crnp.sim.v1.SimControl over gRPC's callback API. Every method hands its work to the
// Simulator (which runs it on its strand) and Finishes from the Simulator's callback, so no
// reactor ever blocks. Errors: NOT_FOUND (unknown node, group or resource), INVALID_ARGUMENT
// (missing or malformed fields), FAILED_PRECONDITION (the cluster's state forbids it),
// UNAVAILABLE (simulator stopped). An optional CallGuard (the gateway's authorization, when
// the simulator is embedded in it) is asked first by every method; the simulator knows
// nothing of who may call.
#include <functional>
#include <string_view>

#include "crnp/sim/simulator.hpp"
#include "crnp/sim/v1/control.grpc.pb.h"

namespace crnp::sim {

class ControlService final : public v1::SimControl::CallbackService {
 public:
  /// Asked before each method runs with the call's path ("/crnp.sim.v1.SimControl/Method"):
  /// OK lets it run, any other status finishes the call with it.
  using CallGuard = std::function<grpc::Status(const grpc::CallbackServerContext& context,
                                               std::string_view path)>;

  /// `simulator` must outlive the gRPC server this service is registered with, and its
  /// executor must run until that server has shut down. Without a guard every call runs.
  explicit ControlService(Simulator& simulator, CallGuard guard = {});

  // SimControl
  grpc::ServerUnaryReactor* EmitEvent(grpc::CallbackServerContext* context,
                                      const v1::EmitEventRequest* request,
                                      v1::EmitEventResponse* response) override;
  grpc::ServerUnaryReactor* SetNodeState(grpc::CallbackServerContext* context,
                                         const v1::SetNodeStateRequest* request,
                                         v1::ClusterView* response) override;
  grpc::ServerUnaryReactor* SwitchResourceGroup(grpc::CallbackServerContext* context,
                                                const v1::SwitchResourceGroupRequest* request,
                                                v1::ClusterView* response) override;
  grpc::ServerUnaryReactor* FailResource(grpc::CallbackServerContext* context,
                                         const v1::FailResourceRequest* request,
                                         v1::ClusterView* response) override;
  grpc::ServerUnaryReactor* GetCluster(grpc::CallbackServerContext* context,
                                       const v1::GetClusterRequest* request,
                                       v1::ClusterView* response) override;
  grpc::ServerUnaryReactor* ListClients(grpc::CallbackServerContext* context,
                                        const v1::ListClientsRequest* request,
                                        v1::ListClientsResponse* response) override;
  grpc::ServerUnaryReactor* InjectFault(grpc::CallbackServerContext* context,
                                        const v1::InjectFaultRequest* request,
                                        v1::InjectFaultResponse* response) override;
  grpc::ServerUnaryReactor* ClearFaults(grpc::CallbackServerContext* context,
                                        const v1::ClearFaultsRequest* request,
                                        v1::ClearFaultsResponse* response) override;

 private:
  // nullptr when the call may run; else a reactor already finished with the guard's status.
  grpc::ServerUnaryReactor* refused(grpc::CallbackServerContext* context,
                                    std::string_view method) const;

  Simulator& simulator_;
  const CallGuard guard_;
};

}  // namespace crnp::sim
