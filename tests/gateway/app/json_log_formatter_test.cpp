// --log-format json: every line is one JSON object with time, level, component and msg, then
// the record's fields, whatever the text in them.
#include "json_log_formatter.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "crnp/structured_log.hpp"

namespace gateway {
namespace {

// Routes spdlog's default logger into a string through the JSON formatter for one test.
class JsonLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    previous_ = spdlog::default_logger();
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(text_);
    auto logger = std::make_shared<spdlog::logger>("", sink);
    logger->set_formatter(std::make_unique<JsonLogFormatter>());
    logger->set_level(spdlog::level::trace);
    spdlog::set_default_logger(logger);
  }
  void TearDown() override { spdlog::set_default_logger(previous_); }

  std::vector<nlohmann::json> lines() {
    std::vector<nlohmann::json> parsed;
    std::istringstream in(text_.str());
    for (std::string line; std::getline(in, line);) {
      EXPECT_TRUE(nlohmann::json::accept(line)) << line;
      parsed.push_back(nlohmann::json::parse(line, nullptr, false));
    }
    return parsed;
  }

  std::ostringstream text_;
  std::shared_ptr<spdlog::logger> previous_;
};

TEST_F(JsonLogTest, StructuredRecordBecomesOneObjectWithTypedFields) {
  crnp::slog::warn("upstream", "registration failed",
                   {{"server", "a:9444"},
                    {"attempt", 3},
                    {"types", std::size_t{7}},
                    {"healthy", false},
                    {"rate", 0.5},
                    {"delta", -2}});
  const auto parsed = lines();
  ASSERT_EQ(parsed.size(), 1u) << text_.str();
  const auto& line = parsed[0];
  EXPECT_EQ(line["level"], "warn");
  EXPECT_EQ(line["component"], "upstream");
  EXPECT_EQ(line["msg"], "registration failed");
  EXPECT_EQ(line["server"], "a:9444");
  EXPECT_EQ(line["attempt"], 3);
  EXPECT_EQ(line["types"], 7u);
  EXPECT_EQ(line["healthy"], false);
  EXPECT_DOUBLE_EQ(line["rate"].get<double>(), 0.5);
  EXPECT_EQ(line["delta"], -2);
  EXPECT_TRUE(std::regex_match(line["time"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")))
      << line["time"];
  // Fixed keys come first, in this order.
  std::vector<std::string> keys;
  const auto ordered = nlohmann::ordered_json::parse(text_.str());
  for (const auto& [key, value] : ordered.items()) {
    keys.push_back(key);
  }
  EXPECT_EQ(std::vector<std::string>(keys.begin(), keys.begin() + 4),
            (std::vector<std::string>{"time", "level", "component", "msg"}));
}

TEST_F(JsonLogTest, PlainSpdlogLinesGetTheAppComponent) {
  spdlog::info("crnp-sim: {} events", 12);
  spdlog::error("second");
  const auto parsed = lines();
  ASSERT_EQ(parsed.size(), 2u);
  EXPECT_EQ(parsed[0]["component"], "app");
  EXPECT_EQ(parsed[0]["msg"], "crnp-sim: 12 events");
  EXPECT_EQ(parsed[0]["level"], "info");
  EXPECT_EQ(parsed[1]["level"], "error");
}

TEST_F(JsonLogTest, HostileTextStaysOneValidLine) {
  const std::string hostile = "a\"b\\c\nd\re\tf\x01g\xff\xfe}{";
  crnp::slog::warn("callback", hostile, {{"reason", hostile}, {"msg", "collides"}});
  const auto parsed = lines();
  ASSERT_EQ(parsed.size(), 1u) << text_.str();
  // Control characters escaped and kept; bytes that are not UTF-8 become U+FFFD.
  const std::string expected = "a\"b\\c\nd\re\tf\x01g\xEF\xBF\xBD\xEF\xBF\xBD}{";
  EXPECT_EQ(parsed[0]["msg"], expected);
  EXPECT_EQ(parsed[0]["reason"], expected);
  EXPECT_EQ(text_.str().find('\n'), text_.str().size() - 1) << "one line";
  EXPECT_EQ(parsed[0]["msg_"], "collides") << "a field named like a fixed key keeps both";
}

TEST_F(JsonLogTest, LevelsBelowTheLoggersAreNotBuilt) {
  spdlog::default_logger()->set_level(spdlog::level::warn);
  crnp::slog::info("stream", "not shown");
  crnp::slog::debug("stream", "not shown either");
  crnp::slog::error("stream", "shown");
  const auto parsed = lines();
  ASSERT_EQ(parsed.size(), 1u);
  EXPECT_EQ(parsed[0]["level"], "error");
}

TEST(JsonLogFormat, Rfc3339UtcWithMilliseconds) {
  using namespace std::chrono;
  const system_clock::time_point t{seconds(1'700'000'000) + milliseconds(42)};
  EXPECT_EQ(rfc3339Millis(t), "2023-11-14T22:13:20.042Z");
  EXPECT_EQ(rfc3339Millis(system_clock::time_point{}), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(rfc3339Millis(system_clock::time_point{milliseconds(-1)}), "1969-12-31T23:59:59.999Z");
}

}  // namespace
}  // namespace gateway
