#pragma once
// Exponential back-off with jitter for background re-registration (RETRY, LOW_RESOURCE, reply
// timeouts, unreachable servers). Pure: no clock, no I/O; the random engine is seeded by the
// caller so tests are repeatable.
#include <chrono>
#include <cstdint>
#include <random>

namespace gateway {

class Backoff {
 public:
  /// Delays double from `initial` up to `max`. `jitter` (clamped to [0, 1]) is the fraction a
  /// delay may be shortened by at random: each delay is drawn from [d * (1 - jitter), d].
  Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max, double jitter,
          std::uint64_t seed);

  /// The delay before the next attempt; each call counts one failed attempt.
  std::chrono::milliseconds next();
  /// After a success: the next delay is `initial` again.
  void reset() { attempts_ = 0; }
  /// Failed attempts since the last reset.
  unsigned attempts() const { return attempts_; }
  /// The un-jittered delay the next call to next() starts from.
  std::chrono::milliseconds nominal() const;

 private:
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds max_;
  double jitter_;
  unsigned attempts_ = 0;
  std::mt19937_64 random_;
};

}  // namespace gateway
