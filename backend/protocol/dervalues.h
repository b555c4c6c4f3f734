#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace simfleet::protocol::der {

// Strict readers of the values the ES10 messages carry, each refusing what DER (ITU-T X.690)
// would not write, so one value has one encoding and a decoded message re-encodes to the bytes
// it came from.

// An INTEGER's content in its shortest two's complement form (X.690 section 8.3.2), within
// [minimum, maximum].
Result<qint64> readStrictInteger(QByteArrayView content, qint64 minimum, qint64 maximum);

// A BIT STRING with a named bit list as a mask (bit n of the list is 1 << n): trailing zero
// bits dropped and the unused bits zero (X.690 section 11.2.2), no bit above highestBit.
Result<quint32> readNamedBits(QByteArrayView content, int highestBit);
// The same written from a mask.
QByteArray namedBitsMask(quint32 mask, quint16 tag);

// A UTF8String of at most maxCharacters characters (the SIZE of the ASN.1 type counts
// characters), in valid UTF-8.
Result<QString> readUtf8(QByteArrayView content, qsizetype maxCharacters);

// An Iccid (tag '5A'): 10 bytes as EF.ICCID codes it (ETSI TS 102 221 section 13.2: swapped
// BCD, 'F' filler after a 19-digit ICCID), in the one form simfleet's encoder writes.
Result<QString> readIccid(QByteArrayView content);

// An EID as SGP.22 and SGP.32 carry it (eidValue '5A', Octet16): the 32 decimal digits as BCD in
// reading order, two to a byte, as ES10c.GetEID answers it and the secure channel's key
// derivation takes it. `eid` must be 32 digits; anything else gives an empty array.
QByteArray eidToBcd(QStringView eid);
// Back to the digits: 16 bytes whose every nibble is a decimal digit.
Result<QString> readEid(QByteArrayView content);

// A TransactionId (SGP.22's OCTET STRING (SIZE(1..16))), as the eIM's transaction IDs are too.
Result<QByteArray> readTransactionId(QByteArrayView content);

} // namespace simfleet::protocol::der
