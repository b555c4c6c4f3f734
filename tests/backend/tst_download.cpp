// The profile package (TCA format) and the download protocol between a profile server and a
// secure element: the happy path, and every way a hostile or broken party is refused.
#include "crypto/certificate.h"
#include "crypto/chainverifier.h"
#include "crypto/demopki.h"
#include "crypto/eckey.h"
#include "identity/eid.h"
#include "protocol/boundprofilepackage.h"
#include "protocol/authenticateserver.h"
#include "protocol/euiccinfo.h"
#include "protocol/preparedownload.h"
#include "protocol/profileinstallationresult.h"
#include "crypto/ecdsa.h"
#include "protocol/securechannel.h"
#include "simulation/euiccsession.h"
#include "protocol/profilepackage.h"
#include "profiles/profileserver.h"

#include <QTest>

using namespace simfleet;
using namespace simfleet::profiles;
using namespace simfleet::protocol;
using namespace simfleet::simulation;

namespace {

crypto::SecretBytes hex(const char *text)
{
    return crypto::SecretBytes(QByteArray::fromHex(text));
}

// TS 35.208 test set 1 values: published, not anybody's subscription.
ProfileContent sampleProfile()
{
    ProfileContent p;
    p.iccid = QStringLiteral("8999901000000000017");
    p.imsi = QStringLiteral("001010123456789");
    p.ki = hex("465b5ce8b199b49faa5f0a2ee238a6bc");
    p.opc = hex("cd63cb71954a9f4e48a5994e37a02baf");
    p.serviceProviderName = QStringLiteral("Nordtel");
    return p;
}

struct Pki
{
    crypto::CertifiedKey ci;
    crypto::CertifiedKey eum;
    crypto::CertifiedKey server;
    QString eid;
    crypto::EcPrivateKey deviceKey;
    crypto::Certificate deviceCert;
};

Pki makePki(const QString &ciName = QStringLiteral("Test CI"))
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const crypto::Validity validity { now.addDays(-1), now.addYears(1) };
    Pki p;
    p.ci = crypto::demopki::createCertificateIssuer(ciName, validity).value();
    p.eum = crypto::demopki::createManufacturer(p.ci, QStringLiteral("Acme"), QStringLiteral("DE"), QStringLiteral("89049032"), validity).value();
    p.server = crypto::demopki::createProfileServer(p.ci, QStringLiteral("Nordtel"), QStringLiteral("SE"),
                                                    QStringLiteral("smdp.nordtel.example"), validity)
                   .value();
    const auto eid = identity::Eid::fromPayload(QStringLiteral("890490320000000000000000000001")).value();
    p.eid = eid.toString();
    p.deviceKey = crypto::EcPrivateKey::generate();
    p.deviceCert = crypto::demopki::certifyDevice(p.eum, eid, p.deviceKey.publicKey(), validity).value();
    return p;
}

crypto::ChainVerifier trusting(const crypto::Certificate &ci)
{
    crypto::ChainVerifier v;
    v.addTrustAnchor(ci);
    return v;
}

// What the device's eUICC reports before a download (EUICCInfo1): the CI it carries, which
// verifies servers and certified its manufacturer.
QByteArray euiccInfo1(const Pki &p)
{
    EuiccInfo1 info;
    info.ciKeyIdsForVerification = { p.ci.certificate.keyIdentifier() };
    info.ciKeyIdsForSigning = { p.eum.certificate.authorityKeyIdentifier() };
    return info.encode();
}

EuiccSession deviceSession(const Pki &p)
{
    return EuiccSession({ p.eid, p.deviceKey, { p.deviceCert.toDer(), p.eum.certificate.toDer() } });
}

DownloadOrder order(const Pki &p)
{
    DownloadOrder o;
    o.eid = p.eid;
    o.profile = sampleProfile();
    o.metadata.serviceProviderName = QStringLiteral("Nordtel");
    o.metadata.plmn = QStringLiteral("00101");
    return o;
}

// Runs the protocol up to the bound package (SGP.22 section 3.1.3: InitiateAuthentication,
// AuthenticateServer, AuthenticateClient, PrepareDownload, GetBoundProfilePackage); the caller
// may spoil any part before load().
struct Exchange
{
    Result<QByteArray> authenticated = fail({}); // the device's AuthenticateServerResponse
    Result<QByteArray> prepared = fail({});      // its PrepareDownloadResponse
    Result<QByteArray> bpp = fail({});
};

