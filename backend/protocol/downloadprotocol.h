#pragma once

#include "core/result.h"
#include "crypto/secretbytes.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace simfleet::protocol {

// The messages of the profile download (DESIGN.md "Binding and download"), after SGP.22
// sections 3.1.2-3.1.3 and 5.7. simfleet folds PrepareDownload into AuthenticateServer: the
// device's one-time key travels in its first signed answer, which saves a round trip and a
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

// The first segment of a bound profile package: InitialiseSecureChannel (SGP.22 section
// 5.5.1), in clear but signed by the server over itself and the device's signature, so it
// belongs to this session and no other.
struct InitialiseSecureChannel
{
    QByteArray transactionId;
    QByteArray serverOneTimePublicKey;
    QByteArray encode() const;
    static Result<InitialiseSecureChannel> decode(QByteArrayView bytes);
};

// The second segment (encrypted): what the device records about the profile
// (StoreMetadata, SGP.22 section 5.4.1, with the v3 fallback attribute).
struct ProfileMetadata
{
    QString iccid;
    QString serviceProviderName;
    QString plmn; // MCC || MNC of the profile's home network
    bool fallbackAllowed = true;
    int profileSegments = 0; // segments of profile elements that follow
    QByteArray encode() const;
    static Result<ProfileMetadata> decode(QByteArrayView bytes);
};

// What the ECDH shared secret gives through the X9.63 KDF (SHA-256): the initial MAC chaining
// value, S-ENC and S-MAC, 16 bytes each, in that order (SGP.22 section 3.1.3.1 / annex G).
struct SessionKeys
{
    crypto::SecretBytes initialMacChainingValue;
    crypto::SecretBytes sEnc;
    crypto::SecretBytes sMac;
    static Result<SessionKeys> derive(const crypto::SecretBytes &sharedSecret, QByteArrayView transactionId, QStringView eid);
};

// Segment kinds inside the secure channel (SGP.22 BPP tags).
enum class SegmentTag : quint8 { StoreMetadata = 0x88, LoadProfileElements = 0x86 };

// SCP03t-style protection of the segments after the first: each is AES-128-CBC encrypted with
// an ICV from the segment counter and carries the first 8 bytes of an AES-CMAC over the MAC
// chaining value and the segment, so a changed, replayed, dropped or reordered segment fails.
class SecureChannel
{
public:
    explicit SecureChannel(SessionKeys keys);
    Result<QByteArray> protect(SegmentTag tag, QByteArrayView plaintext);
    // Verifies the MAC before anything is decrypted; on failure the channel is unusable.
    Result<std::pair<SegmentTag, crypto::SecretBytes>> unprotect(QByteArrayView segment);

private:
    Result<QByteArray> icv();
    SessionKeys m_keys;
    QByteArray m_chainingValue;
    quint32 m_counter = 1;
    bool m_broken = false;
};

// Profile elements travel in segments of at most this many plaintext bytes (an APDU's worth).
constexpr qsizetype maxSegmentPayload = 1020;

} // namespace simfleet::protocol
