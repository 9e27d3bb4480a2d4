// "Did you mean ...?" suggestions for misspelt names (keys, enum values).
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace spotrun {

// Optimal string alignment distance between `a` and `b`: the fewest single
// character insertions, deletions, substitutions and swaps of two adjacent
// characters that turn one into the other. Case-sensitive, byte-wise.
size_t EditDistance(std::string_view a, std::string_view b);

// Returns the candidate closest to `word`, compared case-insensitively, when it
// is close enough to be a likely typo: at most max(1, word.size() / 3) edits
// away. Ties go to the earliest candidate. Returns nullopt when no candidate is
// that close, and never returns a candidate equal to `word`.
std::optional<std::string> DidYouMean(std::string_view word,
                                      std::span<const std::string_view> candidates);

}  // namespace spotrun
