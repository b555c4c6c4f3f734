#pragma once

#include "errorcode.h"

#include <QString>

#include <utility>
#include <variant>

namespace simfleet {

// A failure a person can act on: what went wrong and, where it helps, what to do about it.
struct Error
{
    QString message;
    // A stable reason where callers branch on it; None for most errors, which only people read.
    ErrorCode code = ErrorCode::None;
};

// The outcome of a call that can fail for reasons the user causes (bad input, a wrong
// passphrase, a device that fails attestation). The backend API returns these instead of
// throwing.
template<typename T>
class [[nodiscard]] Result
{
public:
    Result(T value) : m_state(std::in_place_index<0>, std::move(value)) { }
    Result(Error error) : m_state(std::in_place_index<1>, std::move(error)) { }

    bool ok() const { return m_state.index() == 0; }
    explicit operator bool() const { return ok(); }

    const T &value() const & { return std::get<0>(m_state); }
    T &value() & { return std::get<0>(m_state); }
    // By value, not T&&: `for (auto &x : f().value())` must not bind to a dead temporary.
    T value() && { return std::get<0>(std::move(m_state)); }
    const T &operator*() const & { return value(); }
    const T *operator->() const { return &value(); }

    const Error &error() const { return std::get<1>(m_state); }
    QString errorMessage() const { return ok() ? QString() : error().message; }

private:
    std::variant<T, Error> m_state;
};

template<>
class [[nodiscard]] Result<void>
{
public:
    Result() = default;
    Result(Error error) : m_error(std::move(error)), m_failed(true) { }

    bool ok() const { return !m_failed; }
    explicit operator bool() const { return ok(); }
    const Error &error() const { return m_error; }
    QString errorMessage() const { return m_error.message; }

private:
    Error m_error;
    bool m_failed = false;
};

inline Error fail(QString message)
{
    return Error { std::move(message) };
}

inline Error failWith(ErrorCode code, QString message)
{
    return Error { std::move(message), code };
}

} // namespace simfleet
