// libFuzzer target: parseRegistration never crashes, and what it accepts round-trips.
#include "fuzz_round_trip.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  crnp::fuzz::checkRoundTrip(
      data, size, [](std::string_view input) { return crnp::parseRegistration(input); },
      [](const crnp::Registration& value) { return crnp::writeRegistration(value); });
  return 0;
}
