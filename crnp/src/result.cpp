#include "crnp/result.hpp"

namespace crnp {

StatusCode ParseError::replyCode() const {
  switch (kind) {
    case ParseErrorKind::Malformed:
      return StatusCode::Malformed;
    case ParseErrorKind::Invalid:
      return StatusCode::Invalid;
    case ParseErrorKind::VersionTooHigh:
      return StatusCode::VersionTooHigh;
    case ParseErrorKind::VersionTooLow:
      return StatusCode::VersionTooLow;
  }
  return StatusCode::Malformed;
}

}  // namespace crnp
