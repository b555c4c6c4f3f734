#include "iccid.h"
#include "checkdigits.h"

namespace simfleet::identity {

namespace {
Result<void> checkBody(QStringView t, qsizetype minLength, qsizetype maxLength, const char *what)
{
    if (t.isEmpty())
        return fail(QStringLiteral("ICCID is empty"));
    if (!isAllDigits(t))
        return fail(QStringLiteral("ICCID must contain digits only"));
    if (t.size() < minLength || t.size() > maxLength)
        return fail(QStringLiteral("ICCID %1 must have %2 to %3 digits, got %4")
                        .arg(QLatin1StringView(what))
                        .arg(minLength)
                        .arg(maxLength)
                        .arg(t.size()));
    if (!t.startsWith(u"89"))
        return fail(QStringLiteral("ICCID must start with the telecom industry identifier 89"));
    return {};
}
} // namespace

Result<Iccid> Iccid::parse(QStringView text)
{
    const QStringView t = text.trimmed();
    if (auto ok = checkBody(t, 18, 20, "with check digit"); !ok)
        return ok.error();
    const int expected = luhnCheckDigit(t.first(t.size() - 1));
    if (t.last().unicode() - u'0' != expected)
        return fail(QStringLiteral("ICCID check digit does not match: expected %1").arg(expected));
    return Iccid(t.toString());
}

Result<Iccid> Iccid::fromPayload(QStringView digitsWithoutCheck)
{
    if (auto ok = checkBody(digitsWithoutCheck, 17, 19, "without check digit"); !ok)
        return ok.error();
    return Iccid(digitsWithoutCheck.toString() + QChar(u'0' + luhnCheckDigit(digitsWithoutCheck)));
}

} // namespace simfleet::identity
