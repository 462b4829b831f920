#pragma once
// Incremental framing of one XML document on a byte stream that is not closed.
//
// A CRNP server must answer a request as soon as its root element closes (clients do not
// half-close). XmlFramer is fed bytes as they arrive and says when the root element has
// closed. It is a lexer only (tags, comments, PIs, CDATA, quoted attribute values); the codec
// validates the framed document afterwards. Pure: no I/O, no allocation beyond its buffer,
// which it caps at `maxBytes`. Linear in the bytes fed, however they are chunked.
//
// Errors (each message gives the byte offset): a DOCTYPE or other <!...> declaration, CDATA
// or non-whitespace text before the root element (a UTF-8 byte order mark at byte 0 is
// allowed), '<' not followed by a name, elements nested deeper than `maxDepth`, more than
// `maxBytes` bytes without the root element closing.
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
  /// Bytes fed after the end of the root element (a server treats non-space ones as MALFORMED),
  /// as far as they fit within `maxBytes`.
  std::string_view trailing() const;
  /// Why framing failed, once status() == Error.
  const std::string& error() const { return error_; }
  /// Bytes held so far.
  std::size_t size() const { return buffer_.size(); }
  /// Start tags seen so far (self-closing ones included): lets a reader cap the element count
  /// before building a DOM.
  std::size_t elementCount() const { return elements_; }

 private:
  // Where the lexer stands between two bytes; `markupStart_` is the offset of the '<' that
  // opened the current markup.
  enum class Lex { Text, Lt, Bang, Pi, Comment, Cdata, StartTag, EndTag };

  Status fail(std::string message);
  void scan();
  char skipTarget() const;  // the only byte that can change the current state, or 0
  void step(char c);        // one byte, dispatched to the current state's handler below
  void onText(char c);
  void onLt(char c);
  void onBang();
  void onPi(char c);
  void onCommentOrCdata(char c);
  void onStartTag(char c);
  void onEndTag(char c);
  std::string at() const;  // " at byte N" for the current byte
  void closeRoot();

  std::size_t maxBytes_;
  std::size_t maxDepth_;
  std::string buffer_;
  std::size_t pos_ = 0;       // next byte to scan
  std::size_t frameEnd_ = 0;  // one past the '>' closing the root element
  std::size_t depth_ = 0;
  bool rootSeen_ = false;
  Lex lex_ = Lex::Text;
  std::size_t markupStart_ = 0;
  std::size_t elements_ = 0;
  char quote_ = 0;       // the open quote inside a start tag, or 0
  char prev_ = 0;        // previous byte of the tag outside quotes ('/' before '>' = empty tag)
  std::size_t run_ = 0;  // '-' / ']' seen in a row, for "-->" and "]]>"
  Status status_ = Status::NeedMore;
  std::string error_;
};

}  // namespace crnp
