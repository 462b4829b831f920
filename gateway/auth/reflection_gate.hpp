#pragma once
// ReflectionGate: --auth-reflection for the server reflection service, which gRPC's plugin
// provides and the gateway cannot change. It runs as the credentials' AuthMetadataProcessor,
// before any handler, sees every call's metadata (":path" included), and decides only for the
// reflection paths; every other path is the services' own business (they ask their
// CallAuthorizer). A refusal carries the code and message of the auth table; gRPC drops
// details set at this layer, so there is no ErrorInfo here.
#include <grpcpp/security/auth_metadata_processor.h>

#include "authorizer.hpp"
#include "token_store.hpp"

namespace gateway::auth {

class ReflectionGate final : public grpc::AuthMetadataProcessor {
 public:
  /// `tokens` must outlive the server. The policy must protect reflection.
  ReflectionGate(const TokenStore& tokens, AccessPolicy policy)
      : tokens_(tokens), authorizer_(policy) {}

  // grpc::AuthMetadataProcessor
  bool IsBlocking() const override { return false; }  // a hash and a table lookup
  grpc::Status Process(const InputMetadata& auth_metadata, grpc::AuthContext* context,
                       OutputMetadata* consumed_auth_metadata,
                       OutputMetadata* response_metadata) override;

 private:
  const TokenStore& tokens_;
  const Authorizer authorizer_;
};

}  // namespace gateway::auth
