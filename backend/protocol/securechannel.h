#pragma once

#include "core/result.h"
#include "crypto/secretbytes.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

namespace simfleet::protocol {

// The session keys of one bound profile package (SGP.22 section 2.6.4.2, annex G): X9.63 KDF
// with SHA-256 over the ECKA shared secret, SharedInfo = keyType || keyLength || hostID-LV ||
// EID-LV (lengths in BER), giving the initial MAC chaining value, S-ENC and S-MAC in that order.
struct SessionKeys
{
    static constexpr quint8 keyTypeAes = 0x88;
    static constexpr quint8 keyLength = 16;

    crypto::SecretBytes initialMacChainingValue;
    crypto::SecretBytes sEnc;
    crypto::SecretBytes sMac;
    // eid: the 16 bytes of EUICCInfo / the certificate's EID (32 digits packed, not swapped).
    static Result<SessionKeys> derive(const crypto::SecretBytes &sharedSecret, QByteArrayView hostId, QByteArrayView eid);
};

// The BPP protection protocol (SGP.22 section 2.6.4, "SCP03t"): each segment is a TLV of one
// tag ('86', '87' or '88') whose value is the (encrypted) data and the first 8 bytes of an AES-CMAC
// over the MAC chaining value, the tag, the final BER length and the data; the full CMAC chains
// into the next segment, so a changed, replayed, dropped or reordered segment fails. Encryption is
// AES-128-CBC with padding '80 00..' and an ICV made by encrypting the block counter under S-ENC;
// the counter counts every segment, MAC-only ones included. A segment is at most 1020 bytes,
// tag, length and MAC included (section 2.5.3).
class SecureChannel
{
public:
    static constexpr qsizetype maxSegmentSize = 1020;
    static constexpr qsizetype macSize = 8;
    // The most data one segment carries: 1020 - tag - 3-byte length - MAC, and for encrypted
    // segments one byte less, for the padding's mandatory '80'.
    static constexpr qsizetype maxMacOnlyData = maxSegmentSize - 1 - 3 - macSize;
    static constexpr qsizetype maxEncryptedData = maxMacOnlyData - 1;

    explicit SecureChannel(SessionKeys keys);

    // Encrypts and MACs data as segments of this tag, as many as it takes.
    Result<QList<QByteArray>> protect(quint8 tag, QByteArrayView data);
    // MACs data in clear (StoreMetadata, section 2.5.4: its segments are not encrypted).
    Result<QList<QByteArray>> macOnly(quint8 tag, QByteArrayView data);

    // Verifies one segment's MAC before anything else, then decrypts it. After any failure the
    // channel is unusable: nothing later in the package is opened.
    Result<crypto::SecretBytes> open(quint8 tag, QByteArrayView segment);
    // Verifies one MAC-only segment and returns its data.
    Result<QByteArray> openMacOnly(quint8 tag, QByteArrayView segment);

private:
    Result<QByteArray> nextIcv();
    Result<QByteArray> seal(quint8 tag, QByteArrayView data);
    Result<QByteArrayView> verify(quint8 tag, QByteArrayView segment);

    SessionKeys m_keys;
    QByteArray m_chainingValue;
    quint32 m_counter = 1;
    bool m_broken = false;
};

} // namespace simfleet::protocol
