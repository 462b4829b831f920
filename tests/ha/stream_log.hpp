#pragma once
// StreamLog: what one Subscribe stream delivered, read message by message until a marker
// arrives: the markers in order, resets, snapshots, going_away, the last resume token, and
// duplicates (an event whose content, sequence and receive time aside, the stream already
// carried: a repeat of state, which a failover may cause; a gap it may not).
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "crnp/gateway/v1/gateway.pb.h"
#include "gateway_process_fixture.hpp"
#include "stream_reader.hpp"

namespace crnp::ha {

using namespace std::chrono_literals;
namespace gw = crnp::gateway::v1;

class StreamLog {
 public:
  explicit StreamLog(std::unique_ptr<integration::StreamReader> reader)
      : reader_(std::move(reader)) {}

  /// A client resuming on this stream what it read on `earlier`: an event `earlier` carried
  /// counts as a duplicate here too.
  void continues(const StreamLog& earlier) { contents_ = earlier.contents_; }

  /// Reads until an event (live, replayed or snapshot) carrying `marker` (false at the deadline or
  /// when the stream ends).
  bool readUntilMarker(const std::string& marker, std::chrono::milliseconds timeout = 15000ms) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left <= 0ms) return false;
      auto message = reader_ ? reader_->nextNonHeartbeat(left) : std::nullopt;
      if (!message) return false;
      if (record(*message) == marker) return true;
    }
  }

  /// Reads until snapshot_end (a fresh subscription's start).
  bool readSnapshot(std::chrono::milliseconds timeout = 15000ms) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (snapshotEnds_ == 0) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left <= 0ms) return false;
      auto message = reader_ ? reader_->nextNonHeartbeat(left) : std::nullopt;
      if (!message) return false;
      record(*message);
    }
    return true;
  }

  /// True once the server ended the stream (a live stream waits `grace` for nothing).
  bool ended(std::chrono::milliseconds grace = 0ms) {
    return !reader_ || reader_->finish(grace).has_value();
  }
  /// The client cancels the stream; what it recorded stays.
  void close() { reader_.reset(); }

  /// Markers of live (and replayed) events, in arrival order, repeats included.
  const std::vector<std::string>& markers() const { return markers_; }
  /// The token of the first event carrying each marker.
  const std::map<std::string, std::string>& markerTokens() const { return markerTokens_; }
  const std::string& lastToken() const { return lastToken_; }
  int resets() const { return resets_; }
  int snapshotEnds() const { return snapshotEnds_; }
  int goingAways() const { return goingAways_; }
  int duplicates() const { return static_cast<int>(duplicates_.size()); }

  /// Everything it recorded, for failure messages.
  std::string describe() const {
    std::string text = "markers [";
    for (const auto& marker : markers_) text += marker + "@" + markerTokens_.at(marker) + " ";
    text += "] resets " + std::to_string(resets_) + " snapshot_end " +
            std::to_string(snapshotEnds_) + " going_away " + std::to_string(goingAways_) +
            " last token '" + lastToken_ + "' duplicates " + std::to_string(duplicates_.size()) +
            ":";
    // The first few, shortened: a reset repeats the whole state.
    for (std::size_t i = 0; i < duplicates_.size() && i < 3; ++i)
      text += "\n  " + duplicates_[i].substr(0, 160);
    if (duplicates_.size() > 3) text += "\n  ... " + std::to_string(duplicates_.size()) + " in all";
    for (const auto& other : unexpected_) text += "\n  unexpected: " + other;
    return text;
  }

 private:
  // Returns the event's marker ("" for anything else).
  std::string record(const gw::SubscribeResponse& message) {
    if (!message.resume_token().empty()) lastToken_ = message.resume_token();
    if (message.has_reset()) {
      ++resets_;
      unexpected_.push_back("reset: " + message.reset().reason());
    } else if (message.has_snapshot_end()) {
      ++snapshotEnds_;
    } else if (message.has_going_away()) {
      ++goingAways_;
      unexpected_.push_back("going_away: " + message.going_away().reason());
    } else if (message.has_event()) {
      return recordEvent(message.event(), message.resume_token());
    } else if (message.has_batch()) {
      std::string marker;
      for (const auto& entry : message.batch().events())
        marker = recordEvent(entry.event(), entry.resume_token());
      return marker;
    }
    return "";
  }

  std::string recordEvent(const gw::ClusterEvent& event, const std::string& token) {
    gw::ClusterEvent content = event;
    content.clear_sequence();
    content.clear_received_time();
    content.clear_snapshot();
    const std::string key = content.ShortDebugString();
    if (!contents_.insert(key).second) duplicates_.push_back(key);
    // A snapshot's marker is state the stream starts from, not a delivery; it still ends a
    // readUntilMarker (after a reset the marker may come only as snapshot).
    const std::string marker = integration::markerOf(event);
    if (!marker.empty() && !event.snapshot()) {
      markers_.push_back(marker);
      markerTokens_.emplace(marker, token);
    }
    return marker;
  }

  std::unique_ptr<integration::StreamReader> reader_;
  std::vector<std::string> markers_;
  std::map<std::string, std::string> markerTokens_;
  std::set<std::string> contents_;
  std::vector<std::string> duplicates_;
  std::vector<std::string> unexpected_;
  std::string lastToken_;
  int resets_ = 0;
  int snapshotEnds_ = 0;
  int goingAways_ = 0;
};

/// What a client that read `markers` (in order, from one stream or from one stream and then its
/// resumption) learned: each marker at its first arrival. Equal to what was emitted means
/// nothing was lost or reordered (repeats show in StreamLog::duplicates).
inline std::vector<std::string> firstArrivals(const std::vector<std::string>& markers) {
  std::vector<std::string> first;
  std::set<std::string> seen;
  for (const auto& marker : markers) {
    if (seen.insert(marker).second) first.push_back(marker);
  }
  return first;
}
inline std::vector<std::string> concat(std::vector<std::string> head,
                                       const std::vector<std::string>& tail) {
  head.insert(head.end(), tail.begin(), tail.end());
  return head;
}

}  // namespace crnp::ha