Exchange exchange(const Pki &p, EuiccSession &session, const ProfileServer &server, const crypto::ChainVerifier &deviceCi,
                  const DownloadOrder &o)
{
    Exchange e;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    DownloadSession state;
    auto request = server.initiateAuthentication(p.eid, session.challenge(), euiccInfo1(p), state);
    e.authenticated = session.authenticateServer(request.value(), deviceCi, now);
    if (!e.authenticated)
        return e;
    auto prepare = server.authenticateClient(e.authenticated.value(), state, now);
    if (!prepare) {
        e.prepared = prepare.error();
        return e;
    }
    e.prepared = session.prepareDownload(prepare.value(), deviceCi, now);
    if (e.prepared)
        e.bpp = server.getBoundProfilePackage(o, e.prepared.value(), state);
    return e;
}

Exchange exchange(const Pki &p, EuiccSession &session, const ProfileServer &server, const crypto::ChainVerifier &deviceCi)
{
    return exchange(p, session, server, deviceCi, order(p));
}

} // namespace

class TestDownload : public QObject
{
    Q_OBJECT

private slots:
    void efCodings()
    {
        // TS 31.102 section 4.2.2 example coding of IMSI 001010123456789.
        QCOMPARE(imsiToEfImsi(u"001010123456789").toHex(), QByteArray("080910101032547698"));
        QCOMPARE(imsiToEfImsi(u"00101012345678").toHex(), QByteArray("0801101010325476f8")); // even: F filler
        // TS 102 221 section 13.2: nibbles swapped, F after the 19th digit.
        QCOMPARE(iccidToEfIccid(u"8999901000000000017").toHex(), QByteArray("98990901000000001" "0f7"));
    }

    void packageRoundTrip()
    {
        const ProfileContent p = sampleProfile();
        auto package = encodeProfilePackage(p);
        QVERIFY2(package, qPrintable(package.errorMessage()));
        // Starts with the header PE [0] and its major version 3.
        QCOMPARE(package->view().first(2).toByteArray().at(0), char(0xA0));
        auto back = decodeProfilePackage(package->view());
        QVERIFY2(back, qPrintable(back.errorMessage()));
        QCOMPARE(back->iccid, p.iccid);
        QCOMPARE(back->imsi, p.imsi);
        QVERIFY(back->ki == p.ki);
        QVERIFY(back->opc == p.opc);
        QCOMPARE(back->serviceProviderName, QStringLiteral("Nordtel"));
        QVERIFY(!back->disableNotAllowed);
    }

    void packageRefusesBadInput_data()
    {
        QTest::addColumn<QByteArray>("package");
        const QByteArray good = encodeProfilePackage(sampleProfile()).value().view().toByteArray();
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("truncated") << good.left(good.size() - 3);
        QTest::newRow("trailing bytes") << good + QByteArray("\x30\x00", 2);
        QTest::newRow("huge length") << QByteArray::fromHex("a083ffffff00");
        QTest::newRow("indefinite length") << QByteArray::fromHex("a0800000");
        QByteArray noEnd = good;
        noEnd.chop(QByteArray::fromHex("aa05a003810103").size() + 2);
        QTest::newRow("no end") << noEnd;
        QByteArray version = good;
        version[version.indexOf(QByteArray::fromHex("800103"))+2] = 9;
        QTest::newRow("version 9") << version;
    }

    void packageRefusesBadInput()
    {
        QFETCH(QByteArray, package);
        QVERIFY(!decodeProfilePackage(package));
    }

    void packageRefusesBadIdentifiers()
    {
        ProfileContent p = sampleProfile();
        p.iccid = QStringLiteral("89999010000000000A7");
        QVERIFY(!encodeProfilePackage(p));
        p = sampleProfile();
        p.imsi = QStringLiteral("0010");
        QVERIFY(!encodeProfilePackage(p));
        p = sampleProfile();
        p.ki = crypto::SecretBytes(QByteArray(8, 1));
        QVERIFY(!encodeProfilePackage(p));
    }

