#include "utf8.hpp"

namespace gateway {

std::optional<Utf8Char> decodeUtf8(std::string_view text, std::size_t pos) {
  const auto lead = static_cast<unsigned char>(text[pos]);
  std::uint32_t cp = 0;
  std::size_t length = 0;
  std::uint32_t minimum = 0;  // smallest code point of this length: shorter forms are overlong
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

}  // namespace gateway
