// CompactFifo: order, prepend, the consumed prefix dropped in a queue that never drains, and
// memory given back once drained.
#include "compact_fifo.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace gateway {
namespace {

TEST(CompactFifoTest, FirstInFirstOutWithPrepend) {
  CompactFifo<std::string> fifo;
  EXPECT_TRUE(fifo.empty());
  fifo.push_back("c");
  fifo.push_back("d");
  const std::vector<std::string> start{"a", "b"};
  std::vector<std::string> copy = start;
  fifo.prepend(copy.begin(), copy.end());
  ASSERT_EQ(fifo.size(), 4u);
  EXPECT_EQ(fifo[1], "b");
  std::string out;
  while (!fifo.empty()) out += fifo.pop_front();
  EXPECT_EQ(out, "abcd");
}

TEST(CompactFifoTest, AQueueThatNeverDrainsStaysInOrderAndBounded) {
  CompactFifo<std::unique_ptr<int>> fifo;
  int next = 0;
  int expected = 0;
  for (int round = 0; round < 10'000; ++round) {
    fifo.push_back(std::make_unique<int>(next++));
    fifo.push_back(std::make_unique<int>(next++));
    EXPECT_EQ(*fifo.pop_front(), expected++);
    if (fifo.size() > 100) {
      while (fifo.size() > 1) EXPECT_EQ(*fifo.pop_front(), expected++);
    }
  }
  while (!fifo.empty()) EXPECT_EQ(*fifo.pop_front(), expected++);
  EXPECT_EQ(expected, next);
}

TEST(CompactFifoTest, PopAfterPrependInTheMiddleOfConsumption) {
  CompactFifo<int> fifo;
  for (int i = 0; i < 40; ++i) fifo.push_back(i);
  for (int i = 0; i < 35; ++i) EXPECT_EQ(fifo.pop_front(), i);
  std::vector<int> front{-2, -1};
  fifo.prepend(front.begin(), front.end());
  std::vector<int> out;
  while (!fifo.empty()) out.push_back(fifo.pop_front());
  EXPECT_EQ(out, (std::vector<int>{-2, -1, 35, 36, 37, 38, 39}));
}

}  // namespace
}  // namespace gateway
