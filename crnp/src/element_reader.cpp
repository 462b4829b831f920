#include "element_reader.hpp"

#include <algorithm>
#include <map>

#include "xml_text.hpp"

namespace crnp::detail {
namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Compares a decimal number ("1", "1.0", "01.000") with 1.0: -1, 0 or 1; nullopt when the text
// is not digits with an optional fraction.
std::optional<int> compareWithOne(std::string_view text) {
  std::size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view fraction = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  if (whole.empty() || !std::all_of(whole.begin(), whole.end(), isDigit)) return std::nullopt;
  if (dot != std::string_view::npos &&
      (fraction.empty() || !std::all_of(fraction.begin(), fraction.end(), isDigit))) {
    return std::nullopt;
  }
  whole.remove_prefix(std::min(whole.find_first_not_of('0'), whole.size()));
  fraction = fraction.substr(0, fraction.find_last_not_of('0') + 1);
  if (whole.empty()) return -1;     // 0.x
  if (whole != "1") return 1;       // 2 and above
  return fraction.empty() ? 0 : 1;  // 1.0 or 1.x
}

}  // namespace

std::string quoted(std::string_view value) {
  constexpr std::size_t kMax = 64;
  std::string out = "\"";
  out += value.substr(0, kMax);
  if (value.size() > kMax) out += "...";
  out += '"';
  return out;
}

ElementReader::ElementReader(const XmlInput& input, pugi::xml_node node, std::string path)
    : input_(&input), node_(node), path_(std::move(path)) {}

ParseError ElementReader::invalid(std::string_view reason) const {
  return ParseError{ParseErrorKind::Invalid, "invalid " + path_ + ": " + std::string(reason)};
}

std::optional<ParseError> ElementReader::checkAttributes(
    std::initializer_list<std::string_view> allowed) const {
  for (pugi::xml_attribute attribute : node_.attributes()) {
    std::string_view name = attribute.name();
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      std::string list;
      for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      return invalid("unknown attribute " + std::string(name) +
                     (list.empty() ? " (it takes none)" : " (allowed: " + list + ")"));
    }
  }
  return std::nullopt;
}

std::optional<ParseError> ElementReader::attribute(std::string_view name,
                                                   std::optional<std::string>& out) const {
  out.reset();
  pugi::xml_attribute attribute = node_.attribute(std::string(name).c_str());
  if (!attribute) return std::nullopt;
  std::string value;
  if (auto error = appendRawText(attribute.value(), RawText::Attribute,
                                 input_->offsetOf(attribute.value()), value)) {
    return error;
  }
  out = std::move(value);
  return std::nullopt;
}

std::optional<ParseError> ElementReader::requiredAttribute(std::string_view name,
                                                           std::string& out) const {
  std::optional<std::string> value;
  if (auto error = attribute(name, value)) return error;
  if (!value) return invalid("required attribute " + std::string(name) + " is missing");
  out = std::move(*value);
  return std::nullopt;
}

std::optional<ParseError> ElementReader::text(std::string& out) const {
  out.clear();
  for (pugi::xml_node child : node_.children()) {
    std::string_view raw = child.value();
    std::size_t offset = input_->offsetOf(child.value());
    if (child.type() == pugi::node_pcdata) {
      if (auto error = appendRawText(raw, RawText::CharacterData, offset, out)) return error;
    } else if (child.type() == pugi::node_cdata) {
      if (auto error = appendRawText(raw, RawText::Cdata, offset, out)) return error;
    } else if (child.type() == pugi::node_element) {
      return invalid("unexpected element <" + std::string(child.name()) + "> (it holds text only)");
    }
  }
  return std::nullopt;
}

std::optional<ParseError> ElementReader::children(std::vector<ElementReader>& out) const {
  out.clear();
  std::map<std::string_view, std::size_t> counts;
  for (pugi::xml_node child : node_.children()) {
    if (child.type() == pugi::node_element) {
      std::size_t index = ++counts[child.name()];
      out.emplace_back(*input_, child,
                       path_ + "/" + child.name() + "[" + std::to_string(index) + "]");
    } else if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
      std::string_view raw = child.value();
      if (child.type() == pugi::node_cdata || !std::all_of(raw.begin(), raw.end(), isSpace)) {
        return invalid("unexpected text " + quoted(raw) + " (it holds elements only)");
      }
    }
  }
  return std::nullopt;
}

std::optional<ParseError> readVersion(const ElementReader& root, std::string& version) {
  std::optional<std::string> value;
  if (auto error = root.attribute("VERSION", value)) return error;
  if (!value) {
    version = "1.0";  // protocol decision: a missing VERSION means 1.0
    return std::nullopt;
  }
  std::optional<int> order = compareWithOne(*value);
  if (!order) {
    return root.invalid("VERSION=" + quoted(*value) + " is not a decimal number like 1.0");
  }
  if (*order != 0) {
    return ParseError{
        *order > 0 ? ParseErrorKind::VersionTooHigh : ParseErrorKind::VersionTooLow,
        root.path() + ": VERSION=" + quoted(*value) + " is not supported (only " + "1.0 is)"};
  }
  version = std::move(*value);
  return std::nullopt;
}

std::optional<ParseError> readNvPair(const ElementReader& pair, NvPair& out) {
  out = NvPair{};
  if (auto error = pair.checkAttributes({})) return error;
  std::vector<ElementReader> children;
  if (auto error = pair.children(children)) return error;
  if (children.empty() || children.front().name() != "NAME") {
    return pair.invalid("NVPAIR must start with one NAME element");
  }
  for (std::size_t i = 0; i < children.size(); ++i) {
    const ElementReader& child = children[i];
    if (auto error = child.checkAttributes({})) return error;
    if (i > 0 && child.name() == "NAME") {
      return child.invalid("NVPAIR holds exactly one NAME");
    }
    if (i > 0 && child.name() != "VALUE") {
      return child.invalid("unknown element (NVPAIR holds NAME then VALUE elements)");
    }
    std::string text;
    if (auto error = child.text(text)) return error;
    if (i == 0) {
      if (text.empty()) return child.invalid("NAME is empty");
      out.name = std::move(text);
    } else {
      out.values.push_back(std::move(text));
    }
  }
  if (out.values.empty()) {
    return pair.invalid("NVPAIR " + quoted(out.name) + " has no VALUE (it needs at least one)");
  }
  return std::nullopt;
}

std::optional<ParseError> readNvPairs(const ElementReader& parent, std::vector<NvPair>& out) {
  out.clear();
  std::vector<ElementReader> children;
  if (auto error = parent.children(children)) return error;
  for (const ElementReader& child : children) {
    if (child.name() != "NVPAIR") {
      return child.invalid("unknown element (" + std::string(parent.name()) +
                           " holds NVPAIR elements only)");
    }
    NvPair pair;
    if (auto error = readNvPair(child, pair)) return error;
    out.push_back(std::move(pair));
  }
  return std::nullopt;
}

}  // namespace crnp::detail
