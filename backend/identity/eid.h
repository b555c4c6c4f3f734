#pragma once

#include "core/result.h"

#include <QString>

namespace simfleet::identity {

// eUICC identifier: 32 decimal digits whose value is 1 mod 97 (GSMA SGP.29 section 2.2).
// Digits 1-2 are the industry prefix 89, 3-5 the country code, 6-8 the issuer, 9-13 version
// information, 14-30 the individual identification number, 31-32 check digits.
class Eid
{
public:
    Eid() = default;
    static Result<Eid> parse(QStringView text);
    // Completes 30 digits with their check digits.
    static Result<Eid> fromPayload(QStringView first30Digits);

    bool isNull() const { return m_digits.isEmpty(); }
    const QString &toString() const { return m_digits; }
    bool startsWith(QStringView prefix) const { return m_digits.startsWith(prefix); }
    auto operator<=>(const Eid &) const = default;

private:
    explicit Eid(QString digits) : m_digits(std::move(digits)) { }
    QString m_digits;
};

} // namespace simfleet::identity
