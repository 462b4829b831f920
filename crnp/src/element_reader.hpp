#pragma once
// Reading one element of a loaded document against the CRNP DTD: attributes, text, children.
// Every error names the element by its path (SC_CALLBACK_REG/SC_EVENT_REG[2]/NVPAIR[1]).
// Private to the codec.
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crnp/messages.hpp"
#include "crnp/result.hpp"
#include "xml_input.hpp"

namespace crnp::detail {

class ElementReader {
 public:
  ElementReader(const XmlInput& input, pugi::xml_node node, std::string path);

  const std::string& path() const { return path_; }
  std::string_view name() const { return node_.name(); }
  /// An Invalid error about this element.
  ParseError invalid(std::string_view reason) const;

  /// Refuses attributes not in `allowed` (repeated ones were refused when loading).
  std::optional<ParseError> checkAttributes(std::initializer_list<std::string_view> allowed) const;
  /// The value of attribute `name`, references expanded; `out` stays empty when it is absent.
  std::optional<ParseError> attribute(std::string_view name, std::optional<std::string>& out) const;
  /// Like attribute(), but a missing attribute is Invalid.
  std::optional<ParseError> requiredAttribute(std::string_view name, std::string& out) const;
  /// The text content: all text and CDATA children concatenated. Child elements are Invalid.
  std::optional<ParseError> text(std::string& out) const;
  /// The child elements, with their paths; text other than whitespace between them is Invalid.
  std::optional<ParseError> children(std::vector<ElementReader>& out) const;

 private:
  const XmlInput* input_;
  pugi::xml_node node_;
  std::string path_;
};

/// Quotes a value for an error message, shortened when long.
std::string quoted(std::string_view value);

/// VERSION of a root element: missing = "1.0"; numerically above 1.0 is VersionTooHigh,
/// below is VersionTooLow, non-numeric is Invalid.
std::optional<ParseError> readVersion(const ElementReader& root, std::string& version);

/// NVPAIR: exactly one NAME (non-empty) followed by one or more VALUEs.
std::optional<ParseError> readNvPair(const ElementReader& pair, NvPair& out);

/// Reads the children of `parent`, all of which must be NVPAIRs.
std::optional<ParseError> readNvPairs(const ElementReader& parent, std::vector<NvPair>& out);

}  // namespace crnp::detail
