#include "crypto/random.h"
#include "simulation/demoworkspace.h"
#include "store/campaignrepository.h"
#include "store/userrepository.h"
#include "store/devicerepository.h"
#include "store/operatorrepository.h"
#include "store/profilerepository.h"
#include "store/storewriter.h"
#include "store/workspace.h"
#include "teststore.h"

#include <QTemporaryDir>
#include <QTest>

using namespace simfleet;
using namespace simfleet::store;

// The repositories the provisioning, campaign and access services build on, against a real
// workspace: what they store comes back, constraints hold, secrets stay sealed.
class TestRepositories : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<Workspace> m_ws;
    QDateTime m_now = QDateTime::currentDateTimeUtc();

    template<typename F>
    Result<void> write(F f)
    {
        return m_ws->writer().run([&f](QSqlDatabase &db) -> Result<void> { return f(db); });
    }

private Q_SLOTS:
    void initTestCase()
    {
        auto ws = simulation::DemoWorkspace::create(test::newWorkspaceAddress(m_dir, QStringLiteral("r.simfleet")), nullptr, { 5, 0, 0 });
        QVERIFY2(ws.ok(), qPrintable(ws.errorMessage()));
        m_ws = std::move(ws).value();
    }
    void cleanupTestCase() { m_ws.reset(); }

    void profilesKeepSealedCredentials()
    {
        const qint64 deviceId = DeviceRepository(m_ws->database()).idsInFleet(1).value().first().first;
        const qint64 operatorId = OperatorRepository(m_ws->database()).list().value().first().id;
        const crypto::SecretBytes ki = crypto::randomSecret(16);
        qint64 profileId = 0;
        QVERIFY(write([&](QSqlDatabase &db) -> Result<void> {
                    ProfileRepository profiles(db);
                    auto id = profiles.insert({ 0, deviceId, operatorId, QStringLiteral("8946011000000000017"),
                                                QStringLiteral("001011000000001"), QStringLiteral("allocated") },
                                              m_now);
                    if (!id)
                        return id.error();
                    profileId = id.value();
                    auto kiSealed = m_ws->vault().seal({ "profile", profileId, "ki_sealed" }, ki);
                    auto opcSealed = m_ws->vault().seal({ "profile", profileId, "opc_sealed" }, ki);
                    return profiles.setSealedCredentials(profileId, kiSealed.value(), opcSealed.value());
                }).ok());
        ProfileRepository profiles(m_ws->database());
        const auto list = profiles.forDevice(deviceId).value();
        QCOMPARE(list.size(), 1);
        QCOMPARE(list.first().iccid, QStringLiteral("8946011000000000017"));
        const auto sealed = profiles.sealedCredentials(profileId).value();
        QVERIFY(!sealed.first.contains(ki.view()));
        QVERIFY(m_ws->vault().open({ "profile", profileId, "ki_sealed" }, sealed.first).value() == ki);

        QVERIFY(write([&](QSqlDatabase &db) { return ProfileRepository(db).setState(profileId, QStringLiteral("enabled"), m_now, LedgerCause::ofEvent(QStringLiteral("test"))); }).ok());
        QCOMPARE(profiles.forDevice(deviceId).value().first().state, QStringLiteral("enabled"));
        // An ICCID is never handed out twice; a state outside the life cycle is refused.
        QVERIFY(!write([&](QSqlDatabase &db) -> Result<void> {
                     auto id = ProfileRepository(db).insert({ 0, deviceId, operatorId, QStringLiteral("8946011000000000017"),
                                                              QStringLiteral("001011000000002"), QStringLiteral("allocated") },
                                                            m_now);
                     return id ? Result<void>() : Result<void>(id.error());
                 }).ok());
        QVERIFY(!write([&](QSqlDatabase &db) { return ProfileRepository(db).setState(profileId, QStringLiteral("borrowed"), m_now, LedgerCause::ofEvent(QStringLiteral("test"))); }).ok());
        // A profile for a device that does not exist is refused (foreign keys are on).
        QVERIFY(!write([&](QSqlDatabase &db) -> Result<void> {
                     auto id = ProfileRepository(db).insert({ 0, 999999, operatorId, QStringLiteral("8946011000000000025"),
                                                              QStringLiteral("001011000000003"), QStringLiteral("allocated") },
                                                            m_now);
                     return id ? Result<void>() : Result<void>(id.error());
                 }).ok());
    }

    void campaignsAndTheirItems()
    {
        const auto devices = DeviceRepository(m_ws->database()).idsInFleet(1).value();
        QList<qint64> ids;
        for (const auto &d : devices)
            ids.append(d.first);
        const qint64 target = OperatorRepository(m_ws->database()).list().value().last().id;
        qint64 campaignId = 0;
        QVERIFY(write([&](QSqlDatabase &db) -> Result<void> {
                    CampaignRepository campaigns(db);
                    auto id = campaigns.create({ 0, QStringLiteral("Move to Nordlink"), QStringLiteral("subscription-change"),
                                                 target, std::nullopt, QStringLiteral("draft"), {}, QStringLiteral("owner"), {}, {}, {} },
                                               m_now);
                    if (!id)
                        return id.error();
                    campaignId = id.value();
                    auto added = campaigns.addItems(campaignId, ids, QStringLiteral("pending"), m_now);
                    return added ? Result<void>() : Result<void>(added.error());
                }).ok());
        QVERIFY(write([&](QSqlDatabase &db) {
                    return CampaignRepository(db).setItemState(campaignId, ids.first(), QStringLiteral("failed"),
                                                               QStringLiteral("no coverage"), m_now);
                }).ok());
        CampaignRepository campaigns(m_ws->database());
        const auto counts = campaigns.countByState(campaignId).value();
        QCOMPARE(counts.value(QStringLiteral("pending")), ids.size() - 1);
        QCOMPARE(counts.value(QStringLiteral("failed")), 1);
        const auto failed = campaigns.items(campaignId, QStringLiteral("failed")).value();
        QCOMPARE(failed.size(), 1);
        QCOMPARE(failed.first().reason, QStringLiteral("no coverage"));
        QCOMPARE(campaigns.find(campaignId).value()->kind, QStringLiteral("subscription-change"));
        // A device is in a campaign once.
        QVERIFY(!write([&](QSqlDatabase &db) -> Result<void> {
                     auto added = CampaignRepository(db).addItems(campaignId, { ids.first() }, QStringLiteral("pending"), m_now);
                     return added ? Result<void>() : Result<void>(added.error());
                 }).ok());
        QVERIFY(!write([&](QSqlDatabase &db) {
                     return CampaignRepository(db).setItemState(campaignId, 999999, QStringLiteral("done"), {}, m_now);
                 }).ok());
    }

    static UserRecord user(const QString &name, const QString &role, std::optional<qint64> operatorId)
    {
        UserRecord u;
        u.name = name;
        u.role = role;
        u.operatorId = operatorId;
        u.passwordHash = QByteArray(32, 'h');
        u.passwordSalt = QByteArray(16, 's');
        return u;
    }

    void users()
    {
        const qint64 operatorId = OperatorRepository(m_ws->database()).list().value().first().id;
        QVERIFY(write([&](QSqlDatabase &db) -> Result<void> {
                    UserRepository users(db);
                    auto a = users.insert(user(QStringLiteral("alice"), QStringLiteral("administrator"), std::nullopt), m_now);
                    auto b = users.insert(user(QStringLiteral("bob"), QStringLiteral("operator-account-manager"), operatorId),
                                          m_now);
                    return a && b ? Result<void>() : fail(QStringLiteral("insert"));
                }).ok());
        UserRepository users(m_ws->database());
        QCOMPARE(users.list().value().size(), 2 + 7); // and the demo's seven
        QCOMPARE(users.findByName(QStringLiteral("bob")).value()->operatorId, std::optional<qint64>(operatorId));
        QVERIFY(!users.findByName(QStringLiteral("nobody")).value().has_value());
        QVERIFY(!write([&](QSqlDatabase &db) -> Result<void> {
                     auto r = UserRepository(db).insert(user(QStringLiteral("root"), QStringLiteral("superuser"), std::nullopt), m_now);
                     return r ? Result<void>() : Result<void>(r.error());
                 }).ok());
    }
};

QTEST_GUILESS_MAIN(TestRepositories)
#include "tst_repositories.moc"
