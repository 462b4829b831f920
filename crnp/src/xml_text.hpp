#pragma once
// Character-level rules of XML 1.0 that pugixml does not enforce: every byte is part of a
// UTF-8 encoded XML Char (no NUL, no C0 controls other than tab/LF/CR, no surrogates), and
// only the five predefined entities and character references of XML Chars may appear.
// Private to the codec.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "crnp/result.hpp"

namespace crnp::detail {

ParseError malformedAt(std::size_t offset, std::string_view reason);

/// First byte of `data` that is not part of a UTF-8 encoded XML Char, as a Malformed error.
std::optional<ParseError> checkCharacters(std::string_view data);

/// How a piece of raw document text is turned into its value.
enum class RawText {
  CharacterData,  ///< element text: references expand, line ends become LF, no "]]>"
  Cdata,          ///< CDATA section: literal, line ends become LF
  Attribute       ///< attribute value already whitespace-normalised: references expand
};

/// Appends the value of `raw` (which starts at byte `offset` of the document) to `out`.
/// Undeclared entities, bad character references and bare '&' are Malformed.
std::optional<ParseError> appendRawText(std::string_view raw, RawText kind, std::size_t offset,
                                        std::string& out);

}  // namespace crnp::detail
