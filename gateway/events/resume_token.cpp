#include "resume_token.hpp"

#include <charconv>

namespace gateway {
namespace {

constexpr std::size_t kEpochDigits = 16;
constexpr std::size_t kMaxSequenceDigits = 20;  // UINT64_MAX has 20 digits
constexpr char kHex[] = "0123456789abcdef";

bool isLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

}  // namespace

std::string encodeResumeToken(const ResumeToken& token) {
  std::string text(kEpochDigits, '0');
  for (std::size_t i = 0; i < kEpochDigits; ++i) {
    text[kEpochDigits - 1 - i] = kHex[(token.epoch >> (4 * i)) & 0xF];
  }
  text.push_back(':');
  char digits[kMaxSequenceDigits];
  const auto result = std::to_chars(digits, digits + sizeof digits, token.sequence);
  text.append(digits, result.ptr);
  return text;
}

std::optional<ResumeToken> decodeResumeToken(std::string_view text) {
  if (text.size() < kEpochDigits + 2 || text.size() > kEpochDigits + 1 + kMaxSequenceDigits) {
    return std::nullopt;
  }
  if (text[kEpochDigits] != ':') return std::nullopt;
  const std::string_view epochText = text.substr(0, kEpochDigits);
  const std::string_view sequenceText = text.substr(kEpochDigits + 1);
  for (char c : epochText) {
    if (!isLowerHex(c)) return std::nullopt;
  }
  // from_chars accepts neither signs nor spaces; reject leading zeros for one spelling only.
  if (sequenceText.size() > 1 && sequenceText.front() == '0') return std::nullopt;

  ResumeToken token;
  auto [epochEnd, epochError] =
      std::from_chars(epochText.data(), epochText.data() + epochText.size(), token.epoch, 16);
  if (epochError != std::errc{} || epochEnd != epochText.data() + epochText.size()) {
    return std::nullopt;
  }
  auto [sequenceEnd, sequenceError] = std::from_chars(
      sequenceText.data(), sequenceText.data() + sequenceText.size(), token.sequence);
  if (sequenceError != std::errc{} || sequenceEnd != sequenceText.data() + sequenceText.size()) {
    return std::nullopt;
  }
  return token;
}

}  // namespace gateway
