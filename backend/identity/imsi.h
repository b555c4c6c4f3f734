#pragma once

#include "core/result.h"

#include <QString>

namespace simfleet::identity {

// International Mobile Subscriber Identity (3GPP TS 23.003 section 2.2): MCC (3 digits),
// MNC (2 or 3 digits) and MSIN, at most 15 digits in all. Whether the MNC has 2 or 3 digits
// is not visible in the IMSI itself; it comes from the operator's numbering.
class Imsi
{
public:
    Imsi() = default;
    static Result<Imsi> parse(QStringView text, int mncDigits);

    bool isNull() const { return m_digits.isEmpty(); }
    const QString &toString() const { return m_digits; }
    QStringView mcc() const { return QStringView(m_digits).first(3); }
    QStringView mnc() const { return QStringView(m_digits).sliced(3, m_mncDigits); }
    QStringView msin() const { return QStringView(m_digits).sliced(3 + m_mncDigits); }
    bool operator==(const Imsi &) const = default;

private:
    Imsi(QString digits, int mncDigits) : m_digits(std::move(digits)), m_mncDigits(mncDigits) { }
    QString m_digits;
    int m_mncDigits = 2;
};

} // namespace simfleet::identity
