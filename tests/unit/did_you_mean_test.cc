#include "util/did_you_mean.h"

#include <gtest/gtest.h>

#include <array>

namespace spotrun {
namespace {

TEST(EditDistanceTest, CountsEditsAndAdjacentSwaps) {
  EXPECT_EQ(EditDistance("", ""), 0u);
  EXPECT_EQ(EditDistance("abc", ""), 3u);
  EXPECT_EQ(EditDistance("", "ab"), 2u);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(EditDistance("resourses", "resources"), 1u);
  EXPECT_EQ(EditDistance("memroy", "memory"), 1u);  // One swap.
  EXPECT_EQ(EditDistance("cpu", "cpus"), 1u);
}

constexpr std::array<std::string_view, 4> kKeys = {"name", "resources", "run", "outputs"};

TEST(DidYouMeanTest, SuggestsTheClosestKey) {
  EXPECT_EQ(DidYouMean("resourses", kKeys), "resources");
  EXPECT_EQ(DidYouMean("output", kKeys), "outputs");
  EXPECT_EQ(DidYouMean("Run", kKeys), "run");  // Case is ignored.
}

TEST(DidYouMeanTest, StaysQuietWhenNothingIsClose) {
  EXPECT_EQ(DidYouMean("banana", kKeys), std::nullopt);
  EXPECT_EQ(DidYouMean("xy", kKeys), std::nullopt);
  EXPECT_EQ(DidYouMean("run", kKeys), std::nullopt);  // Exact: nothing to suggest.
}

}  // namespace
}  // namespace spotrun
