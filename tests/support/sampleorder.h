#pragma once

#include "profiles/profileserver.h"

namespace simfleet::testing {

// The download order the single-device conversations use: Nordtel's profile with the TS 35.208
// test set 1 Ki and OPc (published values, nobody's subscription).
inline profiles::DownloadOrder sampleOrder(const QString &eid)
{
    profiles::DownloadOrder o;
    o.eid = eid;
    o.profile.iccid = QStringLiteral("8999901000000000017");
    o.profile.imsi = QStringLiteral("001010123456789");
    o.profile.ki = crypto::SecretBytes(QByteArray::fromHex("465b5ce8b199b49faa5f0a2ee238a6bc"));
    o.profile.opc = crypto::SecretBytes(QByteArray::fromHex("cd63cb71954a9f4e48a5994e37a02baf"));
    o.profile.serviceProviderName = QStringLiteral("Nordtel");
    o.metadata.serviceProviderName = QStringLiteral("Nordtel");
    o.metadata.plmn = QStringLiteral("00101");
    return o;
}

} // namespace simfleet::testing
