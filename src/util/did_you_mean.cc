#include "util/did_you_mean.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "util/ascii.h"

namespace spotrun {

namespace {}  // namespace

size_t EditDistance(std::string_view a, std::string_view b) {
  // Three rolling rows of the classic dynamic programme; the row two back is
  // needed for adjacent transpositions.
  const size_t n = b.size();
  std::vector<size_t> before(n + 1), prev(n + 1), cur(n + 1);
  for (size_t j = 0; j <= n; ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= n; ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        cur[j] = std::min(cur[j], before[j - 2] + 1);
      }
    }
    std::swap(before, prev);
    std::swap(prev, cur);
  }
  return prev[n];
}

std::optional<std::string> DidYouMean(std::string_view word,
                                      std::span<const std::string_view> candidates) {
  const std::string lowered = AsciiLower(word);
  const size_t limit = std::max<size_t>(1, word.size() / 3);
  std::optional<std::string> best;
  size_t best_distance = limit + 1;
  for (std::string_view candidate : candidates) {
    if (candidate == word) continue;
    const size_t d = EditDistance(lowered, AsciiLower(candidate));
    if (d < best_distance) {
      best_distance = d;
      best = std::string(candidate);
    }
  }
  return best;
}

}  // namespace spotrun