    void downloadHappyPath()
    {
        const Pki p = makePki();
        const ProfileServer server(QStringLiteral("smdp.nordtel.example"), p.server, trusting(p.ci.certificate));
        EuiccSession session = deviceSession(p);
        auto e = exchange(p, session, server, trusting(p.ci.certificate));
        QVERIFY2(e.authenticated, qPrintable(e.authenticated.errorMessage()));
        QVERIFY2(e.prepared, qPrintable(e.prepared.errorMessage()));
        QVERIFY2(e.bpp, qPrintable(e.bpp.errorMessage()));
        // SGP.22 section 2.5.4: ConfigureISDP, StoreMetadata, the profile elements.
        auto bpp = BoundProfilePackage::decode(e.bpp.value());
        QVERIFY2(bpp, qPrintable(bpp.errorMessage()));
        QCOMPARE(bpp->configureIsdp.size(), 1);
        QCOMPARE(bpp->storeMetadata.size(), 1);
        QVERIFY(bpp->replaceSessionKeys.isEmpty());
        QVERIFY(!bpp->profileElements.isEmpty());
        // StoreMetadata travels in clear, MACed only: its service provider name reads as is,
        // while the profile elements carry no readable trace of the IMSI they hold.
        QVERIFY(bpp->storeMetadata.first().contains("Nordtel"));
        QVERIFY(bpp->storeMetadata.first().startsWith("\x88"));
        for (const QByteArray &segment : bpp->profileElements) {
            QVERIFY(segment.size() <= 1020);
            QVERIFY(!segment.contains(imsiToEfImsi(sampleProfile().imsi)));
        }
        auto loaded = session.load(e.bpp.value());
        QVERIFY2(loaded, qPrintable(loaded.errorMessage()));
        QCOMPARE(loaded->content.iccid, sampleProfile().iccid);
        QCOMPARE(loaded->metadata.plmn, QStringLiteral("00101"));
        QVERIFY(loaded->content.ki == sampleProfile().ki);
        // The session is spent: the same package does not load twice.
        QVERIFY(!session.load(e.bpp.value()));
    }

    void deviceRefusesServer_data()
    {
        QTest::addColumn<int>("attack");
        QTest::newRow("signature bit flipped") << 0;
        QTest::newRow("server of another issuer") << 1;
        QTest::newRow("manufacturer posing as server") << 2;
        QTest::newRow("replayed authentication") << 3;
        QTest::newRow("no certificate") << 4;
        QTest::newRow("PrepareDownload not signed by the binding key") << 5;
    }

    void deviceRefusesServer()
    {
        QFETCH(int, attack);
        const Pki p = makePki();
        EuiccSession session = deviceSession(p);
        DownloadSession state;
        QByteArray request;
        const ProfileServer server(QStringLiteral("smdp.nordtel.example"), p.server, trusting(p.ci.certificate));
        if (attack == 1) {
            const Pki other = makePki(QStringLiteral("Rogue CI"));
            const ProfileServer rogue(QStringLiteral("smdp.rogue.example"), other.server, trusting(other.ci.certificate));
            // The rogue server claims a CI the device does not carry (it ignores what EUICCInfo1 says).
            request = rogue.initiateAuthentication(p.eid, session.challenge(), euiccInfo1(other), state).value();
        } else if (attack == 2) {
            const ProfileServer impostor(QStringLiteral("smdp.acme.example"), p.eum, trusting(p.ci.certificate));
            request = impostor.initiateAuthentication(p.eid, session.challenge(), euiccInfo1(p), state).value();
        } else if (attack == 3) {
            const QByteArray old = server.initiateAuthentication(p.eid, session.challenge(), euiccInfo1(p), state).value();
            (void)session.challenge(); // a new session: the old request must not pass
            request = old;
        } else if (attack == 5) {
            // Authentication passes; PrepareDownload then comes with a spoiled binding signature.
            request = server.initiateAuthentication(p.eid, session.challenge(), euiccInfo1(p), state).value();
            auto answer = session.authenticateServer(request, trusting(p.ci.certificate), QDateTime::currentDateTimeUtc());
            QVERIFY(answer);
            auto prepare = PrepareDownloadRequest::decode(
                server.authenticateClient(answer.value(), state, QDateTime::currentDateTimeUtc()).value());
            QVERIFY(prepare);
            PrepareDownloadRequest spoiled = prepare.value();
            spoiled.smdpSignature2[3] = char(spoiled.smdpSignature2[3] ^ 0x01);
            auto refused = session.prepareDownload(spoiled.encode(), trusting(p.ci.certificate), QDateTime::currentDateTimeUtc());
            QVERIFY(!refused);
            QCOMPARE(refused.error().code, ErrorCode::ServerNotAuthenticated);
            QVERIFY(!session.load(QByteArray::fromHex("bf3600")));
            return;
        } else {
            auto decoded = AuthenticateServerRequest::decode(server.initiateAuthentication(p.eid, session.challenge(), euiccInfo1(p), state).value());
            QVERIFY(decoded);
            AuthenticateServerRequest spoiled = decoded.value();
            if (attack == 0)
                spoiled.serverSignature1[5] = char(spoiled.serverSignature1[5] ^ 0x01);
            else
                spoiled.serverCertificate.clear();
            request = spoiled.encode();
        }
        auto answer = session.authenticateServer(request, trusting(p.ci.certificate), QDateTime::currentDateTimeUtc());
        QVERIFY(!answer);
        QCOMPARE(answer.error().code, ErrorCode::ServerNotAuthenticated);
        // Nothing may load after a refused authentication.
        QVERIFY(!session.load(QByteArray::fromHex("bf3600")));
    }

