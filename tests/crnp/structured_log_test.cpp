// crnp::slog: the text form every formatter prints, and the record a structured formatter reads
// while (and only while) its line is formatted.
#include "crnp/structured_log.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/base_sink.h>

#include <mutex>
#include <string>
#include <vector>

#include "log_limiter.hpp"

namespace crnp::slog {
namespace {

// Keeps each line's level, payload and the record current while the sink ran.
class RecordingSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  struct Line {
    spdlog::level::level_enum level;
    std::string payload;
    std::string component;  // from currentRecord(), "" when none
    std::size_t fields = 0;
  };
  std::vector<Line> lines;

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    Line line{msg.level, std::string(msg.payload.data(), msg.payload.size()), "", 0};
    if (const Record* record = currentRecord()) {
      line.component = std::string(record->component);
      line.fields = record->fields.size();
    }
    lines.push_back(std::move(line));
  }
  void flush_() override {}
};

class StructuredLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    previous_ = spdlog::default_logger();
    sink_ = std::make_shared<RecordingSink>();
    auto logger = std::make_shared<spdlog::logger>("", sink_);
    logger->set_level(spdlog::level::trace);
    spdlog::set_default_logger(logger);
  }
  void TearDown() override { spdlog::set_default_logger(previous_); }

  std::shared_ptr<RecordingSink> sink_;
  std::shared_ptr<spdlog::logger> previous_;
};

TEST(StructuredLogText, FieldsFollowTheMessageQuotedWhenNeeded) {
  const Field fields[] = {
      {"server", "a:9444"}, {"types", 3},  {"ok", true},           {"why", "no route"},
      {"empty", ""},        {"eq", "a=b"}, {"nl", "one\ntwo\x01"}, {"neg", std::int64_t{-4}}};
  EXPECT_EQ(toText({"upstream", "registration failed", fields}),
            "upstream: registration failed server=a:9444 types=3 ok=true why=\"no route\" "
            "empty=\"\" eq=\"a=b\" nl=\"one\\ntwo\\x01\" neg=-4");
}

TEST_F(StructuredLogTest, TheRecordIsCurrentOnlyWhileItsLineIsFormatted) {
  EXPECT_EQ(currentRecord(), nullptr);
  info("callback", "accepting events", {{"address", "127.0.0.1:9445"}});
  spdlog::info("plain line");
  EXPECT_EQ(currentRecord(), nullptr);
  ASSERT_EQ(sink_->lines.size(), 2u);
  EXPECT_EQ(sink_->lines[0].payload, "callback: accepting events address=127.0.0.1:9445");
  EXPECT_EQ(sink_->lines[0].component, "callback");
  EXPECT_EQ(sink_->lines[0].fields, 1u);
  EXPECT_EQ(sink_->lines[1].payload, "plain line");
  EXPECT_EQ(sink_->lines[1].component, "") << "a plain spdlog line has no record";
}

TEST_F(StructuredLogTest, LimiterSendsWarningsOverTheWindowToDebug) {
  detail::LogLimiter limiter(2, std::chrono::hours(1));
  for (int i = 0; i < 4; ++i)
    limiter.warn("callback", "dropped connection", {{"peer", "10.0.0.1"}});
  ASSERT_EQ(sink_->lines.size(), 4u);
  EXPECT_EQ(sink_->lines[0].level, spdlog::level::warn);
  EXPECT_EQ(sink_->lines[1].level, spdlog::level::warn);
  EXPECT_EQ(sink_->lines[2].level, spdlog::level::debug);
  EXPECT_EQ(sink_->lines[3].level, spdlog::level::debug);
  EXPECT_EQ(sink_->lines[3].component, "callback");
}

TEST_F(StructuredLogTest, LimiterWithAZeroWindowHoldsNothingBack) {
  detail::LogLimiter limiter(1, std::chrono::steady_clock::duration::zero());
  // A zero window opens a new one at every call: nothing is ever held back.
  for (int i = 0; i < 3; ++i) limiter.warn("callback", "accept failed");
  for (const auto& line : sink_->lines) EXPECT_EQ(line.level, spdlog::level::warn);
}

}  // namespace
}  // namespace crnp::slog
