#include "crnp/text.hpp"

#include <algorithm>
#include <cstdint>

namespace crnp {
namespace {

constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD

// Appends `text` as valid UTF-8 until `out` would grow past `limit` bytes; false when it
// stopped before the end of `text`.
bool appendValidUtf8(std::string_view text, std::size_t limit, std::string& out) {
  for (std::size_t i = 0; i < text.size();) {
    const auto character = decodeUtf8(text, i);
    const std::string_view piece =
        character ? text.substr(i, character->length) : kReplacementCharacter;
    if (out.size() + piece.size() > limit) return false;
    out += piece;
    i += character ? character->length : 1;
  }
  return true;
}

}  // namespace

std::optional<Utf8Char> decodeUtf8(std::string_view text, std::size_t pos) {
  const auto lead = static_cast<unsigned char>(text[pos]);
  char32_t cp = 0;
  std::size_t length = 0;
  char32_t minimum = 0;  // smallest code point of this length: shorter forms are overlong
  if (lead < 0x80) {
    return Utf8Char{lead, 1};
  } else if ((lead & 0xE0) == 0xC0) {
    cp = lead & 0x1F, length = 2, minimum = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    cp = lead & 0x0F, length = 3, minimum = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    cp = lead & 0x07, length = 4, minimum = 0x10000;
  } else {
    return std::nullopt;
  }
  if (text.size() - pos < length) return std::nullopt;
  for (std::size_t k = 1; k < length; ++k) {
    const auto next = static_cast<unsigned char>(text[pos + k]);
    if ((next & 0xC0) != 0x80) return std::nullopt;
    cp = (cp << 6) | (next & 0x3F);
  }
  if (cp < minimum || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
  return Utf8Char{cp, length};
}

bool isXmlChar(char32_t c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
         (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

bool isXmlText(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto character = decodeUtf8(text, i);
    if (!character || !isXmlChar(character->codePoint)) return false;
    i += character->length;
  }
  return true;
}

std::string validUtf8(std::string_view text) {
  std::string out;
  appendValidUtf8(text, std::string::npos, out);
  return out;
}

std::string echoBounded(std::string_view text) {
  std::string out;
  out.reserve(std::min(text.size(), kMaxEchoBytes) + 32);
  if (!appendValidUtf8(text, kMaxEchoBytes, out)) {
    out += "...(truncated, " + std::to_string(text.size()) + " bytes)";
  }
  return out;
}

}  // namespace crnp
