// crnp-gateway-probe: one grpc.health.v1.Health/Check against a gateway, for Kubernetes exec
// probes and the chart's `helm test` Pod (kubelet gRPC probes cannot speak TLS; this can).
// Prints the answer; exit 0 when the service is SERVING, 1 otherwise (not serving, unknown
// service, unreachable, timeout, TLS failure), 2 on a usage error. Only health checks: no
// token is needed (docs/security.md: the health service is always open).
#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "grpc/health/v1/health.grpc.pb.h"

namespace {

struct ProbeOptions {
  std::string address = "127.0.0.1:50051";
  std::string service = "crnp.gateway.v1.CrnpGateway";
  double timeoutSeconds = 2.0;
  std::string tlsCa;          // set: TLS, trusting this PEM CA
  std::string tlsCert;        // mTLS client certificate chain
  std::string tlsKey;         // its key
  std::string tlsServerName;  // name to verify instead of the address's host
};

bool readFile(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream text;
  text << in.rdbuf();
  out = text.str();
  return true;
}

std::shared_ptr<grpc::ChannelCredentials> credentials(const ProbeOptions& options,
                                                      std::string& error) {
  if (options.tlsCa.empty()) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions ssl;
  if (!readFile(options.tlsCa, ssl.pem_root_certs)) error = "cannot read --tls-ca " + options.tlsCa;
  if (!options.tlsCert.empty() && !readFile(options.tlsCert, ssl.pem_cert_chain)) {
    error = "cannot read --tls-cert " + options.tlsCert;
  }
  if (!options.tlsKey.empty() && !readFile(options.tlsKey, ssl.pem_private_key)) {
    error = "cannot read --tls-key " + options.tlsKey;
  }
  return grpc::SslCredentials(ssl);
}

const char* statusName(grpc::health::v1::HealthCheckResponse::ServingStatus status) {
  using Response = grpc::health::v1::HealthCheckResponse;
  switch (status) {
    case Response::SERVING:
      return "SERVING";
    case Response::NOT_SERVING:
      return "NOT_SERVING";
    case Response::SERVICE_UNKNOWN:
      return "SERVICE_UNKNOWN";
    default:
      return "UNKNOWN";
  }
}

}  // namespace

int main(int argc, char** argv) {
  ProbeOptions options;
  CLI::App app{"crnp-gateway-probe: grpc.health.v1 check of a crnp-gateway (exit 0 = SERVING)"};
  app.add_option("--address", options.address, "gateway gRPC address, host:port")
      ->capture_default_str();
  app.add_option("--service", options.service, "health service name; \"\" = the whole server")
      ->capture_default_str();
  app.add_option("--timeout", options.timeoutSeconds, "deadline of the check, seconds")
      ->check(CLI::Range(0.05, 600.0))
      ->capture_default_str();
  app.add_option("--tls-ca", options.tlsCa, "use TLS, trusting this PEM CA file");
  auto* cert = app.add_option("--tls-cert", options.tlsCert, "client certificate (mTLS), PEM");
  auto* key = app.add_option("--tls-key", options.tlsKey, "client key (mTLS), PEM");
  app.add_option("--tls-server-name", options.tlsServerName,
                 "name the server certificate must carry (default: the address's host)");
  cert->needs(key);
  key->needs(cert);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (options.tlsCa.empty() && (!options.tlsCert.empty() || !options.tlsServerName.empty())) {
    std::cerr << "crnp-gateway-probe: --tls-cert and --tls-server-name need --tls-ca\n";
    return 2;
  }

  std::string error;
  auto creds = credentials(options, error);
  if (!error.empty()) {
    std::cerr << "crnp-gateway-probe: " << error << "\n";
    return 1;
  }
  grpc::ChannelArguments args;
  if (!options.tlsServerName.empty()) {
    args.SetSslTargetNameOverride(options.tlsServerName);
  }
  auto stub =
      grpc::health::v1::Health::NewStub(grpc::CreateCustomChannel(options.address, creds, args));

  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::duration<double>(options.timeoutSeconds)));
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(options.service);
  grpc::health::v1::HealthCheckResponse response;
  const grpc::Status status = stub->Check(&context, request, &response);
  const std::string subject = "\"" + options.service + "\" at " + options.address;
  if (!status.ok()) {
    std::cout << subject << ": check failed: " << status.error_code() << " "
              << status.error_message() << "\n";
    return 1;
  }
  std::cout << subject << ": " << statusName(response.status()) << "\n";
  return response.status() == grpc::health::v1::HealthCheckResponse::SERVING ? 0 : 1;
}