    // ES9+.InitiateAuthentication (SGP.22 section 5.6.1): the server goes on only under a
    // certificate issuer the eUICC verifies with, and names one it signs under that the server
    // trusts as euiccCiPKIdToBeUsed.
    void serverPicksSharedIssuer_data()
    {
        QTest::addColumn<int>("variant");
        QTest::addColumn<int>("code"); // ErrorCode, None: goes on
        QTest::newRow("one CI, shared") << 0 << int(ErrorCode::None);
        QTest::newRow("two CIs to sign under, the shared one second") << 1 << int(ErrorCode::None);
        QTest::newRow("verifies with another CI only") << 2 << int(ErrorCode::ServerNotAuthenticated);
        QTest::newRow("signs under another CI only") << 3 << int(ErrorCode::DeviceNotAuthenticated);
        QTest::newRow("EUICCInfo1 malformed") << 4 << int(ErrorCode::DeviceNotAuthenticated);
    }

    void serverPicksSharedIssuer()
    {
        QFETCH(int, variant);
        QFETCH(int, code);
        const Pki p = makePki();
        const ProfileServer server(QStringLiteral("smdp.nordtel.example"), p.server, trusting(p.ci.certificate));
        const QByteArray ours = p.ci.certificate.keyIdentifier();
        const QByteArray foreign(20, '\x5a');
        EuiccInfo1 info;
        info.ciKeyIdsForVerification = { variant == 2 ? foreign : ours };
        info.ciKeyIdsForSigning = variant == 1 ? QList<QByteArray> { foreign, ours } : QList<QByteArray> { variant == 3 ? foreign : ours };
        const QByteArray bytes = variant == 4 ? info.encode().chopped(1) : info.encode();
        DownloadSession state;
        auto request = server.initiateAuthentication(p.eid, QByteArray(16, '\x01'), bytes, state);
        if (code != int(ErrorCode::None)) {
            QVERIFY(!request);
            QCOMPARE(int(request.error().code), code);
            if (variant == 2)
                QVERIFY2(request.errorMessage().contains(QString::fromLatin1(foreign.toHex())), qPrintable(request.errorMessage()));
            return;
        }
        QVERIFY2(request, qPrintable(request.errorMessage()));
        QCOMPARE(AuthenticateServerRequest::decode(request.value())->ciKeyId, ours);
    }

    void serverRefusesDevice_data()
    {
        QTest::addColumn<int>("attack");
        QTest::newRow("signature bit flipped") << 0;
        QTest::newRow("another device's answer") << 1;
        QTest::newRow("device of another issuer") << 2;
        QTest::newRow("one-time key not signed by the device") << 3;
    }

