#pragma once
// UTF-8 decoding for the checks on what clients send and for the text the gateway echoes back.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace gateway {

struct Utf8Char {
  std::uint32_t codePoint = 0;
  std::size_t length = 0;  ///< bytes, 1 to 4
};

/// The character that starts at text[pos] (pos < text.size()), or nullopt when the bytes there
/// are not well-formed UTF-8: a stray continuation byte, a truncated sequence, an overlong form,
/// a surrogate or a code point above U+10FFFF.
std::optional<Utf8Char> decodeUtf8(std::string_view text, std::size_t pos);

}  // namespace gateway
