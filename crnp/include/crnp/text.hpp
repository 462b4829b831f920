#pragma once
// Text rules for everything that reads text from the network or quotes it back: the one UTF-8
// decoder, the one XML-character check, and the one bound on how much of a peer's text an
// error may echo. The codec, the gateway's request checks and error builder, and the
// simulator's control API all use these.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace crnp {

struct Utf8Char {
  char32_t codePoint = 0;
  std::size_t length = 0;  ///< bytes, 1 to 4
};

/// The character that starts at text[pos] (pos < text.size()), or nullopt when the bytes there
/// are not well-formed UTF-8: a stray continuation byte, a truncated sequence, an overlong form,
/// a surrogate or a code point above U+10FFFF.
std::optional<Utf8Char> decodeUtf8(std::string_view text, std::size_t pos);

/// XML 1.0 Char: tab, LF, CR, and U+0020 and above except surrogates, U+FFFE and U+FFFF.
bool isXmlChar(char32_t c);

/// True when `text` is well-formed UTF-8 made only of XML Chars: what a CRNP document can carry.
bool isXmlText(std::string_view text);

/// `text` with every byte that is not part of a well-formed UTF-8 sequence replaced by U+FFFD.
std::string validUtf8(std::string_view text);

/// Bytes of a peer's text that an error message or detail quotes at most. Error text travels
/// in trailers (gRPC) or replies, which a client refuses beyond its metadata limit (8 KiB by
/// default in gRPC), taking the whole HTTP/2 connection down with them.
inline constexpr std::size_t kMaxEchoBytes = 256;

/// `text` as an error may quote it: validUtf8(text) and, when that is over kMaxEchoBytes, its
/// longest prefix of whole characters within kMaxEchoBytes followed by
/// "...(truncated, N bytes)" with N = text.size(). THE way every error echoes what it was sent.
std::string echoBounded(std::string_view text);

}  // namespace crnp
