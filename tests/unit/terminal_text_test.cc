#include "util/terminal_text.h"

#include <gtest/gtest.h>

namespace spotrun {
namespace {

TEST(TerminalTextTest, KeepsTextColoursAndRedraws) {
  TerminalText t;
  EXPECT_EQ(t.Filter("epoch 1/3 \xc3\xa9t\xc3\xa9\tok\r\n"), "epoch 1/3 \xc3\xa9t\xc3\xa9\tok\r\n");
  EXPECT_EQ(t.Filter("\x1b[32mgreen\x1b[0m \x1b[1;31mred\x1b[m"),
            "\x1b[32mgreen\x1b[0m \x1b[1;31mred\x1b[m");
  EXPECT_EQ(t.Filter("50%\x1b[K\x1b[2A\x1b[10G"), "50%\x1b[K\x1b[2A\x1b[10G");
}

TEST(TerminalTextTest, EscapesWhatControlsTheTerminal) {
  TerminalText t;
  EXPECT_EQ(t.Filter("\x1b[2Jcleared"), "\\x1b[2Jcleared");           // Clear screen.
  EXPECT_EQ(t.Filter("\x1b]0;title\x07"), "\\x1b]0;title\\x07");      // Window title.
  EXPECT_EQ(t.Filter("\x1b]52;c;aGk=\x07"), "\\x1b]52;c;aGk=\\x07");  // Clipboard.
  EXPECT_EQ(t.Filter(std::string("bell\x07 nul\x00 del\x7f bs\b", 19)),
            "bell\\x07 nul\\x00 del\\x7f bs\\x08");
  EXPECT_EQ(t.Filter("\x1b"
                     "c"),
            "\\x1bc");  // Reset.
}

TEST(TerminalTextTest, ASequenceMaySpanChunks) {
  TerminalText t;
  EXPECT_EQ(t.Filter("a\x1b["), "a");
  EXPECT_EQ(t.Filter("3"), "");
  EXPECT_EQ(t.Filter("1mred"), "\x1b[31mred");
  EXPECT_EQ(t.Filter("b\x1b[2"), "b");
  EXPECT_EQ(t.Filter("J"), "\\x1b[2J");
  EXPECT_EQ(t.Filter("\x1b["), "");
  EXPECT_EQ(t.Flush(), "\\x1b[");
}

TEST(TerminalTextTest, AWholeLine) {
  EXPECT_EQ(SafeForTerminal("failed: \x1b]0;pwned\x07 \x1b[31mred"),
            "failed: \\x1b]0;pwned\\x07 \x1b[31mred");
}

TEST(TerminalTextTest, ALongOpenSequenceIsEscaped) {
  TerminalText t;
  const std::string digits(100, '1');
  const std::string out = t.Filter("\x1b[" + digits + "m");
  EXPECT_EQ(out.rfind("\\x1b[", 0), 0u) << out;
}

}  // namespace
}  // namespace spotrun
