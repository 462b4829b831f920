#include "xml_text.hpp"

#include <array>
#include <charconv>
#include <cstdio>

#include "crnp/text.hpp"

namespace crnp::detail {
namespace {

void appendUtf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

std::string hexByte(unsigned char b) {
  std::array<char, 8> text{};
  std::snprintf(text.data(), text.size(), "0x%02X", b);
  return text.data();
}

std::string codePoint(char32_t c) {
  std::array<char, 16> text{};
  std::snprintf(text.data(), text.size(), "U+%04X", static_cast<unsigned>(c));
  return text.data();
}

// Expands the reference starting at raw[i] == '&'; returns the index after ';' or an error.
std::optional<ParseError> expandReference(std::string_view raw, std::size_t& i, std::size_t offset,
                                          std::string& out) {
  const std::size_t at = offset + i;
  std::size_t semicolon = raw.find(';', i);
  if (semicolon == std::string_view::npos || semicolon - i > 32) {
    return malformedAt(at, "'&' that does not start a reference (write it as &amp;)");
  }
  std::string_view name = raw.substr(i + 1, semicolon - i - 1);
  i = semicolon + 1;
  static constexpr std::array<std::pair<std::string_view, char>, 5> kPredefined{
      {{"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}}};
  for (const auto& [entity, value] : kPredefined) {
    if (name == entity) {
      out += value;
      return std::nullopt;
    }
  }
  if (name.empty() || name[0] != '#') {
    return malformedAt(at, "undeclared entity &" + std::string(name) +
                               "; (only &amp; &lt; &gt; &quot; &apos; and character "
                               "references are allowed)");
  }
  std::string_view digits = name.substr(1);
  int base = 10;
  if (!digits.empty() && digits[0] == 'x') {
    digits.remove_prefix(1);
    base = 16;
  }
  std::uint32_t code = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), code, base);
  if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size()) {
    return malformedAt(at, "bad character reference &" + std::string(name) + ";");
  }
  if (!isXmlChar(code)) {
    return malformedAt(at,
                       "character reference &" + std::string(name) + "; is not an XML character");
  }
  appendUtf8(out, code);
  return std::nullopt;
}

}  // namespace

ParseError malformedAt(std::size_t offset, std::string_view reason) {
  return ParseError{ParseErrorKind::Malformed,
                    "malformed XML at byte " + std::to_string(offset) + ": " + std::string(reason)};
}

std::optional<ParseError> checkCharacters(std::string_view data) {
  for (std::size_t i = 0; i < data.size();) {
    const auto character = decodeUtf8(data, i);
    if (!character) {
      return malformedAt(
          i, "byte " + hexByte(static_cast<unsigned char>(data[i])) + " is not valid UTF-8");
    }
    if (!isXmlChar(character->codePoint)) {
      return malformedAt(i,
                         "character " + codePoint(character->codePoint) + " is not allowed in XML");
    }
    i += character->length;
  }
  return std::nullopt;
}

std::optional<ParseError> appendRawText(std::string_view raw, RawText kind, std::size_t offset,
                                        std::string& out) {
  for (std::size_t i = 0; i < raw.size();) {
    char c = raw[i];
    if (c == '\r') {
      // Line-end normalisation (XML 1.0 section 2.11): CRLF and lone CR become LF.
      out += '\n';
      i += (i + 1 < raw.size() && raw[i + 1] == '\n') ? 2 : 1;
    } else if (c == '&' && kind != RawText::Cdata) {
      if (auto error = expandReference(raw, i, offset, out)) return error;
    } else if (c == '<' && kind == RawText::Attribute) {
      return malformedAt(offset + i, "'<' inside an attribute value (write it as &lt;)");
    } else if (c == ']' && kind == RawText::CharacterData && raw.substr(i, 3) == "]]>") {
      return malformedAt(offset + i, "\"]]>\" in text outside a CDATA section");
    } else {
      out += c;
      ++i;
    }
  }
  return std::nullopt;
}

}  // namespace crnp::detail
