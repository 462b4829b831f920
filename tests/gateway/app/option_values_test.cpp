// The value parsers every source of an option goes through (flag, environment, config file).
#include "option_values.hpp"

#include <gtest/gtest.h>

#include <array>

namespace gateway {
namespace {

using namespace std::chrono_literals;

template <class T>
std::string errorOf(const Parsed<T>& parsed) {
  const auto* error = std::get_if<ParseError>(&parsed);
  return error ? error->message : "";
}

TEST(OptionValues, UnsignedIsDecimalWithinItsRange) {
  EXPECT_EQ(std::get<std::uint64_t>(parseUnsigned("42", 1, 100)), 42u);
  EXPECT_EQ(std::get<std::uint64_t>(parseUnsigned("0", 0, 1)), 0u);
  EXPECT_EQ(errorOf(parseUnsigned("0", 1, 100)), "'0' is not in [1, 100]");
  EXPECT_EQ(errorOf(parseUnsigned("101", 1, 100)), "'101' is not in [1, 100]");
  EXPECT_EQ(errorOf(parseUnsigned("12x", 1, 100)), "'12x' is not a whole number");
  EXPECT_EQ(errorOf(parseUnsigned("-1", 0, 100)), "'-1' is not a whole number");
  EXPECT_EQ(errorOf(parseUnsigned("", 0, 100)), "'' is not a whole number");
  EXPECT_EQ(errorOf(parseUnsigned("99999999999999999999999", 0, UINT64_MAX)),
            "'99999999999999999999999' is not in [0, 18446744073709551615]");
}

TEST(OptionValues, PositiveNumber) {
  EXPECT_DOUBLE_EQ(std::get<double>(parsePositiveNumber("2.5")), 2.5);
  EXPECT_EQ(errorOf(parsePositiveNumber("0")), "'0' is not greater than 0");
  EXPECT_EQ(errorOf(parsePositiveNumber("-1")), "'-1' is not greater than 0");
  EXPECT_EQ(errorOf(parsePositiveNumber("fast")), "'fast' is not a number");
  EXPECT_EQ(errorOf(parsePositiveNumber("inf")), "'inf' is not a number");
}

TEST(OptionValues, DurationUsesTheFlagSyntax) {
  EXPECT_EQ(std::get<std::chrono::milliseconds>(parseDurationValue("250ms")), 250ms);
  EXPECT_EQ(std::get<std::chrono::milliseconds>(parseDurationValue("5m")), 5min);
  EXPECT_EQ(std::get<std::chrono::milliseconds>(parseDurationValue("2")), 2s);
  EXPECT_EQ(errorOf(parseDurationValue("soon")), "'soon' is not a duration (e.g. 250ms, 2s, 5m)");
}

TEST(OptionValues, SwitchWords) {
  for (const char* yes : {"true", "TRUE", "yes", "on", "1"}) {
    EXPECT_TRUE(std::get<bool>(parseSwitch(yes))) << yes;
  }
  for (const char* no : {"false", "No", "off", "0"}) {
    EXPECT_FALSE(std::get<bool>(parseSwitch(no))) << no;
  }
  EXPECT_EQ(errorOf(parseSwitch("maybe")), "'maybe' is not true or false");
}

TEST(OptionValues, ChoiceAndServerAddress) {
  constexpr std::array<std::string_view, 2> kFormats{"text", "json"};
  EXPECT_EQ(std::get<std::string>(parseChoice("json", kFormats)), "json");
  EXPECT_EQ(errorOf(parseChoice("JSON", kFormats)), "'JSON' is not one of: text, json");
  EXPECT_EQ(std::get<std::string>(parseServerAddress("cluster-a:9444")), "cluster-a:9444");
  EXPECT_EQ(errorOf(parseServerAddress("host:notaport")), "'host:notaport' is not host:port");
}

TEST(OptionValues, SplitListTrimsAndDropsEmptyItems) {
  EXPECT_EQ(splitList("a:1, b:2 ,,c:3"), (std::vector<std::string>{"a:1", "b:2", "c:3"}));
  EXPECT_EQ(splitList(""), std::vector<std::string>{});
  EXPECT_EQ(splitList(" , "), std::vector<std::string>{});
}

}  // namespace
}  // namespace gateway
