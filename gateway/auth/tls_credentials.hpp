#pragma once
// The gRPC port's TLS: server certificate and key (and, for mTLS, the CA that client
// certificates must chain to) from PEM files that gRPC's FileWatcherCertificateProvider
// re-reads every `reloadInterval`. New connections get the new certificate; connections (and
// their streams) already open keep theirs.
#include <grpcpp/security/server_credentials.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace gateway::auth {

struct TlsFiles {
  std::string certFile;      ///< --tls-cert: PEM certificate chain
  std::string keyFile;       ///< --tls-key: PEM private key of the chain's first certificate
  std::string clientCaFile;  ///< --tls-client-ca: "" = no client certificates asked for
  std::chrono::seconds reloadInterval{10};
};

/// Reads and parses every file as gRPC will: certificates, key, the key matching the first
/// certificate, at least one CA certificate. nullopt when usable, else a message naming the
/// flag and the file.
std::optional<std::string> checkTlsFiles(const TlsFiles& files);

/// TLS server credentials over a FileWatcherCertificateProvider. With a client CA, clients
/// must present a certificate that chains to it (GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_
/// CERTIFICATE_AND_VERIFY); without one, none is asked for.
std::shared_ptr<grpc::ServerCredentials> makeTlsServerCredentials(const TlsFiles& files);

}  // namespace gateway::auth