    void serverRefusesDevice()
    {
        QFETCH(int, attack);
        const Pki p = makePki();
        const ProfileServer server(QStringLiteral("smdp.nordtel.example"), p.server, trusting(p.ci.certificate));
        Pki deviceSide = p;
        if (attack == 2) {
            const Pki other = makePki(QStringLiteral("Rogue CI"));
            deviceSide.eum = other.eum;
            deviceSide.deviceCert = other.deviceCert;
            deviceSide.deviceKey = other.deviceKey;
        }
        EuiccSession session = deviceSession(deviceSide);
        const QDateTime now = QDateTime::currentDateTimeUtc();
        DownloadSession state;
        // Another device's answer: the server expected another EID.
        const QString expected = attack == 1 ? identity::Eid::fromPayload(QStringLiteral("890490320000000000000000000002")).value().toString()
                                             : p.eid;
        auto request = server.initiateAuthentication(expected, session.challenge(), euiccInfo1(p), state);
        auto device = session.authenticateServer(request.value(), trusting(p.ci.certificate), now);
        QVERIFY(device);
        QByteArray answer = device.value();
        if (attack == 0) {
            AuthenticateServerResponse spoiled = AuthenticateServerResponse::decode(answer).value();
            spoiled.euiccSignature1[7] = char(spoiled.euiccSignature1[7] ^ 0x10);
            answer = spoiled.encode();
        }
        auto prepare = server.authenticateClient(answer, state, now);
        if (attack <= 2) {
            QVERIFY(!prepare);
            QCOMPARE(prepare.error().code, ErrorCode::DeviceNotAuthenticated);
            return;
        }
        // The device's one-time key, its signature spoiled.
        QVERIFY(prepare);
        auto prepared = session.prepareDownload(prepare.value(), trusting(p.ci.certificate), now);
        QVERIFY(prepared);
        PrepareDownloadResponse spoiled = PrepareDownloadResponse::decode(prepared.value()).value();
        spoiled.euiccSignature2[9] = char(spoiled.euiccSignature2[9] ^ 0x01);
        auto bpp = server.getBoundProfilePackage(order(p), spoiled.encode(), state);
        QVERIFY(!bpp);
        QCOMPARE(bpp.error().code, ErrorCode::DeviceNotAuthenticated);
    }

    void deviceRefusesSpoiledPackage_data()
    {
        QTest::addColumn<int>("spoil");
        QTest::newRow("MAC bit flipped") << 0;
        QTest::newRow("ciphertext bit flipped") << 1;
        QTest::newRow("segments reordered") << 2;
        QTest::newRow("segment dropped") << 3;
        QTest::newRow("segment replayed") << 4;
        QTest::newRow("InitialiseSecureChannel of another session") << 5;
        QTest::newRow("truncated segment") << 6;
        QTest::newRow("StoreMetadata changed in clear") << 7;
        QTest::newRow("ConfigureISDP dropped") << 8;
    }

    void deviceRefusesSpoiledPackage()
    {
        QFETCH(int, spoil);
        const Pki p = makePki();
        ProfileServer server(QStringLiteral("smdp.nordtel.example"), p.server, trusting(p.ci.certificate));
        // Every kind of segment is spoiled in turn.
        EuiccSession session = deviceSession(p);
        DownloadOrder o = order(p);
        o.profile.profileType = QString(100, u'x');
        auto bound = exchange(p, session, server, trusting(p.ci.certificate), o).bpp;
        QVERIFY(bound);
        auto decoded = BoundProfilePackage::decode(bound.value());
        QVERIFY(decoded);
        BoundProfilePackage bpp = decoded.value();
        QList<QByteArray> &elements = bpp.profileElements;
        QVERIFY(!elements.isEmpty());
        switch (spoil) {
        case 0: elements[0][elements[0].size() - 1] = char(elements[0].back() ^ 1); break;
        case 1: elements[0][5] = char(elements[0][5] ^ 1); break;
        // Reordering, dropping and replaying inside one sequence: secureChannelChainsSegments.
        case 2: std::swap(bpp.storeMetadata[0], bpp.configureIsdp[0]); break;
        case 3: bpp.storeMetadata.clear(); break;
        case 4: elements.append(bpp.configureIsdp[0]); break;
        case 5: {
            // A second, honest session with the same device: its InitialiseSecureChannel spliced in.
            EuiccSession other = deviceSession(p);
            auto e = exchange(p, other, server, trusting(p.ci.certificate));
            bpp.initialiseSecureChannel = BoundProfilePackage::decode(e.bpp.value())->initialiseSecureChannel;
            break;
        }
        case 6: elements[0].chop(4); break;
        case 7: {
            QByteArray &metadata = bpp.storeMetadata[0];
            metadata.replace("Nordtel", "Nordtek");
            break;
        }
        case 8: bpp.configureIsdp.clear(); bpp.configureIsdp.append(elements.takeFirst()); break;
        }
        auto loaded = session.load(bpp.encode());
        QVERIFY(!loaded);
        QCOMPARE(loaded.error().code, ErrorCode::PackageRejected);
    }

