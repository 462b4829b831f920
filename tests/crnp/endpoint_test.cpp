// crnp::parseEndpoint / toString: the listen addresses of both executables' command lines.
#include "crnp/endpoint.hpp"

#include <gtest/gtest.h>

namespace crnp {
namespace {

TEST(EndpointTest, IpLiteralsWithAPortRoundTrip) {
  for (const char* text :
       {"0.0.0.0:9444", "127.0.0.1:0", "[::1]:9444", "[::]:50051", "[fe80::1]:65535"}) {
    const auto endpoint = parseEndpoint(text);
    ASSERT_TRUE(endpoint) << text;
    EXPECT_EQ(toString(*endpoint), text);
  }
  EXPECT_EQ(parseEndpoint("10.1.2.3:9445")->port(), 9445);
  EXPECT_TRUE(parseEndpoint("[::1]:1")->address().is_v6());
}

TEST(EndpointTest, AnythingElseIsRefused) {
  for (const char* bad :
       {"", ":9444", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "localhost:9444",
        "::1:9444", "[::1]", "[]:1", "[::1:80", "1.2.3.4:80x", "1.2.3:80", "1.2.3.4: 80",
        " 1.2.3.4:80", "1.2.3.4:+80", "1.2.3.4:99999999999999999999"}) {
    EXPECT_FALSE(parseEndpoint(bad)) << bad;
  }
}

}  // namespace
}  // namespace crnp
