#include "jobs/status_line.h"

#include <algorithm>
#include <charconv>
#include <climits>
#include <cstdint>

namespace spotrun {
namespace {

// One pass over a flat object. Every step either consumes what JSON allows
// there or gives up (the caller then reads the line as a tree).
class FlatReader {
 public:
  FlatReader(std::string_view text, AgentStatus* st)
      : p_(text.data()), end_(p_ + text.size()), st_(st) {}

  bool Read() {
    SkipSpace();
    if (!Take('{')) return false;
    SkipSpace();
    if (Take('}')) return AtEnd();
    for (;;) {
      std::string_view key;
      SkipSpace();
      if (!String(&key)) return false;
      SkipSpace();
      if (!Take(':')) return false;
      SkipSpace();
      if (!Value(key)) return false;
      SkipSpace();
      if (Take('}')) return AtEnd();
      if (!Take(',')) return false;
    }
  }

 private:
  enum class Kind { kString, kInt, kDouble, kBool, kUnknown };

  static Kind KindOf(std::string_view key) {
    if (key == "phase" || key == "message" || key == "notice" || key == "staging_error") {
      return Kind::kString;
    }
    if (key == "exit_code" || key == "final_snapshot") return Kind::kInt;
    if (key == "run_started_at" || key == "progress") return Kind::kDouble;
    if (key == "supervisor_alive") return Kind::kBool;
    return Kind::kUnknown;
  }
  // Known fields of types this reader does not read (lists): the tree's.
  static bool LeftToTree(std::string_view key) {
    return key == "missing_outputs" || key == "gpus" || key == "gpus_missing_reason" ||
           key == "notebook_idle_s" || key == "notebook_busy";
  }

  bool Value(std::string_view key) {
    if (LeftToTree(key) || p_ == end_) return false;
    const Kind kind = KindOf(key);
    if (Literal("null")) {  // Null is absent (a repeated key's last value wins).
      Reset(key);
      return true;
    }
    if (*p_ == '"') {
      std::string_view v;
      if (!String(&v)) return false;
      if (kind == Kind::kString) StringField(key) = v;
      return kind == Kind::kString || kind == Kind::kUnknown;
    }
    const bool truth = Literal("true");
    if (truth || Literal("false")) {
      if (kind == Kind::kBool) st_->supervisor_alive = truth;
      return kind == Kind::kBool || kind == Kind::kUnknown;
    }
    return Number(key, kind);
  }

  // The field `key` as if it were not there.
  void Reset(std::string_view key) {
    const AgentStatus absent;
    if (key == "phase") {
      st_->phase = "starting";
    } else if (KindOf(key) == Kind::kString) {
      StringField(key).clear();
    } else if (key == "exit_code") {
      st_->exit_code = absent.exit_code;
    } else if (key == "final_snapshot") {
      st_->final_snapshot = absent.final_snapshot;
    } else if (key == "run_started_at") {
      st_->run_started_at = absent.run_started_at;
    } else if (key == "progress") {
      st_->progress.reset();
    } else if (key == "supervisor_alive") {
      st_->supervisor_alive = absent.supervisor_alive;
    }
  }

  std::string& StringField(std::string_view key) {
    if (key == "phase") return st_->phase;
    if (key == "message") return st_->message;
    if (key == "notice") return st_->notice;
    return st_->staging_error;
  }

  // A string of printable ASCII without escapes (anything else: the tree's,
  // which checks escapes and UTF-8).
  bool String(std::string_view* out) {
    if (!Take('"')) return false;
    const char* start = p_;
    while (p_ < end_ && *p_ != '"') {
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '\\' || c < 0x20 || c >= 0x7f) return false;
      ++p_;
    }
    if (p_ == end_) return false;
    *out = std::string_view(start, static_cast<size_t>(p_ - start));
    ++p_;
    return true;
  }

  // A JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
  bool Number(std::string_view key, Kind kind) {
    const char* start = p_;
    Take('-');
    if (Take('0')) {
    } else if (!Digits()) {
      return false;
    }
    bool integral = true;
    if (Take('.')) {
      integral = false;
      if (!Digits()) return false;
    }
    if (Take('e') || Take('E')) {
      integral = false;
      if (!Take('+')) Take('-');
      if (!Digits()) return false;
    }
    // Any number must be a double in range (the tree refuses the others).
    double v = 0;
    auto [end, ec] = std::from_chars(start, p_, v);
    if (ec != std::errc() || end != p_) return false;
    if (kind == Kind::kInt) {
      // In int's range, as the tree requires (a fraction or exponent: its call).
      long long n = 0;
      auto [int_end, int_ec] = std::from_chars(start, p_, n);
      if (!integral || int_ec != std::errc() || int_end != p_ || n < INT_MIN || n > INT_MAX) {
        return false;
      }
      (key == "exit_code" ? st_->exit_code : st_->final_snapshot) = static_cast<int>(n);
      return true;
    }
    if (kind == Kind::kDouble) {
      if (key == "progress") {
        st_->progress = std::clamp(v, 0.0, 1.0);
      } else {
        st_->run_started_at = v;
      }
      return true;
    }
    return kind == Kind::kUnknown;
  }

  bool Digits() {
    const char* start = p_;
    while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    return p_ > start;
  }
  bool Literal(std::string_view word) {
    if (static_cast<size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) {
      return false;
    }
    p_ += word.size();
    return true;
  }
  bool Take(char c) {
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }
  void SkipSpace() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\r' || *p_ == '\n')) ++p_;
  }
  bool AtEnd() {
    SkipSpace();
    return p_ == end_;
  }

  const char* p_;
  const char* end_;
  AgentStatus* st_;
};

}  // namespace

std::optional<AgentStatus> ReadFlatStatusLine(std::string_view line) {
  AgentStatus st;
  st.phase = "starting";
  if (!FlatReader(line, &st).Read()) return std::nullopt;
  return st;
}

}  // namespace spotrun
