// The gRPC port's security over real processes (docs/security.md): TLS, mTLS with the wrong
// or no client certificate, certificate reload beside an open stream, bearer tokens and roles
// per RPC with their ErrorInfo, token file reload beside an open stream, the probes that stay
// open, the embedded simulator's control API behind a write token, start-up errors naming
// the bad file, and the independent Node client over TLS with a token.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "gateway_process_fixture.hpp"
#include "grpc/health/v1/health.grpc.pb.h"
#include "status_details.hpp"
#include "test_pki.hpp"

namespace crnp::integration {
namespace {

using ::gateway::test::parseStatusDetails;
using testing::PemPair;
using testing::readText;
using testing::TestPki;

const std::string kReadToken = "read-token-5f0c2a9e71d4b8e3";
const std::string kWriteToken = "write-token-c81b77e20a4f6d95";
const std::string kNewWriteToken = "new-write-token-3e9a0b6c2d7f";
const std::string kUnknownToken = "unknown-token-0000000000000";

void expectRefusal(const grpc::Status& status, grpc::StatusCode code, const std::string& reason) {
  EXPECT_EQ(status.error_code(), code) << status.error_message();
  const auto details = parseStatusDetails(status);
  ASSERT_TRUE(details.errorInfo) << "no ErrorInfo: " << status.error_message();
  EXPECT_EQ(details.errorInfo->reason(), reason);
  EXPECT_EQ(details.errorInfo->domain(), "crnp-gateway");
}

class GatewaySecurityTest : public GatewayProcessFixture {
 protected:
  void SetUp() override {
    if (!TestPki::available()) GTEST_SKIP() << "no " << TestPki::kOpenssl;
    ca_ = pki_.makeCa("ca");
    server_ = pki_.issue(ca_, "server", "gateway-one", 1001);
    tokensFile_ = pki_.path("tokens");
    writeTokens(kReadToken + " reader read\n" + kWriteToken + " writer write\n");
  }

  void writeTokens(const std::string& text) {
    const std::string temporary = tokensFile_ + ".new";
    std::ofstream(temporary) << text;
    std::filesystem::rename(temporary, tokensFile_);  // readers see the old or the new file
  }

  Args tlsFlags() const { return {"--tls-cert", server_.cert, "--tls-key", server_.key}; }
  Args tlsAndTokenFlags() const {
    Args args = tlsFlags();
    args.insert(args.end(), {"--auth-tokens", tokensFile_});
    return args;
  }

  /// TLS trusting `ca_`, optionally with a client certificate and a bearer token.
  std::shared_ptr<grpc::ChannelCredentials> tls(const std::string& token = "",
                                                const PemPair* clientCert = nullptr) const {
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = readText(ca_.cert);
    if (clientCert) {
      options.pem_private_key = readText(clientCert->key);
      options.pem_cert_chain = readText(clientCert->cert);
    }
    auto credentials = grpc::SslCredentials(options);
    if (token.empty()) return credentials;
    return grpc::CompositeChannelCredentials(credentials, grpc::AccessTokenCredentials(token));
  }

  /// A channel of its own (its own connection: no subchannel shared with other channels).
  std::shared_ptr<grpc::Channel> channel(std::shared_ptr<grpc::ChannelCredentials> credentials) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    return grpc::CreateCustomChannel(gatewayAddress_, std::move(credentials), args);
  }

  std::unique_ptr<gw::CrnpGateway::Stub> stub(std::shared_ptr<grpc::ChannelCredentials> creds) {
    return gw::CrnpGateway::NewStub(channel(std::move(creds)));
  }

  static grpc::Status list(gw::CrnpGateway::Stub& stub) {
    gw::ListRegistrationsResponse response;
    return stub.ListRegistrations(contextWithDeadline(5s).get(), {}, &response);
  }

  static grpc::Status registerWith(gw::CrnpGateway::Stub& stub, const std::string& id) {
    gw::RegisterRequest request;
    request.set_registration_id(id);
    *request.add_event_types() = eventType("EC_Cluster");
    gw::Registration response;
    return stub.Register(contextWithDeadline().get(), request, &response);
  }

