// libFuzzer target: XmlFramer never crashes, respects its caps, and its result does not depend
// on how the bytes are split into chunks.
#include <cstdlib>
#include <string>
#include <string_view>

#include "crnp/framer.hpp"

namespace {

struct Outcome {
  crnp::XmlFramer::Status status;
  std::string frame;
  std::string error;
  std::size_t elements;
};

Outcome frameInChunks(std::string_view input, std::size_t chunk, std::size_t maxBytes) {
  crnp::XmlFramer framer(maxBytes, 8);
  for (std::size_t i = 0; i < input.size() && framer.status() == crnp::XmlFramer::Status::NeedMore;
       i += chunk) {
    framer.feed(input.substr(i, chunk));
  }
  if (framer.size() > maxBytes) std::abort();
  if (framer.status() == crnp::XmlFramer::Status::Complete &&
      input.substr(0, framer.frame().size()) != framer.frame()) {
    std::abort();
  }
  return {framer.status(), std::string(framer.frame()), framer.error(), framer.elementCount()};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  // The first two bytes choose the split point and the size cap; the rest is the stream.
  std::size_t split = data[0];
  std::size_t maxBytes = 16 + data[1] * 64;
  std::string_view input(reinterpret_cast<const char*>(data + 2), size - 2);
  split = input.empty() ? 0 : split % input.size();

  Outcome whole = frameInChunks(input, input.size() + 1, maxBytes);

  crnp::XmlFramer twoChunks(maxBytes, 8);
  twoChunks.feed(input.substr(0, split));
  twoChunks.feed(input.substr(split));
  Outcome split2{twoChunks.status(), std::string(twoChunks.frame()), twoChunks.error(),
                 twoChunks.elementCount()};
  Outcome bytes = frameInChunks(input, 1, maxBytes);

  for (const Outcome* other : {&split2, &bytes}) {
    if (other->status != whole.status || other->frame != whole.frame ||
        other->error != whole.error || other->elements != whole.elements) {
      std::abort();
    }
  }
  return 0;
}
