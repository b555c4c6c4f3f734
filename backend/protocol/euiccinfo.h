#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

namespace simfleet::protocol {

// ES10b.GetEUICCInfo's first form (SGP.22 section 5.7.8), EUICCInfo1 'BF20': the version of
// SGP.22 the eUICC implements and the certificate issuers it knows, by their public key
// identifiers: those whose signatures it verifies (a profile server must be certified by one)
// and those it signs under (its own certificate chains to one). The LPA or IPA reads it before
// ES9+.InitiateAuthentication, which carries it to the profile server (section 3.1.2).
struct EuiccInfo1
{
    QByteArray svn = QByteArray::fromHex("020500"); // SGP.22 v2.5.0
    QList<QByteArray> ciKeyIdsForVerification;
    QList<QByteArray> ciKeyIdsForSigning;

    QByteArray encode() const;
    static Result<EuiccInfo1> decode(QByteArrayView der);
};

} // namespace simfleet::protocol
