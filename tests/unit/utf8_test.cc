#include <gtest/gtest.h>

#include <string>

#include "util/encoding.h"

namespace spotrun {
namespace {

constexpr size_t kAllUtf8 = std::string_view::npos;

TEST(Utf8Test, AcceptsAsciiAndEveryWellFormedLength) {
  EXPECT_EQ(FirstInvalidUtf8(""), kAllUtf8);
  EXPECT_EQ(FirstInvalidUtf8("run: python3 train.py\n"), kAllUtf8);
  EXPECT_EQ(FirstInvalidUtf8("\xc3\xa9 \xe2\x82\xac \xf0\x9f\x9a\x80"), kAllUtf8);  // é € 🚀
  EXPECT_EQ(FirstInvalidUtf8("\xf4\x8f\xbf\xbf"), kAllUtf8);                        // U+10FFFF
}

TEST(Utf8Test, FindsTheFirstBadByte) {
  EXPECT_EQ(FirstInvalidUtf8("ab\xff"), 2u);
  EXPECT_EQ(FirstInvalidUtf8("\x80"), 0u);              // A lone continuation byte.
  EXPECT_EQ(FirstInvalidUtf8("a\xc3"), 1u);             // Cut short.
  EXPECT_EQ(FirstInvalidUtf8("a\xe2\x82"), 1u);         // Cut short.
  EXPECT_EQ(FirstInvalidUtf8("\xc0\xaf"), 0u);          // Overlong '/'.
  EXPECT_EQ(FirstInvalidUtf8("\xe0\x80\xaf"), 0u);      // Overlong '/'.
  EXPECT_EQ(FirstInvalidUtf8("\xf0\x80\x80\xaf"), 0u);  // Overlong '/'.
  EXPECT_EQ(FirstInvalidUtf8("x\xed\xa0\x80"), 1u);     // A surrogate.
  EXPECT_EQ(FirstInvalidUtf8("\xf4\x90\x80\x80"), 0u);  // Past U+10FFFF.
  EXPECT_EQ(FirstInvalidUtf8("\xc3\xa9\xc3("), 2u);     // Bad second byte.
}

}  // namespace
}  // namespace spotrun
