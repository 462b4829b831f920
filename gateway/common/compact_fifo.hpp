#pragma once
// CompactFifo: a first-in first-out queue over one std::vector, for the many small queues that
// sit empty most of the time (one per Subscribe stream). An empty CompactFifo holds no memory
// (std::deque allocates a map and a 512-byte block up front, even when empty), and after a
// burst it gives the burst's memory back once drained.
#include <cstddef>
#include <iterator>
#include <utility>
#include <vector>

namespace gateway {

template <typename T>
class CompactFifo {
 public:
  bool empty() const { return head_ == items_.size(); }
  std::size_t size() const { return items_.size() - head_; }

  T& front() { return items_[head_]; }
  const T& front() const { return items_[head_]; }
  /// The i-th element from the front.
  const T& operator[](std::size_t i) const { return items_[head_ + i]; }

  void push_back(T item) { items_.push_back(std::move(item)); }

  /// Puts `first..last` (moved) in front of everything queued, in their order.
  template <typename Iterator>
  void prepend(Iterator first, Iterator last) {
    items_.insert(items_.begin() + static_cast<std::ptrdiff_t>(head_),
                  std::make_move_iterator(first), std::make_move_iterator(last));
  }

  /// Removes and returns the front element.
  T pop_front() {
    T item = std::move(items_[head_]);
    ++head_;
    if (head_ == items_.size()) {
      clear();
    } else if (head_ >= kCompactAfter && head_ * 2 >= items_.size()) {
      // A queue that never drains: drop the consumed prefix (amortized O(1) per element).
      items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
    return item;
  }

  /// Empties the queue; a large buffer is released.
  void clear() {
    head_ = 0;
    if (items_.capacity() > kKeepCapacity) {
      std::vector<T>().swap(items_);
    } else {
      items_.clear();
    }
  }

  /// Capacity kept when drained (a stream's usual handful of queued messages).
  static constexpr std::size_t kKeepCapacity = 8;

 private:
  static constexpr std::size_t kCompactAfter = 32;

  std::vector<T> items_;
  std::size_t head_ = 0;  // items_[0..head_) are consumed
};

}  // namespace gateway
