#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

namespace simfleet::protocol {

// ES8+.InitialiseSecureChannel (SGP.22 section 5.5.1, InitialiseSecureChannelRequest, tag
// 'BF23'): the profile server's one-time key and the control reference template (AES-128 and
// its host identifier), signed by the server.
struct InitialiseSecureChannelRequest
{
    static constexpr quint8 installBoundProfilePackage = 1; // RemoteOpId

    QByteArray transactionId;
    QByteArray hostId;                 // 1 to 16 bytes, part of the key derivation
    QByteArray serverOneTimePublicKey; // smdpOtpk: otPK.DP.ECKA, an uncompressed P-256 point
    QByteArray signature;              // smdpSign: ECDSA r || s

    // What smdpSign covers: the remoteOpId, transactionId, controlRefTemplate and smdpOtpk data
    // objects as encoded, then the eUICC's one-time key as a '5F49' data object.
    QByteArray signedData(QByteArrayView euiccOneTimePublicKey) const;
    // remoteOpId, transactionId, controlRefTemplate and smdpOtpk, encoded in that order.
    QByteArray dataObjects() const;
    QByteArray encode() const;
    static Result<InitialiseSecureChannelRequest> decode(QByteArrayView tlv);
};

// The bound profile package (SGP.22 section 2.5.4, BoundProfilePackage, tag 'BF36'): the
// InitialiseSecureChannel request, then the protected segments as they travel: ConfigureISDP
// ('87', encrypted), StoreMetadata ('88', MAC only), optionally ReplaceSessionKeys ('87'), then
// the profile elements ('86'). Each segment is kept as the TLV bytes its MAC covers.
struct BoundProfilePackage
{
    InitialiseSecureChannelRequest initialiseSecureChannel;
    QList<QByteArray> configureIsdp;
    QList<QByteArray> storeMetadata;
    QList<QByteArray> replaceSessionKeys;
    QList<QByteArray> profileElements;

    QByteArray encode() const;
    // Structure only: tags, lengths and the order the standard gives; the segments are opened
    // by the secure channel.
    static Result<BoundProfilePackage> decode(QByteArrayView der);
};

// ConfigureISDPRequest (tag 'BF24'), naming the profile server's OID as dpProprietaryData.
QByteArray encodeConfigureIsdp(QByteArrayView serverOid);
Result<void> decodeConfigureIsdp(QByteArrayView der);

} // namespace simfleet::protocol
