#pragma once
// One untrusted document, checked and loaded into a pugixml DOM. Private to the codec.
//
// Order of the checks, cheapest first so that hostile input costs little: size limit; UTF-8
// and XML characters; a lexical pass (XmlFramer) for DOCTYPE, depth, element count and bytes
// after the root element, all before any DOM exists; then pugixml for well-formedness, and a
// walk for the rules pugixml does not check.
#include <cstddef>
#include <optional>
#include <pugixml.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "crnp/limits.hpp"
#include "crnp/result.hpp"

namespace crnp::detail {

class XmlInput {
 public:
  /// Every failure here is Malformed, with the byte offset in its message. Once loaded, every
  /// reference in the document is known to be expandable and no attribute is repeated.
  std::optional<ParseError> load(std::string_view data, const ParseLimits& limits);

  pugi::xml_node root() const { return doc_.document_element(); }
  /// Byte offset in the document of a name or value pointer taken from the DOM.
  std::size_t offsetOf(const char* p) const;

 private:
  // Well-formedness rules pugixml leaves out (references, repeated attributes), checked over
  // the whole document so that they are Malformed whatever element they are in.
  std::optional<ParseError> checkWellFormedness() const;
  std::optional<ParseError> checkNode(pugi::xml_node node,
                                      std::vector<std::string_view>& names) const;

  std::string buffer_;  // parsed in place, so DOM pointers map back to document offsets
  pugi::xml_document doc_;
};

}  // namespace crnp::detail
