#pragma once

#include "protocol/attestationmessage.h"
#include "protocol/der.h"
#include "protocol/esipa.h"
#include "protocol/ipaeuiccdata.h"

// The eIM packages and their results the ESipa tests, the asn1c interop sample and the fuzz
// seeds share: what simfleet's eIM sends (enable with rollback, disable, delete, list) and what
// an eUICC answers. Signatures are 64 fixed bytes: nothing here verifies them.
namespace simfleet::testing::esipa {

inline const QString eimId = QStringLiteral("eim.simfleet.example");
inline const QString eid = QStringLiteral("89049032000000000000000000000019");
inline const QString iccid = QStringLiteral("8999901000000000017");
inline const QString otherIccid = QStringLiteral("8999901000000000025");

inline QByteArray signature(char fill)
{
    return QByteArray(64, fill);
}

inline protocol::EuiccPackageRequest packageRequest()
{
    protocol::EuiccPackageRequest r;
    r.content.eimId = eimId;
    r.content.eid = eid;
    r.content.counterValue = 7;
    r.content.transactionId = QByteArray::fromHex("0102030405060708");
    protocol::ProfileInfoListRequest list;
    list.tagList = QByteArray::fromHex("5a9f70");
    r.content.psmos = { protocol::Psmo::enable(iccid, true), protocol::Psmo::disable(otherIccid), protocol::Psmo::remove(otherIccid),
                        protocol::Psmo::listProfiles(list) };
    r.eimSignature = signature('\x11');
    return r;
}

inline protocol::EuiccPackageResult packageResult()
{
    using protocol::EuiccResultData;
    protocol::EuiccPackageResultData data;
    data.eimId = eimId;
    data.counterValue = 7;
    data.transactionId = QByteArray::fromHex("0102030405060708");
    data.seqNumber = 12;
    protocol::ProfileInfo info;
    info.iccid = iccid;
    info.state = protocol::ProfileState::Enabled;
    EuiccResultData list;
    list.kind = EuiccResultData::Kind::ListProfileInfo;
    list.profiles = { info };
    data.results = { { EuiccResultData::Kind::Enable, 0, {}, false, {} },
                     { EuiccResultData::Kind::Disable, 0, {}, false, {} },
                     { EuiccResultData::Kind::Delete, 1, {}, false, {} },
                     list };
    protocol::EuiccPackageResult r;
    r.content = data;
    r.euiccSignature = signature('\x22');
    return r;
}

inline protocol::ProfileDownloadTriggerRequest downloadTrigger()
{
    return { QStringLiteral("LPA:1$smdp.nordtel.example$04386-AGYFT-A74Y8-3F815"), QByteArray::fromHex("a1a2a3") };
}

inline protocol::esipa::SimfleetEimPackage attestPackage()
{
    protocol::esipa::SimfleetEimPackage p;
    p.eimTransactionId = QByteArray::fromHex("b1b2");
    p.kind = protocol::esipa::SimfleetEimPackage::Kind::Attest;
    p.attestationRequest = protocol::AttestationRequest { QByteArray(32, '\x17') }.encode();
    return p;
}

inline protocol::esipa::SimfleetEimPackage attachPackage()
{
    protocol::esipa::SimfleetEimPackage p;
    p.eimTransactionId = QByteArray::fromHex("c1c2c3c4");
    p.kind = protocol::esipa::SimfleetEimPackage::Kind::Attach;
    p.rand = QByteArray::fromHex("23553cbe9637a89d218ae64dae47bf35"); // TS 35.208 test set 1
    p.autn = QByteArray::fromHex("55f328b43577b9b94a9ffac354dfafb3");
    return p;
}

inline protocol::esipa::SimfleetEimPackageResult attachReport()
{
    protocol::esipa::SimfleetEimPackageResult r;
    r.eimTransactionId = QByteArray::fromHex("c1c2c3c4");
    r.kind = protocol::esipa::SimfleetEimPackage::Kind::Attach;
    r.iccid = otherIccid;
    r.res = QByteArray::fromHex("a54211d5e3ba50bf");
    r.fellBack = true;
    r.detail = QStringLiteral("no coverage with 8999901000000000017: back on the profile enabled before");
    return r;
}

// What an eIM asks at a device's first check-in (SGP.32 section 2.11.1.2): both certificates,
// EUICCInfo1 and DeviceInfo, for the eUICC's signing CI key.
inline protocol::IpaEuiccDataRequest euiccDataRequest()
{
    protocol::IpaEuiccDataRequest r;
    r.tagList = QByteArray::fromHex("a5a6bf20a9");
    r.euiccCiPKId = QByteArray::fromHex("f54172bdf98a95d65cbeb88a38a1c11d800a85c3");
    return r;
}

// DeviceInfo under ipaEuiccData's [9]: tac [0], deviceCapabilities [1] with E-UTRAN (EPC)
// release 15 [5], as simfleet's CtxParams1 writes it.
inline QByteArray deviceInfo()
{
    using protocol::der::tlv;
    return tlv(0xA9, QByteArray(tlv(0x80, QByteArray::fromHex("35000000")) + tlv(0xA1, tlv(0x85, QByteArray::fromHex("0f0000")))));
}

// The shape of a Certificate (tbsCertificate, signatureAlgorithm, signatureValue), for codecs
// that do not verify it.
inline QByteArray certificateShape(char fill)
{
    using protocol::der::sequence;
    using protocol::der::tlv;
    return sequence(QByteArray(sequence(tlv(0x02, QByteArray(1, fill))) + sequence(protocol::der::objectIdentifier("1.2.840.10045.4.3.2"))
                               + tlv(0x03, QByteArray(QByteArray(1, '\0') + QByteArray(8, fill)))));
}

// The IPA's answer: the eUICC's certificates, EUICCInfo1 and one pending notification are given;
// the rest is the IPA's (its configuration, indirect download and the eIM's download data).
inline protocol::IpaEuiccData euiccData(const QByteArray &eumCertificate, const QByteArray &euiccCertificate,
                                        const QByteArray &euiccInfo1, const QByteArray &notification)
{
    using protocol::der::tlv;
    protocol::IpaEuiccData d;
    d.defaultSmdpAddress = QStringLiteral("smdp.nordtel.example");
    d.euiccInfo1 = euiccInfo1;
    d.rootSmdsAddress = QStringLiteral("lpa.ds.gsma.com");
    d.associationToken = 300;
    d.eumCertificate = eumCertificate;
    d.euiccCertificate = euiccCertificate;
    d.ipaCapabilities = tlv(0xA8, protocol::der::namedBits({ 1, 2 }, 0x80)); // indirect RSP, eIM download data
    d.deviceInfo = deviceInfo();
    if (!notification.isEmpty())
        d.notificationsList = tlv(0xBF2B, tlv(0xA0, notification)); // its notificationList [0]
    return d;
}

} // namespace simfleet::testing::esipa
