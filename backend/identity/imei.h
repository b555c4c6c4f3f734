#pragma once

#include "core/result.h"

#include <QString>

namespace simfleet::identity {

// International Mobile Equipment Identity (3GPP TS 23.003 section 6.2.1): TAC (8 digits),
// serial number (6 digits) and a Luhn check digit. 14 digits are accepted and completed with
// their check digit.
class Imei
{
public:
    Imei() = default;
    static Result<Imei> parse(QStringView text);

    bool isNull() const { return m_digits.isEmpty(); }
    const QString &toString() const { return m_digits; }
    QStringView typeAllocationCode() const { return QStringView(m_digits).first(8); }
    auto operator<=>(const Imei &) const = default;

private:
    explicit Imei(QString digits) : m_digits(std::move(digits)) { }
    QString m_digits;
    friend class ImeiSv;
};

// IMEISV (TS 23.003 section 6.2.2): TAC, serial number and a 2-digit software version number,
// 16 digits, without a check digit.
class ImeiSv
{
public:
    ImeiSv() = default;
    static Result<ImeiSv> parse(QStringView text);

    const QString &toString() const { return m_digits; }
    QStringView softwareVersion() const { return QStringView(m_digits).last(2); }
    // The IMEI of the same equipment, with its check digit computed.
    Imei imei() const;

private:
    explicit ImeiSv(QString digits) : m_digits(std::move(digits)) { }
    QString m_digits;
};

} // namespace simfleet::identity
