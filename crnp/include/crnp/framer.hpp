#pragma once
// Incremental framing of one XML document on a byte stream that is not closed.
//
// A CRNP server must answer a request as soon as its root element closes (clients do not
// half-close). XmlFramer is fed bytes as they arrive and says when the root element has
// closed. It is a lexer only (tags, comments, PIs, CDATA, quoted attribute values); the codec
// validates the framed document afterwards. Pure: no I/O, no allocation beyond its buffer,
// which it caps at `maxBytes`.
#include <cstddef>
#include <string>
#include <string_view>

namespace crnp {

class XmlFramer {
 public:
  enum class Status { NeedMore, Complete, Error };

  explicit XmlFramer(std::size_t maxBytes = 1024 * 1024, std::size_t maxDepth = 16);

  /// Appends `bytes` and scans them. After Complete or Error further calls change nothing
  /// and return the same status.
  Status feed(std::string_view bytes);

  Status status() const { return status_; }
  /// The complete document (declaration included), valid once status() == Complete.
  std::string_view frame() const;
  /// Bytes fed after the end of the root element (a server treats non-space ones as MALFORMED).
  std::string_view trailing() const;
  /// Why framing failed, once status() == Error.
  const std::string& error() const { return error_; }
  /// Bytes held so far.
  std::size_t size() const { return buffer_.size(); }

 private:
  Status fail(std::string message);
  void scan();

  std::size_t maxBytes_;
  std::size_t maxDepth_;
  std::string buffer_;
  std::size_t pos_ = 0;        // next byte to scan
  std::size_t frameEnd_ = 0;   // one past the '>' closing the root element
  std::size_t depth_ = 0;
  bool rootSeen_ = false;
  Status status_ = Status::NeedMore;
  std::string error_;
};

}  // namespace crnp
