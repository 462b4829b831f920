#pragma once
// TestPki: certificate authorities and certificates made with the openssl command line in a
// temp directory, for tests of TLS and mTLS (P-256 keys: quick to make). Each issued
// certificate gets the serial and subject common name the test asks for, so a client can tell
// which certificate a server presented.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "temp_dir.hpp"

namespace crnp::testing {

struct PemPair {
  std::string cert;  ///< path of the PEM certificate
  std::string key;   ///< path of the PEM private key
};

inline std::string readText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

class TestPki {
 public:
  static constexpr const char* kOpenssl = "/usr/bin/openssl";

  static bool available() { return std::filesystem::exists(kOpenssl); }

  /// A self-signed CA named `name` (files name.pem, name.key).
  PemPair makeCa(const std::string& name) {
    PemPair ca{path(name + ".pem"), path(name + ".key")};
    run({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
         "-keyout", ca.key, "-out", ca.cert, "-days", "2", "-subj", "/CN=" + name, "-addext",
         "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign"});
    return ca;
  }

  /// A certificate for 127.0.0.1 (SAN IP) signed by `ca`, usable by servers and clients.
  PemPair issue(const PemPair& ca, const std::string& name, const std::string& commonName,
                int serial) {
    PemPair leaf{path(name + ".pem"), path(name + ".key")};
    const std::string csr = path(name + ".csr");
    const std::string extensions = path(name + ".ext");
    std::ofstream(extensions) << "subjectAltName=IP:127.0.0.1\n"
                              << "basicConstraints=CA:FALSE\n"
                              << "extendedKeyUsage=serverAuth,clientAuth\n";
    run({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
         leaf.key, "-out", csr, "-subj", "/CN=" + commonName});
    run({"x509", "-req", "-in", csr, "-CA", ca.cert, "-CAkey", ca.key, "-set_serial",
         std::to_string(serial), "-days", "2", "-out", leaf.cert, "-extfile", extensions});
    return leaf;
  }

  std::string path(const std::string& file) const { return (dir_.path() / file).string(); }

 private:
  static void run(const std::vector<std::string>& args) {
    ChildProcess openssl(kOpenssl, args);
    auto exit = openssl.waitExit(std::chrono::seconds(30));
    if (!exit || !exit->exitedWith(0)) {
      throw std::runtime_error("openssl " + args.front() + " failed: " + openssl.output());
    }
  }

  TempDir dir_;
};

}  // namespace crnp::testing
