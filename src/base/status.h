// Status and Result<T>: the one error model of featmerge. No exceptions cross our code.
// Thread-safety: values; a const Status may be read from many threads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace featmerge {

enum class StatusCode : uint8_t {
  kOk = 0,
  kInvalidArgument,  // bad usage or configuration
  kCorruption,       // input data is damaged or violates the format
  kNotSupported,     // valid input we do not handle (nested columns, encryption, ...)
  kIOError,          // the OS refused a read, write, sync or rename
  kResourceExhausted,  // memory budget, disk space, file limits
  kNotFound,
  kAlreadyExists,    // e.g. the output is locked by another run
  kCancelled,        // SIGINT/SIGTERM
  kInternal,         // a bug of ours
};

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string msg) { return {StatusCode::kInvalidArgument, std::move(msg)}; }
  static Status Corruption(std::string msg) { return {StatusCode::kCorruption, std::move(msg)}; }
  static Status NotSupported(std::string msg) { return {StatusCode::kNotSupported, std::move(msg)}; }
  static Status IOError(std::string msg) { return {StatusCode::kIOError, std::move(msg)}; }
  static Status ResourceExhausted(std::string msg) {
    return {StatusCode::kResourceExhausted, std::move(msg)};
  }
  static Status NotFound(std::string msg) { return {StatusCode::kNotFound, std::move(msg)}; }
  static Status AlreadyExists(std::string msg) { return {StatusCode::kAlreadyExists, std::move(msg)}; }
  static Status Cancelled(std::string msg) { return {StatusCode::kCancelled, std::move(msg)}; }
  static Status Internal(std::string msg) { return {StatusCode::kInternal, std::move(msg)}; }

  bool ok() const { return state_ == nullptr; }
  StatusCode code() const { return state_ ? state_->code : StatusCode::kOk; }
  const std::string& message() const;
  bool IsCorruption() const { return code() == StatusCode::kCorruption; }
  bool IsNotSupported() const { return code() == StatusCode::kNotSupported; }
  bool IsInvalidArgument() const { return code() == StatusCode::kInvalidArgument; }
  bool IsIOError() const { return code() == StatusCode::kIOError; }
  bool IsResourceExhausted() const { return code() == StatusCode::kResourceExhausted; }
  bool IsNotFound() const { return code() == StatusCode::kNotFound; }
  bool IsCancelled() const { return code() == StatusCode::kCancelled; }

  // "Corruption: <message>", or "OK".
  std::string ToString() const;
  // Returns a copy whose message is "<context>: <message>" (same code).
  Status WithContext(std::string_view context) const;

  Status(const Status& other)
      : state_(other.state_ ? std::make_unique<State>(*other.state_) : nullptr) {}
  Status& operator=(const Status& other) {
    if (this != &other) state_ = other.state_ ? std::make_unique<State>(*other.state_) : nullptr;
    return *this;
  }
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

 private:
  struct State {
    StatusCode code;
    std::string message;
  };
  Status(StatusCode code, std::string msg)
      : state_(std::make_unique<State>(State{code, std::move(msg)})) {}

  std::unique_ptr<State> state_;  // null means OK: the OK path costs one pointer
};

const char* StatusCodeName(StatusCode code);

// A value or an error. REQUIRES: constructed from a non-OK Status when not holding a value.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    if (status_.ok()) status_ = Status::Internal("Result constructed from an OK Status");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }
  T ValueOrDie() && { return std::move(*value_); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace featmerge

#define FM_CONCAT_IMPL(a, b) a##b
#define FM_CONCAT(a, b) FM_CONCAT_IMPL(a, b)

#define FM_RETURN_IF_ERROR(expr)                      \
  do {                                                \
    ::featmerge::Status fm_status_ = (expr);          \
    if (!fm_status_.ok()) return fm_status_;          \
  } while (0)

#define FM_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return tmp.status();            \
  lhs = std::move(tmp).value()

#define FM_ASSIGN_OR_RETURN(lhs, expr) \
  FM_ASSIGN_OR_RETURN_IMPL(FM_CONCAT(fm_result_, __LINE__), lhs, expr)
