#include "tls_credentials.hpp"

#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace gateway::auth {
namespace {

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;

std::string describe(const std::string& flag, const std::string& path) {
  return flag + " file '" + path + "'";
}

// The file's bytes, or nullopt with `error` naming the flag, the file and the reason.
std::optional<std::string> readFile(const std::string& flag, const std::string& path,
                                    std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot read the " + describe(flag, path) + ": " + std::strerror(errno);
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return std::move(text).str();
}

BioPtr memoryBio(const std::string& text) {
  return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

// Every certificate in a PEM text (none when it has none or does not parse).
std::vector<X509Ptr> certificatesIn(const std::string& pem) {
  std::vector<X509Ptr> certificates;
  auto bio = memoryBio(pem);
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    certificates.emplace_back(cert);
  }
  ERR_clear_error();  // the loop ends on "no start line"
  return certificates;
}

}  // namespace

std::optional<std::string> checkTlsFiles(const TlsFiles& files) {
  std::string error;
  const auto certText = readFile("--tls-cert", files.certFile, error);
  if (!certText) return error;
  const auto keyText = readFile("--tls-key", files.keyFile, error);
  if (!keyText) return error;
  const auto certificates = certificatesIn(*certText);
  if (certificates.empty()) {
    return "the " + describe("--tls-cert", files.certFile) + " holds no PEM certificate";
  }
  auto keyBio = memoryBio(*keyText);
  KeyPtr key(PEM_read_bio_PrivateKey(keyBio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  if (!key) {
    return "the " + describe("--tls-key", files.keyFile) +
           " holds no PEM private key (an encrypted key is not supported)";
  }
  if (X509_check_private_key(certificates.front().get(), key.get()) != 1) {
    ERR_clear_error();
    return "the " + describe("--tls-key", files.keyFile) + " does not match the certificate in " +
           describe("--tls-cert", files.certFile);
  }
  if (!files.clientCaFile.empty()) {
    const auto caText = readFile("--tls-client-ca", files.clientCaFile, error);
    if (!caText) return error;
    if (certificatesIn(*caText).empty()) {
      return "the " + describe("--tls-client-ca", files.clientCaFile) + " holds no PEM certificate";
    }
  }
  return std::nullopt;
}

std::shared_ptr<grpc::ServerCredentials> makeTlsServerCredentials(const TlsFiles& files) {
  const auto seconds =
      static_cast<unsigned>(std::max<std::int64_t>(1, files.reloadInterval.count()));
  auto provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      files.keyFile, files.certFile, files.clientCaFile, seconds);
  grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_identity_key_cert_pairs();
  if (files.clientCaFile.empty()) {
    options.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  } else {
    options.watch_root_certs();
    options.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  }
  return grpc::experimental::TlsServerCredentials(options);
}

}  // namespace gateway::auth
