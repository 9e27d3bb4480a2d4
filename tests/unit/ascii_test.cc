#include "util/ascii.h"

#include <gtest/gtest.h>

namespace spotrun {
namespace {

TEST(AsciiTest, LowersOnlyAsciiLetters) {
  EXPECT_EQ(AsciiLower("X-Amz-Date: V100 ÄB"), "x-amz-date: v100 Äb");
  EXPECT_EQ(AsciiLower(""), "");
}

TEST(AsciiTest, EqualsIgnoringCase) {
  EXPECT_TRUE(EqualsNoCase("V100", "v100"));
  EXPECT_FALSE(EqualsNoCase("V100", "V10"));
  EXPECT_FALSE(EqualsNoCase("A100", "V100"));
}

}  // namespace
}  // namespace spotrun
