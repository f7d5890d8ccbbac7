#pragma once

#include <cerrno>
#include <string>
#include <utility>
#include <variant>

namespace lensfs {

/// Why an operation failed: an errno value and a short human context such as the path.
struct Error {
    int code = EIO;
    std::string context;

    /// "context: strerror(code)".
    [[nodiscard]] std::string message() const;
};

/// Builds an Error from errno (or @p code) and a context string.
Error make_error(int code, std::string context);

/// Either a value or an error: an Error (errno and context) unless @p E says otherwise (the
/// control protocol's decoders carry a ProtocolError). Readers return this; nothing on the
/// read path throws on failure.
template <typename T, typename E = Error>
class [[nodiscard]] Result {
public:
    Result(T value) : v_(std::move(value)) {} // NOLINT(google-explicit-constructor)
    Result(E error) : v_(std::move(error)) {} // NOLINT(google-explicit-constructor)

    [[nodiscard]] bool ok() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    [[nodiscard]] const E& error() const& { return std::get<1>(v_); }
    [[nodiscard]] E&& error() && { return std::get<1>(std::move(v_)); }

    /// The value, or @p fallback when this holds an error.
    T value_or(T fallback) const& { return ok() ? value() : std::move(fallback); }

private:
    std::variant<T, E> v_;
};

/// Result of an operation that yields nothing but can fail.
struct Ok {};
using Status = Result<Ok>;

} // namespace lensfs