  /// The subject CN of the certificate the server presented on a fresh connection.
  std::string serverCommonName() {
    auto fresh = stub(tls(kWriteToken));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 5s);
    gw::ListRegistrationsResponse response;
    if (!fresh->ListRegistrations(&context, {}, &response).ok()) return "";
    const auto auth = context.auth_context();
    if (!auth) return "";
    const auto names = auth->FindPropertyValues("x509_common_name");
    return names.empty() ? "" : std::string(names.front().data(), names.front().size());
  }

  static void expectSnapshotEnd(StreamReader& stream) {
    for (;;) {
      auto message = stream.nextNonHeartbeat();
      ASSERT_TRUE(message) << "no snapshot_end";
      if (message->has_snapshot_end()) return;
    }
  }

  static void expectMarker(StreamReader& stream, const std::string& marker) {
    for (;;) {
      auto message = stream.nextNonHeartbeat();
      ASSERT_TRUE(message) << "stream ended or stalled before " << marker << ": "
                           << (stream.finish(0ms) ? stream.finish(0ms)->error_message() : "open");
      if (message->has_event() && markerOf(message->event()) == marker) return;
    }
  }

  std::unique_ptr<StreamReader> subscribeWith(gw::CrnpGateway::Stub& stub, const std::string& id) {
    gw::SubscribeRequest request;
    request.set_registration_id(id);
    return std::make_unique<StreamReader>(stub, request);
  }

  void expectNoTokenInOutput() {
    const std::string output = gateway_->output();
    for (const auto* token : {&kReadToken, &kWriteToken, &kNewWriteToken, &kUnknownToken}) {
      EXPECT_EQ(output.find(*token), std::string::npos) << "a token reached the log";
    }
  }

  TestPki pki_;
  PemPair ca_;
  PemPair server_;
  std::string tokensFile_;
};