    // SGP.22 section 2.6.4 against vectors computed outside simfleet, with the openssl command
    // line (kdf X963KDF, enc -aes-128-cbc, mac CMAC): shared secret 01..20, host ID "simfleet",
    // EID 89049032123451234512345678901235.
    void secureChannelVectors()
    {
        QByteArray secret;
        for (int i = 1; i <= 32; ++i)
            secret.append(char(i));
        auto keys = SessionKeys::derive(crypto::SecretBytes(secret), "simfleet",
                                        QByteArray::fromHex("89049032123451234512345678901235"));
        QVERIFY2(keys, qPrintable(keys.errorMessage()));
        QCOMPARE(keys->initialMacChainingValue.view().toByteArray().toHex(), QByteArray("01d5c3ab68fd989ca3bbc4c43c25d12a"));
        QCOMPARE(keys->sEnc.view().toByteArray().toHex(), QByteArray("52023b40e0d529b9a9c01662d4248fd2"));
        QCOMPARE(keys->sMac.view().toByteArray().toHex(), QByteArray("4041fe58ac84136741685e7cae040a29"));

        const QByteArray seg1 = QByteArray::fromHex("871883819459468c032e90fb7effd8749283b697f4c3005db9d2");
        const QByteArray seg2 = QByteArray::fromHex("880d68656c6c6f7d3a8476566ecd88");
        const QByteArray seg3 = QByteArray::fromHex("8618b400c2c8aa89a4a557e9fba8784130f551cc6d598a3cd896");
        SecureChannel server(keys.value());
        QCOMPARE(server.protect(0x87, QByteArray::fromHex("010203")).value(), QList<QByteArray> { seg1 });
        // MAC only: the data stays readable, and the block counter still moves on.
        QCOMPARE(server.macOnly(0x88, "hello").value(), QList<QByteArray> { seg2 });
        QCOMPARE(server.protect(0x86, QByteArray::fromHex("0a")).value(), QList<QByteArray> { seg3 });

        SecureChannel device(SessionKeys::derive(crypto::SecretBytes(secret), "simfleet",
                                                 QByteArray::fromHex("89049032123451234512345678901235"))
                                 .value());
        QCOMPARE(device.open(0x87, seg1).value().view().toByteArray(), QByteArray::fromHex("010203"));
        QCOMPARE(device.openMacOnly(0x88, seg2).value(), QByteArray("hello"));
        QCOMPARE(device.open(0x86, seg3).value().view().toByteArray(), QByteArray::fromHex("0a"));
    }

    // Segments within one sequence: the MAC chain refuses them reordered, dropped or replayed,
    // and a flipped MAC byte or an oversized segment stops the channel before anything opens.
    void secureChannelChainsSegments_data()
    {
        QTest::addColumn<int>("spoil");
        QTest::newRow("intact") << -1;
        QTest::newRow("reordered") << 0;
        QTest::newRow("dropped") << 1;
        QTest::newRow("replayed") << 2;
        QTest::newRow("MAC byte flipped") << 3;
        QTest::newRow("one byte over the limit") << 4;
    }

    void secureChannelChainsSegments()
    {
        QFETCH(int, spoil);
        const QByteArray secret(32, '\x42');
        const auto keys = [&] { return SessionKeys::derive(crypto::SecretBytes(secret), "host", QByteArray(16, '\x89')).value(); };
        QByteArray data(3 * SecureChannel::maxEncryptedData - 5, '\0');
        for (qsizetype i = 0; i < data.size(); ++i)
            data[i] = char(i * 7);
        SecureChannel server(keys());
        auto made = server.protect(0x86, data);
        QVERIFY(made);
        QList<QByteArray> segments = made.value();
        QCOMPARE(segments.size(), 3);
        QCOMPARE(segments.first().size(), SecureChannel::maxSegmentSize); // full, and never more
        switch (spoil) {
        case 0: segments.swapItemsAt(0, 1); break;
        case 1: segments.removeAt(1); break;
        case 2: segments.insert(1, segments.at(0)); break;
        case 3: segments[1][10] = char(segments[1][10] ^ 0x01); break;
        case 4: segments[0] = QByteArray::fromHex("868203f9") + QByteArray(1017, 'x'); break;
        }
        SecureChannel device(keys());
        QByteArray opened;
        bool refused = false;
        for (const QByteArray &segment : std::as_const(segments)) {
            auto plain = device.open(0x86, segment);
            if (!plain) {
                refused = true;
                if (spoil == 4)
                    QVERIFY2(plain.errorMessage().contains(QStringLiteral("over the limit of 1020")), qPrintable(plain.errorMessage()));
                break;
            }
            opened += plain->view().toByteArray();
        }
        QCOMPARE(refused, spoil >= 0);
        if (spoil < 0)
            QCOMPARE(opened, data);
        // After a refusal nothing more opens, not even the segment that was due.
        if (refused)
            QVERIFY(!device.open(0x86, segments.last()));
    }

