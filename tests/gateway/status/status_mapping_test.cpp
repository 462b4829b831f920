// The SC_REPLY / transport -> gRPC table, row by row, as a client decodes it; and the copy of
// the table in docs/status-mapping.md.
#include "status_mapping.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "status_details.hpp"

namespace gateway {
namespace {

using crnp::RegistrationOutcome;
using crnp::StatusCode;
using test::parseStatusDetails;

// The table, written out independently of the code under test.
struct Expected {
  UpstreamResult result;
  grpc::StatusCode code;
  std::string reason;
  std::string crnpStatus;
  int retrySeconds;  // 0: no RetryInfo
};

UpstreamResult reply(StatusCode code) {
  return {RegistrationOutcome::Replied, code, "server said why", "10.0.0.5:9444"};
}
UpstreamResult transport(RegistrationOutcome outcome) {
  return {outcome, std::nullopt, "socket said why", "10.0.0.5:9444"};
}

const std::vector<Expected>& expectedRows() {
  static const std::vector<Expected> rows = {
      {reply(StatusCode::Retry), grpc::UNAVAILABLE, "CRNP_RETRY", "RETRY", 1},
      {reply(StatusCode::LowResource), grpc::RESOURCE_EXHAUSTED, "CRNP_LOW_RESOURCE",
       "LOW_RESOURCE", 10},
      {reply(StatusCode::SystemError), grpc::INTERNAL, "CRNP_SYSTEM_ERROR", "SYSTEM_ERROR", 0},
      {reply(StatusCode::Fail), grpc::PERMISSION_DENIED, "CRNP_FAIL", "FAIL", 0},
      {reply(StatusCode::Malformed), grpc::INTERNAL, "CRNP_MALFORMED", "MALFORMED", 0},
      {reply(StatusCode::Invalid), grpc::INVALID_ARGUMENT, "CRNP_INVALID", "INVALID", 0},
      {reply(StatusCode::VersionTooHigh), grpc::FAILED_PRECONDITION, "CRNP_VERSION_TOO_HIGH",
       "VERSION_TOO_HIGH", 0},
      {reply(StatusCode::VersionTooLow), grpc::FAILED_PRECONDITION, "CRNP_VERSION_TOO_LOW",
       "VERSION_TOO_LOW", 0},
      {transport(RegistrationOutcome::ConnectionRefused), grpc::UNAVAILABLE,
       "CRNP_CONNECTION_REFUSED", "CONNECTION_REFUSED", 2},
      {transport(RegistrationOutcome::ConnectionReset), grpc::UNAVAILABLE, "CRNP_CONNECTION_RESET",
       "CONNECTION_RESET", 2},
      {transport(RegistrationOutcome::ResolveFailed), grpc::UNAVAILABLE, "CRNP_RESOLVE_FAILED",
       "RESOLVE_FAILED", 2},
      {transport(RegistrationOutcome::NetworkError), grpc::UNAVAILABLE, "CRNP_NETWORK_ERROR",
       "NETWORK_ERROR", 2},
      {transport(RegistrationOutcome::ConnectTimeout), grpc::DEADLINE_EXCEEDED, "CRNP_TIMEOUT",
       "CONNECT_TIMEOUT", 5},
      {transport(RegistrationOutcome::ReplyTimeout), grpc::DEADLINE_EXCEEDED, "CRNP_TIMEOUT",
       "REPLY_TIMEOUT", 5},
      {transport(RegistrationOutcome::MalformedReply), grpc::INTERNAL, "CRNP_MALFORMED_REPLY",
       "MALFORMED_REPLY", 0},
  };
  return rows;
}

class StatusRowTest : public ::testing::TestWithParam<std::size_t> {};

TEST_P(StatusRowTest, MapsToCodeWithErrorInfoAndRetryInfo) {
  const Expected& row = expectedRows().at(GetParam());
  const grpc::Status status = toGrpcStatus(row.result);
  SCOPED_TRACE(row.reason + " / " + row.crnpStatus);

  EXPECT_EQ(status.error_code(), row.code);
  EXPECT_NE(status.error_message().find("10.0.0.5:9444"), std::string::npos);
  EXPECT_NE(status.error_message().find(row.result.message), std::string::npos);

  const auto details = parseStatusDetails(status);
  ASSERT_TRUE(details.parsed);
  EXPECT_EQ(details.status.code(), static_cast<int>(row.code));
  EXPECT_EQ(details.status.message(), status.error_message());
  EXPECT_EQ(details.unknownDetails, 0);

  ASSERT_TRUE(details.errorInfo);
  EXPECT_EQ(details.errorInfo->reason(), row.reason);
  EXPECT_EQ(details.errorInfo->domain(), "crnp-gateway");
  const auto& metadata = details.errorInfo->metadata();
  ASSERT_EQ(metadata.size(), 3u);
  EXPECT_EQ(metadata.at("crnp_status"), row.crnpStatus);
  EXPECT_EQ(metadata.at("crnp_message"), row.result.message);
  EXPECT_EQ(metadata.at("crnp_server"), "10.0.0.5:9444");

  if (row.retrySeconds == 0) {
    EXPECT_FALSE(details.retryInfo);
  } else {
    ASSERT_TRUE(details.retryInfo);
    EXPECT_EQ(details.retryInfo->retry_delay().seconds(), row.retrySeconds);
    EXPECT_EQ(details.retryInfo->retry_delay().nanos(), 0);
  }
}

INSTANTIATE_TEST_SUITE_P(EveryRow, StatusRowTest,
                         ::testing::Range<std::size_t>(0, expectedRows().size()));

TEST(StatusMapping, OkReplyIsOkWithoutDetails) {
  const grpc::Status status = toGrpcStatus(reply(StatusCode::Ok));
  EXPECT_TRUE(status.ok());
  EXPECT_TRUE(status.error_details().empty());
}

TEST(StatusMapping, ReplyWithoutCodeCountsAsMalformedReply) {
  UpstreamResult result{RegistrationOutcome::Replied, std::nullopt, "", "h:1"};
  const auto details = parseStatusDetails(toGrpcStatus(result));
  ASSERT_TRUE(details.errorInfo);
  EXPECT_EQ(details.status.code(), grpc::INTERNAL);
  EXPECT_EQ(details.errorInfo->reason(), "CRNP_MALFORMED_REPLY");
}

TEST(StatusMapping, EveryReplyCodeAndOutcomeHasItsOwnRow) {
  std::set<std::pair<int, int>> seen;
  for (const auto& row : statusMappingTable()) {
    const int code =
        row.outcome == RegistrationOutcome::Replied ? static_cast<int>(row.replyCode) : -1;
    EXPECT_TRUE(seen.insert({static_cast<int>(row.outcome), code}).second)
        << "duplicate row " << row.crnpStatus;
  }
  for (const StatusCode code : crnp::kAllStatusCodes) {
    const auto& row = statusMappingFor(reply(code));
    EXPECT_EQ(row.crnpStatus, crnp::toString(code));
  }
  // Every enumerator from the first to the last.
  for (int outcome = static_cast<int>(RegistrationOutcome::ResolveFailed);
       outcome <= static_cast<int>(RegistrationOutcome::NetworkError); ++outcome) {
    const auto& row = statusMappingFor(transport(static_cast<RegistrationOutcome>(outcome)));
    EXPECT_EQ(static_cast<int>(row.outcome), outcome);
  }
  EXPECT_EQ(statusMappingTable().size(), expectedRows().size() + 1);  // + the OK row
}

TEST(StatusMapping, MissingServerIsNamedInTheMessage) {
  UpstreamResult result = transport(RegistrationOutcome::ConnectionRefused);
  result.server.clear();
  const grpc::Status status = toGrpcStatus(result);
  EXPECT_NE(status.error_message().find("(none configured)"), std::string::npos);
  EXPECT_EQ(parseStatusDetails(status).errorInfo->metadata().at("crnp_server"), "");
}

TEST(StatusMapping, ClientErrorsCarryErrorInfoAndOptionalRetryInfo) {
  const grpc::Status plain = makeErrorStatus(
      grpc::NOT_FOUND, "no such thing", "REGISTRATION_NOT_FOUND", {{"registration_id", "abc"}});
  auto details = parseStatusDetails(plain);
  ASSERT_TRUE(details.errorInfo);
  EXPECT_EQ(plain.error_code(), grpc::NOT_FOUND);
  EXPECT_EQ(details.status.code(), grpc::NOT_FOUND);
  EXPECT_EQ(details.status.message(), "no such thing");
  EXPECT_EQ(details.errorInfo->reason(), "REGISTRATION_NOT_FOUND");
  EXPECT_EQ(details.errorInfo->domain(), "crnp-gateway");
  EXPECT_EQ(details.errorInfo->metadata().at("registration_id"), "abc");
  EXPECT_FALSE(details.retryInfo);

  const grpc::Status busy = makeErrorStatus(grpc::RESOURCE_EXHAUSTED, "busy", "BUSY", {},
                                            std::chrono::milliseconds(1500));
  details = parseStatusDetails(busy);
  ASSERT_TRUE(details.retryInfo);
  EXPECT_EQ(details.retryInfo->retry_delay().seconds(), 1);
  EXPECT_EQ(details.retryInfo->retry_delay().nanos(), 500'000'000);
}

TEST(StatusMapping, ErrorTextAndMetadataAreValidUtf8) {
  const grpc::Status status = makeErrorStatus(grpc::INVALID_ARGUMENT, "bad \xff", "BAD",
                                              {{"value", std::string("x\xc3\x28", 3)}});
  EXPECT_EQ(status.error_message(), "bad \xef\xbf\xbd");
  const auto details = parseStatusDetails(status);  // a proto3 parser refuses invalid UTF-8
  ASSERT_TRUE(details.parsed);
  ASSERT_TRUE(details.errorInfo);
  EXPECT_EQ(details.status.message(), status.error_message());
  EXPECT_EQ(details.errorInfo->metadata().at("value"), "x\xef\xbf\xbd(");
}

TEST(StatusMapping, ServerMessageIsQuotedWithinTheBound) {
  UpstreamResult result = reply(StatusCode::Invalid);
  result.message = std::string(100'000, 'm') + "\xff";
  const grpc::Status status = toGrpcStatus(result);
  const auto details = parseStatusDetails(status);
  ASSERT_TRUE(details.errorInfo);
  EXPECT_EQ(details.errorInfo->metadata().at("crnp_message"), crnp::echoBounded(result.message));
  EXPECT_LT(status.error_message().size(), 2 * crnp::kMaxEchoBytes);
  EXPECT_LT(status.error_details().size(), 4 * crnp::kMaxEchoBytes);
}

// The auth rows, written out independently: who-are-you is UNAUTHENTICATED, known-but-not-
// allowed is PERMISSION_DENIED; the method is named, nothing is retried.
TEST(StatusMapping, AuthFailuresHaveTheirRows) {
  struct AuthRow {
    AuthFailure failure;
    grpc::StatusCode code;
    std::string reason;
  };
  const AuthRow rows[] = {
      {AuthFailure::TokenMissing, grpc::UNAUTHENTICATED, "TOKEN_MISSING"},
      {AuthFailure::TokenInvalid, grpc::UNAUTHENTICATED, "TOKEN_INVALID"},
      {AuthFailure::RoleInsufficient, grpc::PERMISSION_DENIED, "ROLE_INSUFFICIENT"},
  };
  EXPECT_EQ(authFailureTable().size(), std::size(rows));
  for (const auto& row : rows) {
    SCOPED_TRACE(row.reason);
    const grpc::Status status =
        authFailureStatus(row.failure, "/p.S/M", {{"required_role", "write"}});
    EXPECT_EQ(status.error_code(), row.code);
    EXPECT_NE(status.error_message().find("/p.S/M"), std::string::npos);
    const auto details = parseStatusDetails(status);
    ASSERT_TRUE(details.errorInfo);
    EXPECT_EQ(details.status.code(), static_cast<int>(row.code));
    EXPECT_EQ(details.errorInfo->reason(), row.reason);
    EXPECT_EQ(details.errorInfo->domain(), "crnp-gateway");
    EXPECT_EQ(details.errorInfo->metadata().at("method"), "/p.S/M");
    EXPECT_EQ(details.errorInfo->metadata().at("required_role"), "write");
    EXPECT_FALSE(details.retryInfo);
  }
}

// docs/status-mapping.md shows the table to users: it must say what the code does.
std::string grpcCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::OK:
      return "OK";
    case grpc::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::INTERNAL:
      return "INTERNAL";
    case grpc::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    default:
      return "code " + std::to_string(static_cast<int>(code));
  }
}

TEST(StatusMapping, DocumentationShowsTheSameTable) {
  std::ifstream file(std::string(CRNP_SOURCE_DIR) + "/docs/status-mapping.md");
  ASSERT_TRUE(file) << "docs/status-mapping.md is missing";
  std::stringstream text;
  text << file.rdbuf();
  const std::string doc = text.str();
  for (const auto& row : statusMappingTable()) {
    std::string retry = "-";
    if (row.retryDelay.count() > 0) {
      retry = std::to_string(row.retryDelay.count() / 1000) + " s";
      ASSERT_EQ(row.retryDelay.count() % 1000, 0) << "the doc shows whole seconds";
    }
    const std::string line =
        "| " + std::string(row.crnpStatus) + " | " + grpcCodeName(row.grpcCode) + " | " +
        (row.reason.empty() ? "-" : std::string(row.reason)) + " | " + retry + " |";
    EXPECT_NE(doc.find(line), std::string::npos) << "docs/status-mapping.md lacks: " << line;
  }
}

}  // namespace
}  // namespace gateway
