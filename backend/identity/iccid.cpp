#include "iccid.h"
#include "checkdigits.h"

namespace simfleet::identity {

namespace {
Result<QStringView> checkBody(QStringView text, qsizetype minLength, qsizetype maxLength, const char *what)
{
    const auto digits = trimmedDigits(text, "ICCID");
    if (!digits)
        return digits.error();
    const QStringView t = digits.value();
    if (t.size() < minLength || t.size() > maxLength)
        return fail(QStringLiteral("ICCID %1 must have %2 to %3 digits, got %4")
                        .arg(QLatin1StringView(what))
                        .arg(minLength)
                        .arg(maxLength)
                        .arg(t.size()));
    if (!t.startsWith(u"89"))
        return fail(QStringLiteral("ICCID must start with the telecom industry identifier 89"));
    return t;
}
} // namespace

Result<Iccid> Iccid::parse(QStringView text)
{
    const auto body = checkBody(text, 18, 20, "with check digit");
    if (!body)
        return body.error();
    const QStringView t = body.value();
    const int expected = luhnCheckDigit(t.first(t.size() - 1));
    if (t.last().unicode() - u'0' != expected)
        return fail(QStringLiteral("ICCID check digit does not match: expected %1").arg(expected));
    return Iccid(t.toString());
}

Result<Iccid> Iccid::fromPayload(QStringView digitsWithoutCheck)
{
    const auto body = checkBody(digitsWithoutCheck, 17, 19, "without check digit");
    if (!body)
        return body.error();
    return Iccid(body->toString() + QChar(u'0' + luhnCheckDigit(body.value())));
}

} // namespace simfleet::identity
