#pragma once

#include <QJsonObject>
#include <QString>
#include <optional>
#include <utility>
#include <variant>

namespace wadesk {

// The one error type of the domain. `code` is stable and machine-readable; `httpStatus` is what
// the API layer answers with; the message is for people and never carries SQL or stack text.
struct DomainError {
    int httpStatus = 500;
    QString code;
    QString message;
    QJsonObject details;
    int retryAfterSeconds = 0; // set for 429/503 answers

    static DomainError badRequest(const QString &message, const QString &code = QStringLiteral("bad_request"));
    static DomainError validation(const QString &field, const QString &message);
    static DomainError unauthorized(const QString &message = QStringLiteral("Authentication required"),
                                    const QString &code = QStringLiteral("unauthorized"));
    static DomainError forbidden(const QString &message = QStringLiteral("Permission denied"),
                                 const QString &code = QStringLiteral("forbidden"));
    static DomainError notFound(const QString &what);
    static DomainError conflict(const QString &message, const QString &code = QStringLiteral("conflict"));
    static DomainError unprocessable(const QString &message, const QString &code);
    static DomainError tooManyRequests(const QString &message, int retryAfterSeconds,
                                       const QString &code = QStringLiteral("rate_limited"));
    static DomainError unavailable(const QString &message, const QString &code = QStringLiteral("unavailable"));
    static DomainError internal(const QString &message = QStringLiteral("Internal error"));
};

// Either a value or a DomainError. Deliberately tiny: the codebase is C++17 (no std::expected).
template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : m_state(std::move(value)) {}
    Result(DomainError error) : m_state(std::move(error)) {}

    bool ok() const { return std::holds_alternative<T>(m_state); }
    explicit operator bool() const { return ok(); }
    const T &value() const & { return std::get<T>(m_state); }
    T &value() & { return std::get<T>(m_state); }
    T &&value() && { return std::get<T>(std::move(m_state)); }
    const T *operator->() const { return &std::get<T>(m_state); }
    const DomainError &error() const { return std::get<DomainError>(m_state); }

private:
    std::variant<T, DomainError> m_state;
};

// For operations that produce nothing but may fail.
class [[nodiscard]] Status {
public:
    Status() = default;
    Status(DomainError error) : m_error(std::move(error)) {}
    static Status success() { return {}; }
    bool ok() const { return !m_error.has_value(); }
    explicit operator bool() const { return ok(); }
    const DomainError &error() const { return *m_error; }

private:
    std::optional<DomainError> m_error;
};

// Drops a Result or Status on purpose, where ignoring the outcome is right (results are
// [[nodiscard]]); the caller says why in a comment beside it.
template <typename Outcome>
inline void discardOutcome(const Outcome &)
{
}

} // namespace wadesk
