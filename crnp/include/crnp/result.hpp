#pragma once
// Result of reading a CRNP document: the value, or an error whose kind says how a server must
// answer it (MALFORMED, INVALID, VERSION_TOO_HIGH, VERSION_TOO_LOW).
#include <string>
#include <utility>
#include <variant>

#include "crnp/messages.hpp"

namespace crnp {

enum class ParseErrorKind {
  Malformed,       ///< not XML, several documents, trailing bytes, over a limit, DOCTYPE
  Invalid,         ///< well-formed but not the DTD (attributes, children, values)
  VersionTooHigh,  ///< VERSION numerically above 1.0
  VersionTooLow    ///< VERSION numerically below 1.0
};

struct ParseError {
  ParseErrorKind kind = ParseErrorKind::Malformed;
  std::string message;  ///< says what is wrong and where, for a human to act on
  /// The SC_REPLY code a server answers this error with.
  StatusCode replyCode() const;
};

template <class T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}           // NOLINT: implicit by design
  Result(ParseError error) : v_(std::move(error)) {}  // NOLINT: implicit by design
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const T& value() const& { return std::get<0>(v_); }
  T& value() & { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const ParseError& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, ParseError> v_;
};

}  // namespace crnp
