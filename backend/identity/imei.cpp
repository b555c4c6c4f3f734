#include "imei.h"
#include "checkdigits.h"

namespace simfleet::identity {

Result<Imei> Imei::parse(QStringView text)
{
    const auto digits = trimmedDigits(text, "IMEI");
    if (!digits)
        return digits.error();
    const QStringView t = digits.value();
    if (t.size() == 14)
        return Imei(t.toString() + QChar(u'0' + luhnCheckDigit(t)));
    if (t.size() == 16)
        return fail(QStringLiteral("IMEI must have 15 digits; 16 digits is an IMEISV"));
    if (t.size() != 15)
        return fail(QStringLiteral("IMEI must have 15 digits (or 14 without the check digit), got %1").arg(t.size()));
    const int expected = luhnCheckDigit(t.first(14));
    if (t.last().unicode() - u'0' != expected)
        return fail(QStringLiteral("IMEI check digit does not match: expected %1").arg(expected));
    return Imei(t.toString());
}

Result<ImeiSv> ImeiSv::parse(QStringView text)
{
    const auto digits = trimmedDigits(text, "IMEISV");
    if (!digits)
        return digits.error();
    const QStringView t = digits.value();
    if (t.size() != 16)
        return fail(QStringLiteral("IMEISV must have 16 digits, got %1").arg(t.size()));
    if (t.last(2) == u"99")
        return fail(QStringLiteral("IMEISV software version 99 is reserved"));
    return ImeiSv(t.toString());
}

Imei ImeiSv::imei() const
{
    const QStringView body = QStringView(m_digits).first(14);
    return Imei(body.toString() + QChar(u'0' + luhnCheckDigit(body)));
}

} // namespace simfleet::identity
