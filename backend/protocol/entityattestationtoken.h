#pragma once

#include "core/result.h"
#include "protocol/reportedlocation.h"

#include <QByteArray>
#include <QCborMap>
#include <QDateTime>
#include <QList>
#include <QString>

namespace simfleet::crypto {
class EcPrivateKey;
}

namespace simfleet::protocol {

// Debug status (RFC 9711 section 4.2.9).
enum class DebugStatus : int {
    Enabled = 0,
    Disabled = 1,
    DisabledSinceBoot = 2,
    DisabledPermanently = 3,
    DisabledFullyAndPermanently = 4,
};

struct Measurement
{
    QString component; // "bootloader", "se-os", "usim-host"
    QByteArray digest; // SHA-256
    bool operator==(const Measurement &) const = default;
};

// The claims a device makes about itself (RFC 9711 with CWT's iat, RFC 8392).
struct EatClaims
{
    QByteArray nonce;       // eat_nonce (10)
    QByteArray ueid;        // ueid (256)
    qint64 oemid = 0;       // oemid (258), a private enterprise number
    QString hwmodel;        // hwmodel (259)
    QString hwversion;      // hwversion (260)
    QString swname;         // swname (270)
    QString swversion;      // swversion (271)
    QList<Measurement> measurements; // measurements (273)
    DebugStatus debug = DebugStatus::DisabledPermanently; // dbgstat (263)
    bool secureBoot = true; // oemboot (262)
    bool tampered = false;  // private claim: the secure element's tamper sensor
    std::optional<ReportedLocation> location; // location (264): devices with a positioning receiver
    QDateTime issuedAt;     // iat (6)
};

namespace eat {
constexpr qint64 iat = 6;
constexpr qint64 nonce = 10;
constexpr qint64 ueid = 256;
constexpr qint64 oemid = 258;
constexpr qint64 hwmodel = 259;
constexpr qint64 hwversion = 260;
constexpr qint64 oemboot = 262;
constexpr qint64 dbgstat = 263;
constexpr qint64 swname = 270;
constexpr qint64 swversion = 271;
constexpr qint64 measurements = 273;
constexpr qint64 location = 264;
// The location claim's own keys (RFC 9711 section 4.2.10).
namespace where {
constexpr qint64 latitude = 1;
constexpr qint64 longitude = 2;
constexpr qint64 accuracy = 4;
constexpr qint64 timestamp = 8;
} // namespace where
constexpr qint64 tamper = -65537; // private use (below -65536, RFC 8392 section 9.1)
constexpr qint64 coseAlg = 1;
constexpr qint64 coseX5chain = 33; // RFC 9360
constexpr qint64 es256 = -7;
constexpr quint64 coseSign1Tag = 18;
constexpr qint64 cborContentFormat = 60; // application/cbor
constexpr qsizetype maxEvidenceBytes = 16 * 1024;
} // namespace eat

// The device's universal entity ID: type RAND (0x01) followed by 32 bytes derived from its EID,
// stable for the device's life.
QByteArray ueidForEid(const QString &eid);

QByteArray encodeClaims(const EatClaims &claims);
Result<EatClaims> decodeClaims(QByteArrayView payload);

// A parsed COSE_Sign1 (RFC 9052 section 4.2), keeping the exact bytes that were signed.
struct CoseSign1
{
    QByteArray protectedBytes;
    QCborMap protectedHeader;
    QByteArray payload;
    QByteArray signature;
    QList<QByteArray> x5chain; // DER, device certificate first
};

// Sig_structure = ["Signature1", protected, external_aad (empty), payload] (RFC 9052 section 4.4).
QByteArray signatureInput(const QByteArray &protectedBytes, const QByteArray &payload);

// Signs payload as a tagged COSE_Sign1 with ES256, the certificate chain in the protected header.
Result<QByteArray> signCoseSign1(const QByteArray &payload, const QList<QByteArray> &x5chain,
                                 const crypto::EcPrivateKey &key);

// Parses untrusted bytes; rejects anything but a well-formed ES256 COSE_Sign1 within the size
// limit. Verifies nothing.
Result<CoseSign1> parseCoseSign1(QByteArrayView bytes);

} // namespace simfleet::protocol
