#include "crnp/address_filter.hpp"

#include <gtest/gtest.h>

#include <string>

namespace crnp {
namespace {

using boost::asio::ip::make_address;

struct MatchCase {
  const char* spec;
  const char* address;
  bool expected;
};

class AddressFilterMatchTest : public ::testing::TestWithParam<MatchCase> {};

TEST_P(AddressFilterMatchTest, MatchesAsTheTableSays) {
  const MatchCase& c = GetParam();
  std::string error;
  auto filter = AddressFilter::parse(c.spec, &error);
  ASSERT_TRUE(filter) << c.spec << ": " << error;
  EXPECT_EQ(filter->matches(make_address(c.address)), c.expected)
      << "spec \"" << c.spec << "\" address " << c.address;
}

INSTANTIATE_TEST_SUITE_P(
    Table, AddressFilterMatchTest,
    ::testing::Values(
        // IPv4 prefixes, edges included.
        MatchCase{"10.0.0.0/8", "10.255.255.255", true}, MatchCase{"10.0.0.0/8", "11.0.0.0", false},
        MatchCase{"192.168.1.0/24", "192.168.1.77", true},
        MatchCase{"192.168.1.0/24", "192.168.2.1", false},
        MatchCase{"192.168.1.128/25", "192.168.1.127", false},
        MatchCase{"192.168.1.128/25", "192.168.1.128", true},
        MatchCase{"172.16.0.0/12", "172.31.255.1", true},
        MatchCase{"172.16.0.0/12", "172.32.0.1", false}, MatchCase{"0.0.0.0/0", "8.8.8.8", true},
        MatchCase{"0.0.0.0/0", "::1", false},
        // Host bits in the network are masked off.
        MatchCase{"10.1.2.3/8", "10.200.0.1", true}, MatchCase{"10.1.2.3/8", "11.1.2.3", false},
        // Bare addresses are single hosts.
        MatchCase{"127.0.0.1", "127.0.0.1", true}, MatchCase{"127.0.0.1", "127.0.0.2", false},
        MatchCase{"127.0.0.1/32", "127.0.0.2", false},
        // IPv6.
        MatchCase{"2001:db8::/32", "2001:db8:ffff::1", true},
        MatchCase{"2001:db8::/32", "2001:db9::1", false}, MatchCase{"fe80::/10", "febf::1", true},
        MatchCase{"fe80::/10", "fec0::1", false}, MatchCase{"::1", "::1", true},
        MatchCase{"::1", "::2", false}, MatchCase{"2001:db8::1/128", "2001:db8::1", true},
        MatchCase{"::/0", "2001:db8::1", true}, MatchCase{"::/0", "10.0.0.1", false},
        // IPv4-mapped IPv6 compares as IPv4, on both sides.
        MatchCase{"10.0.0.0/8", "::ffff:10.1.2.3", true},
        MatchCase{"10.0.0.0/8", "::ffff:11.1.2.3", false},
        MatchCase{"127.0.0.1", "::ffff:127.0.0.1", true},
        MatchCase{"::ffff:10.0.0.0/104", "10.9.9.9", true},
        MatchCase{"::ffff:10.0.0.0/104", "11.9.9.9", false},
        MatchCase{"::ffff:192.0.2.1", "192.0.2.1", true},
        // Keywords, any case, mixed with entries and separators.
        MatchCase{"ALL", "203.0.113.9", true}, MatchCase{"all", "2001:db8::1", true},
        MatchCase{"local", "127.0.0.1", true}, MatchCase{"LOCAL", "127.255.0.1", true},
        MatchCase{"LOCAL", "::1", true}, MatchCase{"Local", "::ffff:127.0.0.1", true},
        MatchCase{"LOCAL", "203.0.113.9", false},
        MatchCase{"10.0.0.0/8, 192.168.0.0/16", "192.168.3.4", true},
        MatchCase{" 10.0.0.0/8 ,,\t192.168.0.0/16\n", "10.3.4.5", true},
        MatchCase{"10.0.0.0/8 192.168.0.0/16", "172.16.0.1", false},
        MatchCase{"203.0.113.0/24,ALL", "8.8.8.8", true},
        // Empty filters match nothing.
        MatchCase{"", "127.0.0.1", false}, MatchCase{" , ,", "::1", false}));

TEST(AddressFilterTest, BadEntriesAreRejectedWithTheEntryNamed) {
  const char* badEntries[] = {
      "10.0.0.0/33", "::/129",  "10.0.0.1/",   "10.0.0.1/-1",       "10.0.0.1/8x",  "10.0.0.256",
      "10.0.0",      "garbage", "/8",          "2001:db8::g/32",    "10.0.0.1/8/8", "1.2.3.4/ 8x",
      "LOCALHOST",   "ALLx",    "10.0.0.1/+8", "::ffff:1.2.3.4/129"};
  for (const char* entry : badEntries) {
    const std::string spec = std::string("127.0.0.1, ") + entry + " ::1";
    std::string error;
    EXPECT_FALSE(AddressFilter::parse(spec, &error)) << spec;
    // The message names the offending entry (its first token when it has a space inside).
    std::string token(entry);
    token = token.substr(0, token.find(' '));
    EXPECT_NE(error.find(token), std::string::npos) << "error \"" << error << "\" for " << spec;
  }
}

TEST(AddressFilterTest, ErrorOutputIsOptional) {
  EXPECT_FALSE(AddressFilter::parse("nonsense"));
  EXPECT_TRUE(AddressFilter::parse("10.0.0.0/8"));
}

TEST(AddressFilterTest, EmptyAndSpec) {
  auto empty = AddressFilter::parse("");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
  auto some = AddressFilter::parse("10.0.0.0/8  ::1");
  ASSERT_TRUE(some);
  EXPECT_FALSE(some->empty());
  EXPECT_EQ(some->spec(), "10.0.0.0/8,::1");
  auto all = AddressFilter::parse("ALL");
  ASSERT_TRUE(all);
  EXPECT_FALSE(all->empty());
}

TEST(AddressFilterTest, AllAndSingle) {
  const AddressFilter all = AddressFilter::all();
  EXPECT_FALSE(all.empty());
  EXPECT_TRUE(all.matches(make_address("198.51.100.1")));
  EXPECT_TRUE(all.matches(make_address("2001:db8::5")));

  const AddressFilter one = AddressFilter::single(make_address("127.0.0.1"));
  EXPECT_TRUE(one.matches(make_address("127.0.0.1")));
  EXPECT_TRUE(one.matches(make_address("::ffff:127.0.0.1")));
  EXPECT_FALSE(one.matches(make_address("127.0.0.2")));
  EXPECT_EQ(one.spec(), "127.0.0.1");

  const AddressFilter mapped = AddressFilter::single(make_address("::ffff:10.0.0.1"));
  EXPECT_TRUE(mapped.matches(make_address("10.0.0.1")));
  EXPECT_FALSE(mapped.matches(make_address("10.0.0.2")));

  const AddressFilter six = AddressFilter::single(make_address("2001:db8::1"));
  EXPECT_TRUE(six.matches(make_address("2001:db8::1")));
  EXPECT_FALSE(six.matches(make_address("2001:db8::2")));
}

TEST(AddressFilterTest, LocalCoversEveryInterfaceAddressOfThisHost) {
  auto local = AddressFilter::parse("LOCAL");
  ASSERT_TRUE(local);
  EXPECT_TRUE(local->matches(make_address("127.0.0.1")));
  EXPECT_TRUE(local->matches(make_address("127.0.0.2")));
  EXPECT_FALSE(local->matches(make_address("203.0.113.77")));  // TEST-NET-3: never local
}

TEST(AddressFilterTest, NormalizeTurnsMappedIntoV4AndLeavesOthers) {
  EXPECT_EQ(normalize(make_address("::ffff:10.1.2.3")), make_address("10.1.2.3"));
  EXPECT_TRUE(normalize(make_address("::ffff:10.1.2.3")).is_v4());
  EXPECT_EQ(normalize(make_address("10.1.2.3")), make_address("10.1.2.3"));
  EXPECT_EQ(normalize(make_address("2001:db8::1")), make_address("2001:db8::1"));
  EXPECT_TRUE(normalize(make_address("::1")).is_v6());
}

}  // namespace
}  // namespace crnp
