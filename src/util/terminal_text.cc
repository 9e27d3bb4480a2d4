#include "util/terminal_text.h"

#include <unistd.h>

#include <cstdio>
#include <cstring>

namespace spotrun {
namespace {

// An open sequence longer than this is not one a colour or redraw needs.
constexpr size_t kMaxSequence = 32;

std::string Escaped(unsigned char c) {
  char text[8];
  std::snprintf(text, sizeof text, "\\x%02x", c);
  return text;
}

std::string EscapedAll(std::string_view bytes) {
  std::string out;
  for (unsigned char c : bytes) {
    out += c < 0x20 || c == 0x7f ? Escaped(c) : std::string(1, static_cast<char>(c));
  }
  return out;
}

bool IsParameter(char c) { return (c >= '0' && c <= '9') || c == ';'; }
bool IsKeptFinal(char c) { return c != '\0' && std::strchr("mKABCDG", c) != nullptr; }

}  // namespace

std::string TerminalText::Filter(std::string_view chunk) {
  std::string out;
  for (char ch : chunk) {
    const auto c = static_cast<unsigned char>(ch);
    if (!pending_.empty()) {
      pending_ += ch;
      if (pending_.size() == 2) {
        if (ch == '[') continue;
      } else if (IsParameter(ch) && pending_.size() < kMaxSequence) {
        continue;
      } else if (IsKeptFinal(ch)) {
        out += pending_;  // A colour or a redraw: kept.
        pending_.clear();
        continue;
      }
      out += EscapedAll(pending_);  // Anything else: shown, not obeyed.
      pending_.clear();
      continue;
    }
    if (c == 0x1b) {
      pending_ = ch;
    } else if (c == '\n' || c == '\r' || c == '\t' || (c >= 0x20 && c != 0x7f)) {
      out += ch;
    } else {
      out += Escaped(c);
    }
  }
  return out;
}

std::string TerminalText::Flush() {
  std::string out = EscapedAll(pending_);
  pending_.clear();
  return out;
}

std::string SafeForTerminal(std::string_view text) {
  TerminalText t;
  return t.Filter(text) + t.Flush();
}

bool StdoutIsTerminal() { return isatty(STDOUT_FILENO) == 1; }

}  // namespace spotrun
