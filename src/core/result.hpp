// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Errors as values at the leaves (STYLE.md, "Errors"): a leaf module returns Result<T>; the
// orchestration turns an error into a stored failure record or, at the top, an exception.

#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace tunecap::core {

// One line for the user: names the file (when there is one) and the reason.
struct Error {
    std::string message;
};

// Thrown by orchestration code; caught by the per-track / per-step executor or by main.
class Failure : public std::runtime_error {
public:
    explicit Failure(const std::string& message) : std::runtime_error(message) {}
    explicit Failure(const Error& error) : std::runtime_error(error.message) {}
};

// E is the error type: core::Error by default; a module with typed errors (llm) brings its own,
// which must have a `message` member.
template <class T, class E = Error>
class [[nodiscard]] Result {
public:
    Result(T value) : m_state(std::in_place_index<0>, std::move(value)) {}
    Result(E error) : m_state(std::in_place_index<1>, std::move(error)) {}

    bool ok() const { return m_state.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { return checked(); }
    const T& value() const& { return const_cast<Result*>(this)->checked(); }
    T&& value() && { return std::move(checked()); }
    T* operator->() { return &checked(); }
    const T* operator->() const { return &const_cast<Result*>(this)->checked(); }
    T& operator*() & { return checked(); }

    const E& error() const { return std::get<1>(m_state); }

    // The value, or a Failure carrying the error's message (for orchestration code).
    T take() && {
        if (!ok()) throw Failure(error().message);
        return std::move(std::get<0>(m_state));
    }

private:
    T& checked() {
        if (!ok()) throw Failure(error().message);
        return std::get<0>(m_state);
    }
    std::variant<T, E> m_state;
};

struct Ok {};
using Status = Result<Ok>;

}  // namespace tunecap::core
