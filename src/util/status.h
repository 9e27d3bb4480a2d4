// Status and Result<T>: the one error type that crosses module boundaries.
// Library exceptions are caught at the adapter that calls the library and turned
// into a Status; they never cross a seam.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace spotrun {

enum class Code {
  kOk,
  kInvalidArgument,  // The user's input is wrong: report once, exit 2.
  kNotFound,
  kUnavailable,  // Transient: network, throttling, 5xx. Retryable.
  kCapacity,     // No capacity / price too low: try elsewhere.
  kAuth,         // Credentials or permissions: stop and say what to fix.
  kCancelled,
  kInternal,  // Disk, SQLite, a process that would not start.
};

const char* CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // "CodeName: message", or "OK".
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
inline Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
inline Status Unavailable(std::string m) { return {Code::kUnavailable, std::move(m)}; }
inline Status CapacityError(std::string m) { return {Code::kCapacity, std::move(m)}; }
inline Status AuthError(std::string m) { return {Code::kAuth, std::move(m)}; }
inline Status Cancelled(std::string m) { return {Code::kCancelled, std::move(m)}; }
inline Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }

// A value or the Status explaining why there is none.
// REQUIRES: a Result built from a Status is built from a non-OK one.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design.
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(v_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T value_or(T fallback) const& { return ok() ? value() : std::move(fallback); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace spotrun

#define SPOTRUN_RETURN_IF_ERROR(expr) \
  do {                                \
    ::spotrun::Status _st = (expr);   \
    if (!_st.ok()) return _st;        \
  } while (0)