TEST_F(GatewaySecurityTest, TlsServesRpcsAndStreamsAndRefusesPlaintext) {
  ASSERT_NO_FATAL_FAILURE(startSim());
  ASSERT_NO_FATAL_FAILURE(startGateway(tlsFlags()));
  gatewayStub_ = stub(tls());
  ASSERT_TRUE(registerTypes("tls", {eventType("EC_Cluster")}).ok());
  auto stream = subscribe("tls");
  ASSERT_NO_FATAL_FAILURE(expectSnapshotEnd(*stream));
  EXPECT_EQ(serverCommonName(), "gateway-one");

  auto plaintext = gw::CrnpGateway::NewStub(
      grpc::CreateChannel(gatewayAddress_, grpc::InsecureChannelCredentials()));
  EXPECT_EQ(list(*plaintext).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(GatewaySecurityTest, MutualTlsRefusesMissingAndForeignClientCertificates) {
  const PemPair client = pki_.issue(ca_, "client", "client-one", 2001);
  const PemPair otherCa = pki_.makeCa("other-ca");
  const PemPair foreign = pki_.issue(otherCa, "foreign", "client-foreign", 3001);
  ASSERT_NO_FATAL_FAILURE(startSim());
  Args flags = tlsFlags();
  flags.insert(flags.end(), {"--tls-client-ca", ca_.cert});
  ASSERT_NO_FATAL_FAILURE(startGateway(flags));

  auto trusted = stub(tls("", &client));
  EXPECT_TRUE(list(*trusted).ok());
  auto anonymous = stub(tls());
  EXPECT_EQ(list(*anonymous).error_code(), grpc::StatusCode::UNAVAILABLE);
  auto stranger = stub(tls("", &foreign));
  EXPECT_EQ(list(*stranger).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(GatewaySecurityTest, CertificateReloadReachesNewConnectionsAndKeepsOpenStreams) {
  ASSERT_NO_FATAL_FAILURE(startSim());
  Args flags = tlsFlags();
  flags.insert(flags.end(), {"--security-reload-interval", "1s"});
  ASSERT_NO_FATAL_FAILURE(startGateway(flags));
  gatewayStub_ = stub(tls());
  ASSERT_TRUE(registerTypes("reload", {eventType("EC_Cluster")}).ok());
  auto stream = subscribe("reload");
  ASSERT_NO_FATAL_FAILURE(expectSnapshotEnd(*stream));
  ASSERT_EQ(serverCommonName(), "gateway-one");

  // The new pair replaces the files by rename, key first: the watcher may see a mismatched
  // pair for one interval, which the eventually below rides out.
  const PemPair next = pki_.issue(ca_, "server-next", "gateway-two", 1002);
  std::filesystem::rename(next.key, server_.key);
  std::filesystem::rename(next.cert, server_.cert);
  EXPECT_TRUE(
      test::eventually([&] { return serverCommonName() == "gateway-two"; }, kConvergeDeadline));

  emitMarked("after-reload");
  ASSERT_NO_FATAL_FAILURE(expectMarker(*stream, "after-reload"));
  EXPECT_FALSE(stream->finish(0ms)) << "the stream opened before the reload is still open";
}

TEST_F(GatewaySecurityTest, TokenRolesDecidePerRpcWithErrorInfo) {
  ASSERT_NO_FATAL_FAILURE(startSim());
  ASSERT_NO_FATAL_FAILURE(startGateway(tlsAndTokenFlags()));
  auto writer = stub(tls(kWriteToken));
  auto reader = stub(tls(kReadToken));
  auto nobody = stub(tls());
  auto stranger = stub(tls(kUnknownToken));

  ASSERT_TRUE(registerWith(*writer, "roles").ok());
  // A read token: every read RPC, Subscribe included; no change.
  EXPECT_TRUE(list(*reader).ok());
  gw::GetRegistrationRequest get;
  get.set_registration_id("roles");
  gw::Registration fetched;
  EXPECT_TRUE(reader->GetRegistration(contextWithDeadline().get(), get, &fetched).ok());
  gw::ClusterState state;
  EXPECT_TRUE(reader->GetClusterState(contextWithDeadline().get(), {}, &state).ok());
  auto stream = subscribeWith(*reader, "roles");
  ASSERT_NO_FATAL_FAILURE(expectSnapshotEnd(*stream));
  expectRefusal(registerWith(*reader, "by-reader"), grpc::StatusCode::PERMISSION_DENIED,
                "ROLE_INSUFFICIENT");
  gw::UnregisterRequest unregister;
  unregister.set_registration_id("roles");
  gw::UnregisterResponse removed;
  expectRefusal(reader->Unregister(contextWithDeadline().get(), unregister, &removed),
                grpc::StatusCode::PERMISSION_DENIED, "ROLE_INSUFFICIENT");

  // No token, or one the file does not have: UNAUTHENTICATED, for reads and streams too.
  expectRefusal(list(*nobody), grpc::StatusCode::UNAUTHENTICATED, "TOKEN_MISSING");
  expectRefusal(registerWith(*nobody, "anonymous"), grpc::StatusCode::UNAUTHENTICATED,
                "TOKEN_MISSING");
  expectRefusal(list(*stranger), grpc::StatusCode::UNAUTHENTICATED, "TOKEN_INVALID");
  auto refused = subscribeWith(*nobody, "roles");
  const auto end = refused->finish();
  ASSERT_TRUE(end);
  expectRefusal(*end, grpc::StatusCode::UNAUTHENTICATED, "TOKEN_MISSING");
  EXPECT_EQ(refused->received(), 0u) << "refused before any stream message";

  // Probes need no token.
  auto health = grpc::health::v1::Health::NewStub(channel(tls()));
  grpc::health::v1::HealthCheckRequest check;
  grpc::health::v1::HealthCheckResponse answer;
  EXPECT_TRUE(health->Check(contextWithDeadline().get(), check, &answer).ok());

  gw::ListRegistrationsResponse all;
  ASSERT_TRUE(writer->ListRegistrations(contextWithDeadline().get(), {}, &all).ok());
  EXPECT_EQ(all.registrations_size(), 1) << "no refused change was applied";
  expectNoTokenInOutput();
}

TEST_F(GatewaySecurityTest, TokenFileReloadKeepsOpenStreamsAndKeepsOldTokensOnABadFile) {
  ASSERT_NO_FATAL_FAILURE(startSim());
  Args flags = tlsAndTokenFlags();
  flags.insert(flags.end(), {"--security-reload-interval", "1s"});
  ASSERT_NO_FATAL_FAILURE(startGateway(flags));
  auto writer = stub(tls(kWriteToken));
  auto reader = stub(tls(kReadToken));
  auto newcomer = stub(tls(kNewWriteToken));
  ASSERT_TRUE(registerWith(*writer, "reload").ok());
  auto stream = subscribeWith(*reader, "reload");
  ASSERT_NO_FATAL_FAILURE(expectSnapshotEnd(*stream));
  expectRefusal(list(*newcomer), grpc::StatusCode::UNAUTHENTICATED, "TOKEN_INVALID");

  // The reader's token goes, a new writer comes.
  writeTokens(kWriteToken + " writer write\n" + kNewWriteToken + " newcomer write\n");
  ASSERT_TRUE(
      test::eventually([&] { return registerWith(*newcomer, "new").ok(); }, kConvergeDeadline))
      << gateway_->output();
  expectRefusal(list(*reader), grpc::StatusCode::UNAUTHENTICATED, "TOKEN_INVALID");
  emitMarked("after-token-reload");
  ASSERT_NO_FATAL_FAILURE(expectMarker(*stream, "after-token-reload"));

  // A file that does not parse changes nothing; the error names the line, not the token.
  writeTokens(kUnknownToken + " broken\n");
  ASSERT_TRUE(
      gateway_->waitForLine(std::regex("token file not reloaded.*error=\"line 1:"), kStartDeadline))
      << gateway_->output();
  EXPECT_TRUE(list(*newcomer).ok());
  expectRefusal(list(*stub(tls(kUnknownToken))), grpc::StatusCode::UNAUTHENTICATED,
                "TOKEN_INVALID");
  expectNoTokenInOutput();
}

TEST_F(GatewaySecurityTest, EmbeddedSimulatorControlNeedsAWriteToken) {
  ASSERT_NO_FATAL_FAILURE(startGateway(tlsAndTokenFlags(), "127.0.0.1:1", {"--embedded-cluster"}));
  auto control = [&](const std::string& token) {
    auto simStub = sim::SimControl::NewStub(channel(tls(token)));
    sim::ClusterView view;
    return simStub->GetCluster(contextWithDeadline().get(), {}, &view);
  };
  expectRefusal(control(""), grpc::StatusCode::UNAUTHENTICATED, "TOKEN_MISSING");
  expectRefusal(control(kReadToken), grpc::StatusCode::PERMISSION_DENIED, "ROLE_INSUFFICIENT");
  EXPECT_TRUE(control(kWriteToken).ok());
}

TEST_F(GatewaySecurityTest, UnusableFilesFailAtStartNamingTheFile) {
  const std::string missing = pki_.path("missing.pem");
  const std::string badTokens = pki_.path("bad-tokens");
  std::ofstream(badTokens) << "# ok\n" << kReadToken << " reader admin\n";
  struct Case {
    Args flags;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {{"--tls-cert", missing, "--tls-key", server_.key}, "--tls-cert file '" + missing + "'"},
      {{"--tls-cert", server_.cert, "--tls-key", ca_.key}, "does not match the certificate"},
      {{"--tls-cert", server_.key, "--tls-key", server_.key}, "holds no PEM certificate"},
      {{"--auth-tokens", missing}, "token file '" + missing + "'"},
      {{"--auth-tokens", badTokens}, "line 2: the role of 'reader' must be read or write"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.expected);
    Args args = gatewayArgs("127.0.0.1:1");
    args.insert(args.end(), c.flags.begin(), c.flags.end());
    testing::ChildProcess gateway(CRNP_BIN_DIR "/crnp-gateway", args);
    const auto exit = gateway.waitExit(kStartDeadline);
    ASSERT_TRUE(exit) << gateway.output();
    EXPECT_TRUE(exit->exitedWith(1)) << exit->describe() << "\n" << gateway.output();
    EXPECT_NE(gateway.output().find(c.expected), std::string::npos) << gateway.output();
    EXPECT_EQ(gateway.output().find(kReadToken), std::string::npos);
  }
}

// The HTTP/2 limits reach the server: a request over --max-receive-message-bytes is refused
// unread, and a connection carries at most --max-streams-per-connection calls at once.
TEST_F(GatewaySecurityTest, GrpcPortLimitsApply) {
  ASSERT_NO_FATAL_FAILURE(startSim());
  ASSERT_NO_FATAL_FAILURE(
      startGateway({"--max-receive-message-bytes", "2048", "--max-streams-per-connection", "1"}));
  auto shared = gw::CrnpGateway::NewStub(channel(grpc::InsecureChannelCredentials()));
  ASSERT_TRUE(registerWith(*shared, "limits").ok());
  gw::RegisterRequest big;
  big.set_registration_id(std::string(4096, 'x'));
  *big.add_event_types() = eventType("EC_Cluster");
  gw::Registration ignored;
  EXPECT_EQ(shared->Register(contextWithDeadline().get(), big, &ignored).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);

  auto stream = subscribeWith(*shared, "limits");
  ASSERT_NO_FATAL_FAILURE(expectSnapshotEnd(*stream));
  gw::ListRegistrationsResponse response;
  EXPECT_EQ(shared->ListRegistrations(contextWithDeadline(1s).get(), {}, &response).error_code(),
            grpc::StatusCode::DEADLINE_EXCEEDED)
      << "the stream holds the connection's only slot";
  auto other = gw::CrnpGateway::NewStub(channel(grpc::InsecureChannelCredentials()));
  EXPECT_TRUE(list(*other).ok()) << "another connection has its own";
}

// The independent Node client (grpc-js) over TLS with a write token, with reflection behind
// the token too; without the token it cannot even list the services.
TEST_F(GatewaySecurityTest, IndependentNodeClientPassesOverTlsWithAToken) {
  const std::string node = "/usr/bin/node";
  const std::string modules = CRNP_SOURCE_DIR "/tests/node/node_modules";
  if (!std::filesystem::exists(node)) GTEST_SKIP() << "node is not installed at " << node;
  if (!std::filesystem::exists(modules)) {
    GTEST_SKIP() << modules << " missing: run npm ci --prefix tests/node";
  }
  ASSERT_NO_FATAL_FAILURE(startSim());
  ASSERT_NO_FATAL_FAILURE(startGateway(tlsAndTokenFlags(), {}, {"--auth-reflection"}));
  const std::string script = CRNP_SOURCE_DIR "/tests/node/reflection_client.mjs";
  testing::ChildProcess client(
      node, {script, "--gateway", gatewayAddress_, "--sim", simControlAddress_, "--ca", ca_.cert,
             "--token", kWriteToken, "--timeout-ms", "30000"});
  auto exit = client.waitExit(45s);
  ASSERT_TRUE(exit) << client.output();
  EXPECT_TRUE(exit->exitedWith(0)) << exit->describe() << "\n" << client.output();
  EXPECT_EQ(client.output().find(kWriteToken), std::string::npos);

  testing::ChildProcess anonymous(
      node, {script, "--gateway", gatewayAddress_, "--ca", ca_.cert, "--timeout-ms", "20000"});
  exit = anonymous.waitExit(30s);
  ASSERT_TRUE(exit) << anonymous.output();
  EXPECT_TRUE(exit->exitedWith(1)) << exit->describe() << "\n" << anonymous.output();
  EXPECT_NE(anonymous.output().find("ListServices"), std::string::npos) << anonymous.output();
  EXPECT_NE(anonymous.output().find("16"), std::string::npos)  // UNAUTHENTICATED
      << anonymous.output();
}

}  // namespace
}  // namespace crnp::integration
