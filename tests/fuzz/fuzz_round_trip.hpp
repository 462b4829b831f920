#pragma once
// Round-trip property shared by the parser fuzz targets: whatever a reader accepts, its writer
// writes back as a document the reader accepts again, with an equal value.
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "crnp/codec.hpp"

namespace crnp::fuzz {

template <class Parse, class Write>
void checkRoundTrip(const std::uint8_t* data, std::size_t size, Parse parse, Write write) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto first = parse(input);
  if (!first) {
    if (first.error().message.empty()) std::abort();  // every error must say something
    return;
  }
  std::string written = write(first.value());
  auto second = parse(written);
  if (!second) {
    std::fprintf(stderr, "re-parse failed: %s\n%s\n", second.error().message.c_str(),
                 written.c_str());
    std::abort();
  }
  if (!(second.value() == first.value())) {
    std::fprintf(stderr, "round trip changed the value:\n%s\n", written.c_str());
    std::abort();
  }
  if (write(second.value()) != written) std::abort();  // writing is deterministic
}

}  // namespace crnp::fuzz
