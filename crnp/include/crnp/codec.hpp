#pragma once
// XML codec for the three CRNP documents (pugixml underneath).
//
// Writing: exact attribute names (VERSION, PORT, regType, CLASS, SUBCLASS, ...), text in CDATA
// with any "]]>" split across sections. Output is one document with no trailing bytes, always
// starting with `<?xml version="1.0" encoding="UTF-8"?>` and a newline. A CR in text is written
// as &#13; between CDATA sections, and tab/LF/CR in attribute values as character references,
// so that every string survives the reader's line-end and attribute normalisation. Writers do
// not validate: strings must be UTF-8 made of XML characters (no NUL or other C0 control
// except tab, LF, CR), or readers refuse the document as MALFORMED.
//
// Reading: `data` must be exactly one document (an XML declaration in front and whitespace
// after are allowed). Hostile input is refused before or while parsing: size, depth and element
// limits, DOCTYPE/entity declarations (only the five predefined entities and character
// references expand). Errors are classified as the protocol prescribes, see result.hpp.
// Decisions where XML or the protocol leave room:
// - MALFORMED (not well-formed XML 1.0): an undeclared entity such as &xxe;, a character
//   reference to a non-XML character (&#0;, surrogates), a bare '&', invalid UTF-8 or a
//   control byte anywhere, a repeated attribute, anything but whitespace after the root
//   element (comments and PIs included), a DOCTYPE, and every limit of ParseLimits.
// - Text is the concatenation of all text and CDATA children, whitespace kept as sent;
//   comments and PIs inside elements are ignored. Line ends become LF.
// - `version` keeps the VERSION text as sent ("1", "1.00" are accepted as 1.0); a missing
//   VERSION reads as "1.0". An empty SUBCLASS on SC_EVENT_REG reads as absent.
// - NVPAIR must be NAME (non-empty) then VALUE+, in that order; elements and attributes the
//   DTD does not name are INVALID.
#include <string>
#include <string_view>

#include "crnp/limits.hpp"
#include "crnp/messages.hpp"
#include "crnp/result.hpp"

namespace crnp {

std::string writeRegistration(const Registration& registration);
std::string writeReply(const Reply& reply);
std::string writeEvent(const Event& event);

Result<Registration> parseRegistration(std::string_view data, const ParseLimits& limits = {});
Result<Reply> parseReply(std::string_view data, const ParseLimits& limits = {});
Result<Event> parseEvent(std::string_view data, const ParseLimits& limits = {});

}  // namespace crnp
