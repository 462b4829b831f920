#pragma once
// XML codec for the three CRNP documents (pugixml underneath).
//
// Writing: exact attribute names (VERSION, PORT, regType, CLASS, SUBCLASS, ...), text in CDATA
// with any "]]>" split across sections. Output is one document with no trailing bytes.
//
// Reading: `data` must be exactly one document (an XML declaration in front and whitespace
// after are allowed). Hostile input is refused before or while parsing: size, depth and element
// limits, DOCTYPE/entity declarations (only the five predefined entities and character
// references expand). Errors are classified as the protocol prescribes, see result.hpp.
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
