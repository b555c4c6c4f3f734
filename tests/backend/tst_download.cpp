// The profile package (TCA format) and the download protocol between a profile server and a
// secure element: the happy path, and every way a hostile or broken party is refused.
#include "crypto/certificate.h"
#include "crypto/chainverifier.h"
#include "crypto/demopki.h"
#include "crypto/eckey.h"
#include "identity/eid.h"
#include "protocol/downloadprotocol.h"
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

// Runs the protocol up to the bound package; the caller may spoil any part before load().
struct Exchange
{
    Result<DeviceAuthentication> device = fail({});
    Result<QList<QByteArray>> segments = fail({});
};

Exchange exchange(const Pki &p, EuiccSession &session, const ProfileServer &server, const crypto::ChainVerifier &deviceCi)
{
    Exchange e;
    QByteArray transaction, serverChallenge;
    auto request = server.authenticate(session.challenge(), &transaction, &serverChallenge);
    e.device = session.authenticateServer(request.value(), deviceCi, QDateTime::currentDateTimeUtc());
    if (e.device)
        e.segments = server.bind(order(p), e.device.value(), transaction, serverChallenge, QDateTime::currentDateTimeUtc());
    return e;
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
        QVERIFY2(e.device, qPrintable(e.device.errorMessage()));
        QVERIFY2(e.segments, qPrintable(e.segments.errorMessage()));
        QCOMPARE(e.segments->size(), 3); // ISC, metadata, one segment of profile elements
        auto loaded = session.load(e.segments.value());
        QVERIFY2(loaded, qPrintable(loaded.errorMessage()));
        QCOMPARE(loaded->content.iccid, sampleProfile().iccid);
        QCOMPARE(loaded->metadata.plmn, QStringLiteral("00101"));
        QVERIFY(loaded->content.ki == sampleProfile().ki);
        // The session is spent: the same package does not load twice.
        QVERIFY(!session.load(e.segments.value()));
    }

    void deviceRefusesServer_data()
    {
        QTest::addColumn<int>("attack");
        QTest::newRow("signature bit flipped") << 0;
        QTest::newRow("server of another issuer") << 1;
        QTest::newRow("manufacturer posing as server") << 2;
        QTest::newRow("replayed authentication") << 3;
        QTest::newRow("no certificate") << 4;
    }

    void deviceRefusesServer()
    {
        QFETCH(int, attack);
        const Pki p = makePki();
        EuiccSession session = deviceSession(p);
        QByteArray transaction, serverChallenge;
        ServerAuthentication request;
        if (attack == 1) {
            const Pki other = makePki(QStringLiteral("Rogue CI"));
            const ProfileServer rogue(QStringLiteral("smdp.rogue.example"), other.server, trusting(other.ci.certificate));
            request = rogue.authenticate(session.challenge(), &transaction, &serverChallenge).value();
        } else if (attack == 2) {
            const ProfileServer impostor(QStringLiteral("smdp.acme.example"), p.eum, trusting(p.ci.certificate));
            request = impostor.authenticate(session.challenge(), &transaction, &serverChallenge).value();
        } else if (attack == 3) {
            const ProfileServer server(QStringLiteral("smdp.nordtel.example"), p.server, trusting(p.ci.certificate));
            const ServerAuthentication old = server.authenticate(session.challenge(), &transaction, &serverChallenge).value();
            (void)session.challenge(); // a new session: the old answer must not pass
            request = old;
        } else {
            const ProfileServer server(QStringLiteral("smdp.nordtel.example"), p.server, trusting(p.ci.certificate));
            request = server.authenticate(session.challenge(), &transaction, &serverChallenge).value();
            if (attack == 0)
                request.serverSignature1[5] = char(request.serverSignature1[5] ^ 0x01);
            else
                request.serverCertificates.clear();
        }
        auto answer = session.authenticateServer(request, trusting(p.ci.certificate), QDateTime::currentDateTimeUtc());
        QVERIFY(!answer);
        QCOMPARE(answer.error().code, ErrorCode::ServerNotAuthenticated);
        // Nothing may load after a refused authentication.
        QVERIFY(!session.load({ QByteArray(3, 0), QByteArray(3, 0), QByteArray(3, 0) }));
    }

    void serverRefusesDevice_data()
    {
        QTest::addColumn<int>("attack");
        QTest::newRow("signature bit flipped") << 0;
        QTest::newRow("another device's answer") << 1;
        QTest::newRow("device of another issuer") << 2;
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
        QByteArray transaction, serverChallenge;
        auto request = server.authenticate(session.challenge(), &transaction, &serverChallenge);
        auto device = session.authenticateServer(request.value(), trusting(p.ci.certificate), QDateTime::currentDateTimeUtc());
        QVERIFY(device);
        DeviceAuthentication answer = device.value();
        DownloadOrder o = order(p);
        if (attack == 0)
            answer.euiccSignature1[7] = char(answer.euiccSignature1[7] ^ 0x10);
        if (attack == 1)
            o.eid = identity::Eid::fromPayload(QStringLiteral("890490320000000000000000000002")).value().toString();
        auto segments = server.bind(o, answer, transaction, serverChallenge, QDateTime::currentDateTimeUtc());
        QVERIFY(!segments);
        QCOMPARE(segments.error().code, ErrorCode::DeviceNotAuthenticated);
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
    }

    void deviceRefusesSpoiledPackage()
    {
        QFETCH(int, spoil);
        const Pki p = makePki();
        ProfileServer server(QStringLiteral("smdp.nordtel.example"), p.server, trusting(p.ci.certificate));
        // A profile big enough for several element segments, so there is an order to spoil.
        EuiccSession session = deviceSession(p);
        QByteArray transaction, serverChallenge;
        auto request = server.authenticate(session.challenge(), &transaction, &serverChallenge);
        auto device = session.authenticateServer(request.value(), trusting(p.ci.certificate), QDateTime::currentDateTimeUtc());
        QVERIFY(device);
        DownloadOrder o = order(p);
        o.profile.profileType = QString(100, u'x');
        auto bound = server.bind(o, device.value(), transaction, serverChallenge, QDateTime::currentDateTimeUtc());
        QVERIFY(bound);
        QList<QByteArray> segments = bound.value();
        QVERIFY(segments.size() >= 3);
        switch (spoil) {
        case 0: segments[2][segments[2].size() - 1] = char(segments[2].back() ^ 1); break;
        case 1: segments[2][5] = char(segments[2][5] ^ 1); break;
        case 2: std::swap(segments[1], segments[2]); break;
        case 3: segments.removeAt(2); segments.append(segments.last()); break;
        case 4: segments.insert(2, segments[1]); break;
        case 5: {
            // A second, honest session with the same device: its first segment spliced in.
            EuiccSession other = deviceSession(p);
            auto e = exchange(p, other, server, trusting(p.ci.certificate));
            segments[0] = e.segments->first();
            break;
        }
        case 6: segments[2].chop(4); break;
        }
        auto loaded = session.load(segments);
        QVERIFY(!loaded);
        QCOMPARE(loaded.error().code, ErrorCode::PackageRejected);
    }

    void interruptedLoadInstallsNothing()
    {
        const Pki p = makePki();
        const ProfileServer server(QStringLiteral("smdp.nordtel.example"), p.server, trusting(p.ci.certificate));
        EuiccSession session = deviceSession(p);
        auto e = exchange(p, session, server, trusting(p.ci.certificate));
        auto loaded = session.load(e.segments.value(), [](int segment) { return segment == 2; });
        QVERIFY(!loaded);
        QCOMPARE(loaded.error().code, ErrorCode::DeviceRestarted);
        // A fresh session after the restart succeeds.
        auto again = exchange(p, session, server, trusting(p.ci.certificate));
        QVERIFY(session.load(again.segments.value()));
    }
};

QTEST_GUILESS_MAIN(TestDownload)
#include "tst_download.moc"
