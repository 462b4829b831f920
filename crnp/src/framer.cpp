#include "crnp/framer.hpp"

#include <algorithm>
#include <cstring>

namespace crnp {
namespace {

constexpr std::string_view kCommentOpen = "<!--";
constexpr std::string_view kCdataOpen = "<![CDATA[";
constexpr std::string_view kBom = "\xEF\xBB\xBF";

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// XML NameStartChar, approximated for ASCII; every non-ASCII byte is let through and left to
// the parser.
bool isNameStart(char c) {
  auto u = static_cast<unsigned char>(c);
  return (u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || u == '_' || u == ':' || u >= 0x80;
}

}  // namespace

XmlFramer::XmlFramer(std::size_t maxBytes, std::size_t maxDepth)
    : maxBytes_(maxBytes), maxDepth_(maxDepth) {}

XmlFramer::Status XmlFramer::feed(std::string_view bytes) {
  if (status_ != Status::NeedMore || bytes.empty()) return status_;
  std::size_t room = maxBytes_ - buffer_.size();
  std::size_t take = std::min(room, bytes.size());
  buffer_.append(bytes.data(), take);
  scan();
  if (status_ == Status::NeedMore && take < bytes.size()) {
    return fail("document larger than " + std::to_string(maxBytes_) + " bytes");
  }
  return status_;
}

std::string_view XmlFramer::frame() const {
  if (status_ != Status::Complete) return {};
  return std::string_view(buffer_).substr(0, frameEnd_);
}

std::string_view XmlFramer::trailing() const {
  if (status_ != Status::Complete) return {};
  return std::string_view(buffer_).substr(frameEnd_);
}

XmlFramer::Status XmlFramer::fail(std::string message) {
  status_ = Status::Error;
  error_ = std::move(message);
  return status_;
}

void XmlFramer::closeRoot() {
  frameEnd_ = pos_ + 1;
  status_ = Status::Complete;
}

char XmlFramer::skipTarget() const {
  switch (lex_) {
    case Lex::Text:
      return rootSeen_ ? '<' : 0;  // before the root every byte is checked for whitespace
    case Lex::Cdata:
      return run_ == 0 ? ']' : 0;
    case Lex::Comment:
      return run_ == 0 ? '-' : 0;
    case Lex::StartTag:
      return quote_;
    default:
      return 0;
  }
}

void XmlFramer::scan() {
  while (status_ == Status::NeedMore && pos_ < buffer_.size()) {
    // Text, CDATA, comments and quoted values are the bulk of a document: skip to the next
    // byte that can change the state in one go.
    if (char next = skipTarget()) {
      const void* found = std::memchr(buffer_.data() + pos_, next, buffer_.size() - pos_);
      if (!found) {
        pos_ = buffer_.size();
        return;
      }
      pos_ = static_cast<std::size_t>(static_cast<const char*>(found) - buffer_.data());
    }
    step(buffer_[pos_]);
    if (status_ == Status::NeedMore) ++pos_;
  }
}

void XmlFramer::step(char c) {
  switch (lex_) {
    case Lex::Text:
      return onText(c);
    case Lex::Lt:
      return onLt(c);
    case Lex::Bang:
      return onBang();
    case Lex::Pi:
      return onPi(c);
    case Lex::Comment:
    case Lex::Cdata:
      return onCommentOrCdata(c);
    case Lex::StartTag:
      return onStartTag(c);
    case Lex::EndTag:
      return onEndTag(c);
  }
}

std::string XmlFramer::at() const { return " at byte " + std::to_string(pos_); }

void XmlFramer::onText(char c) {
  if (c == '<') {
    lex_ = Lex::Lt;
    markupStart_ = pos_;
  } else if (pos_ < kBom.size() && buffer_.compare(0, pos_ + 1, kBom, 0, pos_ + 1) == 0) {
    // A UTF-8 byte order mark in front of the document is allowed.
  } else if (!rootSeen_ && !isSpace(c)) {
    fail("text before the root element" + at());
  }
}

// The byte after '<': what kind of markup this is.
void XmlFramer::onLt(char c) {
  if (c == '?') {
    lex_ = Lex::Pi;
    prev_ = 0;
  } else if (c == '!') {
    lex_ = Lex::Bang;
  } else if (c == '/') {
    if (depth_ == 0) {
      fail("end tag without a start tag at byte " + std::to_string(markupStart_));
      return;
    }
    lex_ = Lex::EndTag;
  } else if (isNameStart(c)) {
    ++elements_;
    if (depth_ + 1 > maxDepth_) {
      fail("elements nested deeper than " + std::to_string(maxDepth_) + " levels at byte " +
           std::to_string(markupStart_));
      return;
    }
    rootSeen_ = true;
    lex_ = Lex::StartTag;
    quote_ = 0;
    prev_ = c;
  } else {
    fail("'<' not followed by a tag name" + at());
  }
}

// "<!" so far: only a comment or (inside the root) a CDATA section may follow.
void XmlFramer::onBang() {
  auto seen = std::string_view(buffer_).substr(markupStart_, pos_ + 1 - markupStart_);
  if (seen == kCommentOpen) {
    lex_ = Lex::Comment;
    run_ = 0;
  } else if (seen == kCdataOpen) {
    if (depth_ == 0) {
      fail("CDATA section outside the root element at byte " + std::to_string(markupStart_));
      return;
    }
    lex_ = Lex::Cdata;
    run_ = 0;
  } else if (!kCommentOpen.starts_with(seen) && !kCdataOpen.starts_with(seen)) {
    const std::string where = " at byte " + std::to_string(markupStart_);
    if (seen == "<!D") {
      fail("DOCTYPE declaration" + where + " is not allowed");
    } else {
      fail("markup declaration" + where + " is not allowed");
    }
  }
}

void XmlFramer::onPi(char c) {
  if (c == '>' && prev_ == '?') lex_ = Lex::Text;
  prev_ = c;
}

// Both end at two (or more) markers and '>': "-->" and "]]>".
void XmlFramer::onCommentOrCdata(char c) {
  const char marker = lex_ == Lex::Comment ? '-' : ']';
  if (c == marker) {
    ++run_;
  } else {
    if (c == '>' && run_ >= 2) lex_ = Lex::Text;
    run_ = 0;
  }
}

void XmlFramer::onStartTag(char c) {
  if (quote_) {
    if (c == quote_) {
      quote_ = 0;
      prev_ = c;
    }
    return;
  }
  if (c == '"' || c == '\'') {
    quote_ = c;
  } else if (c == '<') {
    fail("'<' inside the tag that starts at byte " + std::to_string(markupStart_));
    return;
  } else if (c == '>') {
    lex_ = Lex::Text;
    if (prev_ != '/') {
      ++depth_;
    } else if (depth_ == 0) {
      closeRoot();  // a self-closing root element
    }
  }
  prev_ = c;
}

void XmlFramer::onEndTag(char c) {
  if (c == '<') {
    fail("'<' inside the end tag that starts at byte " + std::to_string(markupStart_));
  } else if (c == '>') {
    lex_ = Lex::Text;
    if (--depth_ == 0) closeRoot();
  }
}

}  // namespace crnp
