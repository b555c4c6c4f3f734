#include "checkdigits.h"

namespace simfleet::identity {

bool isAllDigits(QStringView text)
{
    for (QChar c : text) {
        if (c < u'0' || c > u'9')
            return false;
    }
    return true;
}

Result<QStringView> trimmedDigits(QStringView text, const char *what)
{
    const QStringView t = text.trimmed();
    if (t.isEmpty())
        return fail(QStringLiteral("%1 is empty").arg(QLatin1StringView(what)));
    if (!isAllDigits(t))
        return fail(QStringLiteral("%1 must contain digits only").arg(QLatin1StringView(what)));
    return t;
}

int luhnCheckDigit(QStringView digits)
{
    // Doubling starts at the rightmost payload digit, which sits next to the check digit.
    int sum = 0;
    bool doubleIt = true;
    for (qsizetype i = digits.size() - 1; i >= 0; --i) {
        int d = digits[i].unicode() - u'0';
        if (doubleIt) {
            d *= 2;
            if (d > 9)
                d -= 9;
        }
        sum += d;
        doubleIt = !doubleIt;
    }
    return (10 - sum % 10) % 10;
}

bool hasValidLuhn(QStringView digitsWithCheck)
{
    if (digitsWithCheck.size() < 2)
        return false;
    return luhnCheckDigit(digitsWithCheck.first(digitsWithCheck.size() - 1))
        == digitsWithCheck.last().unicode() - u'0';
}

int eidCheckDigits(QStringView first30Digits)
{
    // (number * 100) mod 97, computed digit by digit so 32 digits never overflow.
    int remainder = 0;
    for (QChar c : first30Digits)
        remainder = (remainder * 10 + (c.unicode() - u'0')) % 97;
    remainder = (remainder * 100) % 97;
    return 98 - remainder;
}

} // namespace simfleet::identity
