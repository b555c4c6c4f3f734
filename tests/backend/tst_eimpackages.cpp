// simfleet as its devices' eIM (SGP.32 section 2.11): the workspace's eIM identity, eUICC
// packages it signs under a counter it never hands out twice, a simulated eUICC that verifies and
// runs them (ES10b.LoadEuiccPackage), and the eIM checking what comes back. Then what a hostile
// or broken party might do: a package signed by another key or another eIM, for another eUICC,
// replayed, reordered, with a counter out of range, unreadable; a result for another package or
// with a spoilt signature. Each is refused with a reason and changes nothing on either side.
#include "crypto/chainverifier.h"
#include "crypto/demopki.h"
#include "crypto/secretbytes.h"
#include "eim/eimidentity.h"
#include "eim/euiccpackages.h"
#include "identity/eid.h"
#include "profiles/profileserver.h"
#include "protocol/eimpackage.h"
#include "simulation/simulatedfield.h"
#include "store/auditauthor.h"
#include "store/eimrepository.h"
#include "store/storewriter.h"
#include "store/workspace.h"

#include "acmemeter.h"
#include "sampleorder.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace simfleet;
using protocol::EuiccResultData;
using protocol::Psmo;

namespace {

const QString address = QStringLiteral("smdp.nordtel.example");
constexpr std::chrono::seconds patience(5);
constexpr char passphrase[] = "eim test passphrase";

store::AuditAuthor owner(const store::Workspace &workspace)
{
    return { QStringLiteral("owner"), workspace.vault().ownerKey() };
}

// A workspace with its eIM, and one simulated device configured with that eIM that holds the
// sample profile (disabled), downloaded from a profile server under the field's CI.
struct World
{
    QTemporaryDir dir;
    std::unique_ptr<store::Workspace> workspace;
    std::unique_ptr<eim::EuiccPackages> packages;
    std::unique_ptr<simulation::SimulatedField> field;
    crypto::Certificate euiccCertificate;
    QString eid;
    QString iccid;

    QString fieldPath() const { return dir.filePath(QStringLiteral("eim.field")); }
    simulation::SimulatedDevice &device() const { return *field->device(eid); }

    protocol::EuiccPackageRequest sign(const QList<Psmo> &psmos, const QString &forEid = {}) const
    {
        std::optional<protocol::EuiccPackageRequest> signedRequest;
        auto ok = workspace->writer().run([&](QSqlDatabase &db) -> Result<void> {
            auto r = packages->sign(db, forEid.isEmpty() ? eid : forEid, psmos);
            if (!r)
                return r.error();
            signedRequest = r.value();
            return {};
        });
        if (!ok)
            qFatal("signing failed: %s", qPrintable(ok.errorMessage()));
        return *signedRequest;
    }
    Result<eim::EuiccPackageOutcome> run(const protocol::EuiccPackageRequest &request) const
    {
        auto answer = device().loadEuiccPackage(request.encode());
        if (!answer)
            return answer.error();
        return packages->checkResult(request, answer.value(), euiccCertificate);
    }
    QStringList holdings() const
    {
        QStringList out;
        for (const devices::InstalledProfile &p : device().listProfiles().value())
            out.append(p.iccid + u':' + p.state);
        return out;
    }
};

std::unique_ptr<World> world()
{
    auto w = std::make_unique<World>();
    w->workspace = store::Workspace::create(w->dir.filePath(QStringLiteral("eim.simfleet")), QStringLiteral("eIM"), passphrase,
                                            nullptr, { 1024, 8, 1 })
                       .value();
    auto identity = eim::EimIdentity::ensure(*w->workspace, owner(*w->workspace));
    if (!identity)
        qFatal("%s", qPrintable(identity.errorMessage()));
    w->packages = std::make_unique<eim::EuiccPackages>(identity.value());

    const QDateTime now = QDateTime::currentDateTimeUtc();
    const crypto::Validity validity { now.addDays(-1), now.addYears(1) };
    auto ci = crypto::demopki::createCertificateIssuer(QStringLiteral("eIM test CI"), validity).value();
    auto eum = crypto::demopki::createManufacturer(ci, QStringLiteral("Acme"), QStringLiteral("DE"), QStringLiteral("89049032"), validity)
                   .value();
    auto server = crypto::demopki::createProfileServer(ci, QStringLiteral("Nordtel"), QStringLiteral("SE"), address, validity).value();
    w->eid = identity::Eid::fromPayload(QStringLiteral("890490320000000000000000000001")).value().toString();
    w->field = simulation::SimulatedField::create(w->fieldPath(), QByteArray(32, '\x2a'), ci.certificate,
                                                  { { QStringLiteral("Acme"), QStringLiteral("89049032"), 1, eum } },
                                                  { testing::acmeMeter(w->eid) })
                   .value();
    if (auto ok = w->field->associateEim(identity->eimId(), identity->publicKey().subjectPublicKeyInfo()); !ok)
        qFatal("%s", qPrintable(ok.errorMessage()));

    crypto::ChainVerifier trust;
    trust.addTrustAnchor(ci.certificate);
    const profiles::ProfileServer profileServer(address, server, trust);
    profiles::DownloadSession session;
    auto link = w->field->linkTo(w->eid);
    const profiles::DownloadOrder order = testing::sampleOrder(w->eid);
    auto installed = profileServer.download(*link, order, patience, now, &session);
    if (!installed)
        qFatal("%s", qPrintable(installed.errorMessage()));
    w->iccid = installed.value();
    w->euiccCertificate = session.euiccCertificate;
    return w;
}

} // namespace

