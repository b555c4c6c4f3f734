#pragma once

#include "core/result.h"
#include "crypto/secretbytes.h"
#include "profilemetadata.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace simfleet::protocol {

// The messages of the profile download (DESIGN.md "Binding and download"), after SGP.22
// sections 3.1.2-3.1.3 and 5.7. simfleet still folds PrepareDownload into AuthenticateServer
// (the bound profile package and its secure channel are SGP.22's own: boundprofilepackage.h,
// securechannel.h, profilemetadata.h): the device's one-time key travels in its first signed answer, which saves a round trip and a
// signature on each side without weakening anything (the key is still signed by the device and
// bound to the server's challenge). Signed structures are CBOR; signatures are ECDSA P-256 over
// the exact bytes sent, r || s.

// ES9+.InitiateAuthentication's answer, passed to the device (ES10b.AuthenticateServer).
struct ServerAuthentication
{
    QByteArray serverSigned1;     // {1: transactionId, 2: euiccChallenge, 3: serverAddress, 4: serverChallenge}
    QByteArray serverSignature1;
    QList<QByteArray> serverCertificates; // the profile server's certificate (DER), then any intermediates
};

// The device's answer: it authenticated the server and commits to a one-time ECDH key.
struct DeviceAuthentication
{
    QByteArray euiccSigned1;    // {1: transactionId, 2: serverChallenge, 3: serverAddress, 4: eid, 5: otPK.EUICC}
    QByteArray euiccSignature1;
    QList<QByteArray> deviceCertificates; // the device's certificate, then its manufacturer's
};

struct ServerSigned1
{
    QByteArray transactionId;
    QByteArray euiccChallenge;
    QString serverAddress;
    QByteArray serverChallenge;
    QByteArray encode() const;
    static Result<ServerSigned1> decode(QByteArrayView bytes);
};

struct EuiccSigned1
{
    QByteArray transactionId;
    QByteArray serverChallenge;
    QString serverAddress;
    QString eid;
    QByteArray oneTimePublicKey; // uncompressed P-256 point
    QByteArray encode() const;
    static Result<EuiccSigned1> decode(QByteArrayView bytes);
};

} // namespace simfleet::protocol
