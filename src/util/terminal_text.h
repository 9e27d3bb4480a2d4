// TerminalText: what a job printed, made safe to show on a terminal. A job's
// output may hold escape sequences that clear the screen, set the window
// title, write the clipboard (OSC 52) or hide text; those, and every other
// control character, are shown escaped (`\x1b`, `\x07`). Kept as they are:
// text (UTF-8 included), newlines, carriage returns and tabs (progress bars),
// and the CSI sequences of colours and line redraws (ESC [ digits/';' then
// one of m K A B C D G), which tqdm and loggers use. Stateful: a sequence may
// be split across chunks.
#pragma once

#include <string>
#include <string_view>

namespace spotrun {

class TerminalText {
 public:
  // The safe text of `chunk`; an escape sequence still open at its end is
  // held back for the next call.
  std::string Filter(std::string_view chunk);
  // What is held back, escaped (the output ended inside a sequence).
  std::string Flush();

 private:
  std::string pending_;  // An ESC and what followed it so far.
};

// One whole piece of text through a fresh TerminalText.
std::string SafeForTerminal(std::string_view text);

// Whether stdout is a terminal (the filter applies there only: a file or a
// pipe gets the job's bytes as they are).
bool StdoutIsTerminal();

}  // namespace spotrun
