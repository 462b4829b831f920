#pragma once
// Table-driven error cases shared by the codec error tests: a document, the reader to use, the
// expected kind and the words its message must contain.
#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "codec_samples.hpp"
#include "crnp/codec.hpp"

namespace crnp::test {

enum class Reader { Registration, Reply, Event };

struct ErrorCase {
  const char* name;
  Reader reader;
  std::string document;
  ParseErrorKind kind;
  std::vector<std::string> mentions;  // every one must appear in the message
};

inline void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.name; }

inline std::optional<ParseError> parseWith(Reader reader, std::string_view document) {
  switch (reader) {
    case Reader::Registration:
      if (auto r = parseRegistration(document); !r) return r.error();
      return std::nullopt;
    case Reader::Reply:
      if (auto r = parseReply(document); !r) return r.error();
      return std::nullopt;
    case Reader::Event:
      if (auto r = parseEvent(document); !r) return r.error();
      return std::nullopt;
  }
  return std::nullopt;
}

/// Runs one ErrorCase (the TEST_P is in codec_malformed_test.cpp).
class CodecErrors : public testing::TestWithParam<ErrorCase> {};

using K = ParseErrorKind;
constexpr auto kReg = Reader::Registration;
constexpr auto kReply = Reader::Reply;
constexpr auto kEvent = Reader::Event;

}  // namespace crnp::test
