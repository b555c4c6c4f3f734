#pragma once

#include "core/result.h"

#include <QStringView>

namespace simfleet::identity {

// Luhn check digit (ISO/IEC 7812-1 annex B) for a string of decimal digits: the digit that,
// appended, makes the Luhn sum a multiple of 10. Used by IMEI (3GPP TS 23.003 section 6.2.1)
// and ICCID (ITU-T E.118). The input must be digits only.
int luhnCheckDigit(QStringView digits);
bool hasValidLuhn(QStringView digitsWithCheck);

// The two EID check digits (GSMA SGP.29 section 2.2, ISO 7064 MOD 97-10): for the first 30
// digits, the value 1..98 that makes the 32-digit number equal 1 mod 97.
int eidCheckDigits(QStringView first30Digits);

bool isAllDigits(QStringView text);

// The rule every identifier shares: surrounding spaces are trimmed, then what is left must be
// non-empty and all decimal digits. "what" names the identifier in the message ("EID is empty").
Result<QStringView> trimmedDigits(QStringView text, const char *what);

} // namespace simfleet::identity
