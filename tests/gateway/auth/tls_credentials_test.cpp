// The TLS files are checked at start the way gRPC will read them, and every problem names the
// flag and the file.
#include "tls_credentials.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "test_pki.hpp"

namespace gateway::auth {
namespace {

using crnp::testing::PemPair;
using crnp::testing::TestPki;

class TlsFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!TestPki::available()) GTEST_SKIP() << "no " << TestPki::kOpenssl;
    ca_ = pki_.makeCa("ca");
    server_ = pki_.issue(ca_, "server", "gateway", 7);
  }

  TestPki pki_;
  PemPair ca_;
  PemPair server_;
};

TEST_F(TlsFilesTest, AcceptsAMatchingPairAndCa) {
  EXPECT_EQ(checkTlsFiles({server_.cert, server_.key, "", std::chrono::seconds(1)}), std::nullopt);
  EXPECT_EQ(checkTlsFiles({server_.cert, server_.key, ca_.cert, std::chrono::seconds(1)}),
            std::nullopt);
  EXPECT_TRUE(makeTlsServerCredentials({server_.cert, server_.key, ca_.cert}));
}

TEST_F(TlsFilesTest, NamesTheFlagAndTheFile) {
  const std::string missing = pki_.path("missing.pem");
  const std::string empty = pki_.path("empty.pem");
  std::ofstream(empty) << "not PEM\n";
  struct Case {
    TlsFiles files;
    std::string expected;
  };
  const Case cases[] = {
      {{missing, server_.key, ""}, "cannot read the --tls-cert file '" + missing + "'"},
      {{server_.cert, missing, ""}, "cannot read the --tls-key file '" + missing + "'"},
      {{server_.cert, server_.key, missing},
       "cannot read the --tls-client-ca file '" + missing + "'"},
      {{empty, server_.key, ""}, "the --tls-cert file '" + empty + "' holds no PEM certificate"},
      {{server_.cert, empty, ""}, "the --tls-key file '" + empty + "' holds no PEM private key"},
      {{server_.cert, server_.key, empty},
       "the --tls-client-ca file '" + empty + "' holds no PEM certificate"},
      {{server_.cert, ca_.key, ""},
       "the --tls-key file '" + ca_.key + "' does not match the certificate in --tls-cert file '" +
           server_.cert + "'"},
  };
  for (const auto& c : cases) {
    const auto error = checkTlsFiles(c.files);
    ASSERT_TRUE(error) << c.expected;
    EXPECT_EQ(error->rfind(c.expected, 0), 0u) << *error;
  }
}

}  // namespace
}  // namespace gateway::auth
