// Writing the three CRNP documents. Done by hand rather than through pugixml so that the exact
// bytes are under our control: attribute order, CDATA for all text, "]]>" splitting.
#include <string>
#include <string_view>

#include "crnp/codec.hpp"

namespace crnp {
namespace {

// Every document starts with this; readers accept documents with or without it.
constexpr std::string_view kDeclaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

void appendAttribute(std::string& out, std::string_view name, std::string_view value) {
  out += ' ';
  out += name;
  out += "=\"";
  for (char c : value) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      // Readers normalise literal tab/newline/CR in attribute values to spaces
      // (XML 1.0 section 3.3.3); character references survive that.
      case '\t':
        out += "&#9;";
        break;
      case '\n':
        out += "&#10;";
        break;
      case '\r':
        out += "&#13;";
        break;
      default:
        out += c;
    }
  }
  out += '"';
}

// Text as CDATA sections. A "]]>" inside the text is split between two sections ("]]" ends
// one, ">" starts the next). A CR cannot travel inside CDATA (readers turn CR and CRLF into
// LF), so it is written as a character reference between sections.
void appendText(std::string& out, std::string_view text) {
  bool open = false;
  auto openSection = [&] {
    if (!open) out += "<![CDATA[";
    open = true;
  };
  auto closeSection = [&] {
    if (open) out += "]]>";
    open = false;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\r') {
      closeSection();
      out += "&#13;";
      continue;
    }
    openSection();
    out += c;
    if (c == ']' && text.substr(i, 3) == "]]>") {
      out += ']';  // the second ']' ends this section's "]]" ...
      closeSection();
      i += 1;  // ... and the '>' goes into the next one
    }
  }
  if (text.empty()) openSection();
  closeSection();
}

void appendTextElement(std::string& out, std::string_view name, std::string_view text) {
  out += '<';
  out += name;
  out += '>';
  appendText(out, text);
  out += "</";
  out += name;
  out += '>';
}

void appendNvPairs(std::string& out, const std::vector<NvPair>& pairs) {
  for (const auto& pair : pairs) {
    out += "<NVPAIR>";
    appendTextElement(out, "NAME", pair.name);
    for (const auto& value : pair.values) appendTextElement(out, "VALUE", value);
    out += "</NVPAIR>";
  }
}

std::string_view versionOf(const std::string& version) {
  return version.empty() ? std::string_view("1.0") : std::string_view(version);
}

}  // namespace

std::string writeRegistration(const Registration& registration) {
  std::string out(kDeclaration);
  out += "<SC_CALLBACK_REG";
  appendAttribute(out, "VERSION", versionOf(registration.version));
  appendAttribute(out, "PORT", std::to_string(registration.port));
  appendAttribute(out, "regType", toString(registration.type));
  if (registration.events.empty()) {
    out += "/>";
    return out;
  }
  out += '>';
  for (const auto& type : registration.events) {
    out += "<SC_EVENT_REG";
    appendAttribute(out, "CLASS", type.eventClass);
    if (!type.subclass.empty()) appendAttribute(out, "SUBCLASS", type.subclass);
    if (type.nvpairs.empty()) {
      out += "/>";
      continue;
    }
    out += '>';
    appendNvPairs(out, type.nvpairs);
    out += "</SC_EVENT_REG>";
  }
  out += "</SC_CALLBACK_REG>";
  return out;
}

std::string writeReply(const Reply& reply) {
  std::string out(kDeclaration);
  out += "<SC_REPLY";
  appendAttribute(out, "VERSION", versionOf(reply.version));
  appendAttribute(out, "STATUS_CODE", toString(reply.code));
  out += '>';
  appendTextElement(out, "SC_STATUS_MSG", reply.message);
  out += "</SC_REPLY>";
  return out;
}

std::string writeEvent(const Event& event) {
  std::string out(kDeclaration);
  out += "<SC_EVENT";
  appendAttribute(out, "VERSION", versionOf(event.version));
  appendAttribute(out, "CLASS", event.eventClass);
  appendAttribute(out, "SUBCLASS", event.subclass);
  appendAttribute(out, "VENDOR", event.vendor);
  appendAttribute(out, "PUBLISHER", event.publisher);
  if (event.nvpairs.empty()) {
    out += "/>";
    return out;
  }
  out += '>';
  appendNvPairs(out, event.nvpairs);
  out += "</SC_EVENT>";
  return out;
}

}  // namespace crnp
