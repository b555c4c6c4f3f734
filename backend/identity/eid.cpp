#include "eid.h"
#include "checkdigits.h"

namespace simfleet::identity {

Result<Eid> Eid::parse(QStringView text)
{
    const auto digits = trimmedDigits(text, "EID");
    if (!digits)
        return digits.error();
    const QStringView t = digits.value();
    if (t.size() != 32)
        return fail(QStringLiteral("EID must have 32 digits, got %1").arg(t.size()));
    const int expected = eidCheckDigits(t.first(30));
    if (t.sliced(30).toInt() != expected)
        return fail(QStringLiteral("EID check digits do not match: expected %1").arg(expected, 2, 10, QLatin1Char('0')));
    return Eid(t.toString());
}

Result<Eid> Eid::fromPayload(QStringView first30Digits)
{
    if (first30Digits.size() != 30 || !isAllDigits(first30Digits))
        return fail(QStringLiteral("EID payload must be 30 digits"));
    return Eid(first30Digits.toString()
               + QStringLiteral("%1").arg(eidCheckDigits(first30Digits), 2, 10, QLatin1Char('0')));
}

} // namespace simfleet::identity