class TestEimPackages : public QObject
{
    Q_OBJECT

private slots:
    void identityIsCreatedOnceAndSealed()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("identity.simfleet"));
        QString eimId;
        QByteArray publicKey;
        QByteArray pkcs8;
        {
            auto ws = store::Workspace::create(path, QStringLiteral("Identity"), passphrase, nullptr, { 1024, 8, 1 }).value();
            QVERIFY2(!eim::EimIdentity::ofWorkspace(*ws), "a new workspace has no eIM until one is made");
            auto first = eim::EimIdentity::ensure(*ws, owner(*ws));
            QVERIFY2(first, qPrintable(first.errorMessage()));
            auto second = eim::EimIdentity::ensure(*ws, owner(*ws));
            QVERIFY(second);
            QCOMPARE(second->eimId(), first->eimId());
            QCOMPARE(second->publicKey().subjectPublicKeyInfo(), first->publicKey().subjectPublicKeyInfo());
            QVERIFY(first->eimId().startsWith(QStringLiteral("simfleet-eim-")));
            eimId = first->eimId();
            publicKey = first->publicKey().subjectPublicKeyInfo();
            pkcs8 = first->key().toPkcs8().view().toByteArray();
        }
        // Reopened and unlocked: the same eIM; locked: none of its key.
        auto ws = store::Workspace::open(path).value();
        QVERIFY(!eim::EimIdentity::ofWorkspace(*ws));
        QVERIFY(ws->unlock(passphrase));
        auto again = eim::EimIdentity::ofWorkspace(*ws);
        QVERIFY2(again, qPrintable(again.errorMessage()));
        QCOMPARE(again->eimId(), eimId);
        QCOMPARE(again->publicKey().subjectPublicKeyInfo(), publicKey);
        // The key is sealed: its bytes appear nowhere in the file.
        ws.reset();
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        // The private scalar: the OCTET STRING of 32 bytes in the ECPrivateKey (RFC 5915).
        const qsizetype at = pkcs8.indexOf(QByteArray::fromHex("0420"));
        QVERIFY(at > 0);
        const QByteArray scalar = pkcs8.mid(at + 2, 32);
        QCOMPARE(scalar.size(), 32);
        QVERIFY(!file.readAll().contains(scalar));
    }

    void countersAreNeverHandedOutTwice()
    {
        auto w = world();
        QList<qint64> taken;
        for (const QString &eid : { w->eid, w->eid, QStringLiteral("89049032000000000000000000000099"), w->eid }) {
            QVERIFY(w->workspace->writer().run([&](QSqlDatabase &db) -> Result<void> {
                auto c = store::EimRepository(db).takeCounter(eid);
                if (!c)
                    return c.error();
                taken.append(c.value());
                return {};
            }));
        }
        QCOMPARE(taken, (QList<qint64> { 1, 2, 1, 3 }));
    }

    void devicesRunSignedPackages()
    {
        auto w = world();
        QCOMPARE(w->holdings(), QStringList { w->iccid + QStringLiteral(":disabled") });

        auto outcome = w->run(w->sign({ Psmo::enable(w->iccid), Psmo::listProfiles() }));
        QVERIFY2(outcome, qPrintable(outcome.errorMessage()));
        QCOMPARE(outcome->refusedWith, 0);
        QCOMPARE(outcome->results.size(), 2);
        QCOMPARE(outcome->results[0].kind, EuiccResultData::Kind::Enable);
        QCOMPARE(outcome->results[0].result, 0);
        QCOMPARE(outcome->results[1].kind, EuiccResultData::Kind::ListProfileInfo);
        QCOMPARE(outcome->results[1].profiles.size(), 1);
        QCOMPARE(outcome->results[1].profiles.first().iccid, w->iccid);
        QCOMPARE(outcome->results[1].profiles.first().state, protocol::ProfileState::Enabled);
        QVERIFY(outcome->seqNumber > 0);
        QCOMPARE(w->holdings(), QStringList { w->iccid + QStringLiteral(":enabled") });

        // A profile the device lacks: its code, and the PSMOs after it still run.
        outcome = w->run(w->sign({ Psmo::disable(QStringLiteral("8999901000000000991")), Psmo::disable(w->iccid),
                                   Psmo::remove(w->iccid) }));
        QVERIFY2(outcome, qPrintable(outcome.errorMessage()));
        QCOMPARE(outcome->results.size(), 3);
        QCOMPARE(outcome->results[0].result, 1); // iccidOrAidNotFound
        QCOMPARE(outcome->results[1].result, 0);
        QCOMPARE(outcome->results[2].result, 0);
        QVERIFY(w->holdings().isEmpty());
    }

    void replayedAndReorderedPackagesChangeNothing()
    {
        auto w = world();
        const auto enable = w->sign({ Psmo::enable(w->iccid) });
        const auto disable = w->sign({ Psmo::disable(w->iccid) });
        QVERIFY(disable.content.counterValue > enable.content.counterValue);

        // The later package first: it runs. The earlier one, arriving after it, is refused.
        auto outcome = w->run(disable);
        QVERIFY2(outcome, qPrintable(outcome.errorMessage()));
        QCOMPARE(outcome->results.first().result, 2); // profileNotInEnabledState: it was disabled
        outcome = w->run(enable);
        QVERIFY2(outcome, qPrintable(outcome.errorMessage()));
        QCOMPARE(outcome->refusedWith, int(protocol::EuiccPackageErrorData::ReplayError));
        QVERIFY(outcome->results.isEmpty());
        QCOMPARE(w->holdings(), QStringList { w->iccid + QStringLiteral(":disabled") });

        // A package run once and delivered again, as a duplicated poll would.
        const auto again = w->sign({ Psmo::enable(w->iccid) });
        QCOMPARE(w->run(again)->refusedWith, 0);
        QCOMPARE(w->run(again)->refusedWith, int(protocol::EuiccPackageErrorData::ReplayError));
        QCOMPARE(w->holdings(), QStringList { w->iccid + QStringLiteral(":enabled") });

        // The eUICC remembers across a restart (its flash): the package is still refused.
        const qint64 last = again.content.counterValue;
        w->field.reset();
        w->field = simulation::SimulatedField::open(w->fieldPath()).value();
        QCOMPARE(w->device().memory().eimCounters.value(w->packages->identity().eimId()), last);
        QCOMPARE(w->run(again)->refusedWith, int(protocol::EuiccPackageErrorData::ReplayError));
        // And the eIM keeps counting where it stopped.
        QCOMPARE(w->sign({ Psmo::listProfiles() }).content.counterValue, last + 1);
    }

    void hostilePackagesAreRefused()
    {
        auto w = world();
        const QStringList before = w->holdings();
        const QString eimId = w->packages->identity().eimId();
        const auto counters = [&] { return w->device().memory().eimCounters.value(eimId); };

        // Signed by a key that is not the eIM's (an eIM of another workspace, same eimId): the
        // eUICC cannot verify it and says so unsigned.
        QTemporaryDir other;
        auto otherWs = store::Workspace::create(other.filePath(QStringLiteral("o.simfleet")), QStringLiteral("Other"), passphrase,
                                                nullptr, { 1024, 8, 1 })
                           .value();
        auto impostor = eim::EimIdentity::ensure(*otherWs, owner(*otherWs), eimId).value();
        const eim::EuiccPackages forged(impostor);
        auto outcome = w->run(forged.signWithCounter(w->eid, 100, { Psmo::enable(w->iccid) }).value());
        QVERIFY(!outcome);
        QVERIFY2(outcome.errorMessage().contains(QStringLiteral("unsigned error")), qPrintable(outcome.errorMessage()));

        // An eIM the eUICC does not know at all.
        QTemporaryDir third;
        auto thirdWs = store::Workspace::create(third.filePath(QStringLiteral("t.simfleet")), QStringLiteral("Third"), passphrase,
                                                nullptr, { 1024, 8, 1 })
                           .value();
        auto stranger = eim::EimIdentity::ensure(*thirdWs, owner(*thirdWs));
        QVERIFY(stranger);
        QVERIFY(stranger->eimId() != eimId);
        QVERIFY(!w->run(eim::EuiccPackages(stranger.value()).signWithCounter(w->eid, 100, { Psmo::enable(w->iccid) }).value()));

        // The eIM's genuine package with its signature spoilt on the way.
        auto spoilt = w->sign({ Psmo::enable(w->iccid) });
        spoilt.eimSignature[5] = char(spoilt.eimSignature[5] ^ 0x20);
        QVERIFY(!w->run(spoilt));
        // Or its PSMO changed after signing.
        auto altered = w->sign({ Psmo::disable(w->iccid) });
        altered.content.psmos = { Psmo::remove(w->iccid) };
        QVERIFY(!w->run(altered));

        // Signed for another eUICC: refused, signed, as invalidEid.
        outcome = w->run(w->packages->signWithCounter(QStringLiteral("89049032000000000000000000000099"), 200, { Psmo::enable(w->iccid) }).value());
        QVERIFY2(outcome, qPrintable(outcome.errorMessage()));
        QCOMPARE(outcome->refusedWith, int(protocol::EuiccPackageErrorData::InvalidEid));

        // Counters out of range.
        for (const qint64 counter : { qint64(0), qint64(0x800000) }) {
            outcome = w->run(w->packages->signWithCounter(w->eid, counter, { Psmo::enable(w->iccid) }).value());
            QVERIFY2(outcome, qPrintable(outcome.errorMessage()));
            QCOMPARE(outcome->refusedWith, int(protocol::EuiccPackageErrorData::CounterValueOutOfRange));
        }

        // Bytes that are no package at all.
        QVERIFY(!w->device().loadEuiccPackage(QByteArray::fromHex("bf5103300100")));
        QVERIFY(!w->device().loadEuiccPackage(QByteArray(300, '\xbf')));

        QCOMPARE(w->holdings(), before);
        QCOMPARE(counters(), qint64(0));
    }

    void resultsForOtherPackagesAreRefused()
    {
        auto w = world();
        const auto first = w->sign({ Psmo::listProfiles() });
        const auto second = w->sign({ Psmo::listProfiles() });
        auto answer = w->device().loadEuiccPackage(first.encode());
        QVERIFY(answer);
        QVERIFY(w->packages->checkResult(first, answer.value(), w->euiccCertificate));
        // Passed off as the answer to the second package.
        auto wrong = w->packages->checkResult(second, answer.value(), w->euiccCertificate);
        QVERIFY(!wrong);
        QVERIFY2(wrong.errorMessage().contains(QStringLiteral("another eUICC package")), qPrintable(wrong.errorMessage()));
        // Its signature spoilt.
        auto result = protocol::EuiccPackageResult::decode(answer.value()).value();
        result.euiccSignature[7] = char(result.euiccSignature[7] ^ 0x01);
        auto spoilt = w->packages->checkResult(first, result.encode(), w->euiccCertificate);
        QVERIFY(!spoilt);
        QVERIFY2(spoilt.errorMessage().contains(QStringLiteral("not signed by its eUICC")), qPrintable(spoilt.errorMessage()));
        // Its content changed: the same.
        result = protocol::EuiccPackageResult::decode(answer.value()).value();
        std::get<protocol::EuiccPackageResultData>(result.content).results.clear();
        result.receivedSigned.clear();
        QVERIFY(!w->packages->checkResult(first, result.encode(), w->euiccCertificate));
        // Checked against another device's certificate.
        const QDateTime now = QDateTime::currentDateTimeUtc();
        auto ci = crypto::demopki::createCertificateIssuer(QStringLiteral("Other CI"), { now.addDays(-1), now.addDays(1) }).value();
        QVERIFY(!w->packages->checkResult(first, answer.value(), ci.certificate));
    }
};

QTEST_GUILESS_MAIN(TestEimPackages)
#include "tst_eimpackages.moc"
