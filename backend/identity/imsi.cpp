#include "imsi.h"
#include "checkdigits.h"

namespace simfleet::identity {

Result<Imsi> Imsi::parse(QStringView text, int mncDigits)
{
    if (mncDigits != 2 && mncDigits != 3)
        return fail(QStringLiteral("MNC must have 2 or 3 digits, got %1").arg(mncDigits));
    const auto digits = trimmedDigits(text, "IMSI");
    if (!digits)
        return digits.error();
    const QStringView t = digits.value();
    if (t.size() > 15)
        return fail(QStringLiteral("IMSI must have at most 15 digits, got %1").arg(t.size()));
    if (t.size() < 3 + mncDigits + 1)
        return fail(QStringLiteral("IMSI must have MCC (3 digits), MNC (%1 digits) and at least one MSIN digit")
                        .arg(mncDigits));
    return Imsi(t.toString(), mncDigits);
}

} // namespace simfleet::identity
