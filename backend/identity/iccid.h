#pragma once

#include "core/result.h"

#include <QString>

namespace simfleet::identity {

// Integrated Circuit Card Identifier (ITU-T E.118): 18 to 20 digits, the major industry
// identifier 89 first, a Luhn check digit last.
class Iccid
{
public:
    Iccid() = default;
    static Result<Iccid> parse(QStringView text);
    // Completes 17 to 19 digits starting 89 with their Luhn check digit.
    static Result<Iccid> fromPayload(QStringView digitsWithoutCheck);

    bool isNull() const { return m_digits.isEmpty(); }
    const QString &toString() const { return m_digits; }
    auto operator<=>(const Iccid &) const = default;

private:
    explicit Iccid(QString digits) : m_digits(std::move(digits)) { }
    QString m_digits;
};

} // namespace simfleet::identity