    // ES9+.HandleNotification: the installation result counts only when the device of the
    // session signed it for this transaction; its error reasons map to the campaign's codes.
    void installationResultIsChecked_data()
    {
        QTest::addColumn<int>("spoil");
        QTest::addColumn<int>("code"); // ErrorCode, None for the ICCID
        QTest::newRow("success") << 0 << int(ErrorCode::None);
        QTest::newRow("signature bit flipped") << 1 << int(ErrorCode::PackageRejected);
        QTest::newRow("another transaction") << 2 << int(ErrorCode::PackageRejected);
        QTest::newRow("another ICCID") << 3 << int(ErrorCode::PackageRejected);
        QTest::newRow("ICCID already on the eUICC") << 4 << int(ErrorCode::AlreadyInstalled);
        QTest::newRow("no memory") << 5 << int(ErrorCode::NoMemory);
        QTest::newRow("signed by another device") << 6 << int(ErrorCode::PackageRejected);
    }

    void installationResultIsChecked()
    {
        QFETCH(int, spoil);
        QFETCH(int, code);
        const Pki p = makePki();
        const ProfileServer server(QStringLiteral("smdp.nordtel.example"), p.server, trusting(p.ci.certificate));
        DownloadSession state;
        state.eid = p.eid;
        state.transactionId = QByteArray(16, '\x42');
        state.deviceKey = p.deviceKey.publicKey();
        ProfileInstallationResult result;
        result.transactionId = spoil == 2 ? QByteArray(16, '\x43') : state.transactionId;
        result.sequenceNumber = 1;
        result.notificationAddress = QStringLiteral("smdp.nordtel.example");
        result.iccid = spoil == 3 ? QStringLiteral("8999901000000000025") : sampleProfile().iccid;
        result.serverOid = simfleetObjectIdentifier();
        result.isdpAid = QByteArray::fromHex("a0000005591010ffffffff8900001011");
        if (spoil == 4 || spoil == 5) {
            result.success = false;
            result.reason = spoil == 4 ? ProfileInstallationResult::ErrorReason::IccidAlreadyExists
                                       : ProfileInstallationResult::ErrorReason::InsufficientMemory;
        }
        const crypto::EcPrivateKey signer = spoil == 6 ? crypto::EcPrivateKey::generate() : p.deviceKey;
        result.signature = crypto::ecdsaSign(signer, result.resultData(), crypto::SignatureFormat::Raw).value();
        if (spoil == 1)
            result.signature[4] = char(result.signature[4] ^ 0x01);
        auto checked = server.checkInstallationResult(order(p), result.encode(), state);
        if (code == int(ErrorCode::None)) {
            QVERIFY2(checked, qPrintable(checked.errorMessage()));
            QCOMPARE(checked.value(), sampleProfile().iccid);
        } else {
            QVERIFY(!checked);
            QCOMPARE(int(checked.error().code), code);
        }
    }

    void interruptedLoadInstallsNothing()
    {
        const Pki p = makePki();
        const ProfileServer server(QStringLiteral("smdp.nordtel.example"), p.server, trusting(p.ci.certificate));
        EuiccSession session = deviceSession(p);
        auto e = exchange(p, session, server, trusting(p.ci.certificate));
        auto loaded = session.load(e.bpp.value(), [](int segment) { return segment == 2; });
        QVERIFY(!loaded);
        QCOMPARE(loaded.error().code, ErrorCode::DeviceRestarted);
        // A fresh session after the restart succeeds.
        auto again = exchange(p, session, server, trusting(p.ci.certificate));
        QVERIFY(session.load(again.bpp.value()));
    }
};

QTEST_GUILESS_MAIN(TestDownload)
#include "tst_download.moc"
