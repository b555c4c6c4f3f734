#include "access/accessservice.h"
#include "auditrewrite.h"
#include "core/clock.h"
#include "store/auditauthor.h"
#include "store/auditcheckpoint.h"
#include "store/auditlog.h"
#include "store/storewriter.h"
#include "store/workspace.h"

#include <QSqlError>
#include <QSqlQuery>
#include "teststore.h"

#include <QTemporaryDir>
#include <QTest>

#include <future>

using namespace simfleet;
using namespace simfleet::store;

class TestAuditLog : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        QVERIFY(m_dir.isValid());
        const QString path = test::newWorkspaceAddress(m_dir, QStringLiteral("audit%1.simfleet").arg(++m_count));
        auto ws = Workspace::create(path, QStringLiteral("a"), "a long passphrase", &m_clock, { 1024, 8, 1 });
        QVERIFY(ws.ok());
        m_ws = std::move(ws).value();
        // Entry 1 is the workspace's creation, 2 adds alice (signed by the owner, registering
        // alice's key), 3 is her login; she writes 4 to 7.
        access::AccessService access(*m_ws);
        access.setKeyDerivation({ 1024, 8, 1 });
        auto owner = access.ownerSession();
        QVERIFY(owner.ok());
        m_owner = owner->author();
        const auto added = access.addUser(owner.value(), { QStringLiteral("alice"), access::Role::Administrator, {}, alicePassword });
        QVERIFY2(added.ok(), qPrintable(added.errorMessage()));
        auto alice = access.login(QStringLiteral("alice"), alicePassword);
        QVERIFY(alice.ok());
        m_alice = alice->author();
        for (int i = 4; i <= 7; ++i) {
            m_clock.advance(60);
            append(m_alice, QStringLiteral("enroll"), QStringLiteral("{\"accepted\":%1}").arg(i));
        }
    }
    void cleanup() { m_ws.reset(); }

    void append(const AuditAuthor &author, const QString &action, const QString &details,
                AuditSigning signing = AuditSigning::Now)
    {
        AuditEntry e;
        e.at = m_clock.now();
        e.action = action;
        e.subject = QStringLiteral("fleet:meters");
        e.details = details;
        QVERIFY(m_ws->writer().run([&](QSqlDatabase &db) -> Result<void> {
            auto seq = AuditLog::append(db, e, author, signing);
            return seq ? Result<void>() : Result<void>(seq.error());
        }).ok());
    }

    AuditVerification verified(const AuditCheckpoint *against = nullptr)
    {
        QSqlDatabase db = m_ws->database();
        auto v = AuditLog::verify(db, against);
        if (!v)
            qFatal("verify failed: %s", qPrintable(v.errorMessage()));
        return v.value();
    }

    void intactChainVerifies()
    {
        QSqlDatabase db = m_ws->database();
        const auto v = AuditLog::verify(db);
        QVERIFY(v.ok());
        QVERIFY2(v->intact, qPrintable(v->problem));
        QCOMPARE(v->entries, 7);
        QCOMPARE(v->unsignedLegacyEntries, 0);
        const auto entries = AuditLog::list(db, 0, 10).value();
        QCOMPARE(entries.size(), 7);
        QCOMPARE(entries.at(1).previousHash, entries.at(0).hash);
        QCOMPARE(entries.at(6).at, m_clock.now());
        QCOMPARE(entries.at(6).actor, QStringLiteral("alice"));
        QCOMPARE(entries.at(6).signature.size(), 64);
        QCOMPARE(AuditLog::list(db, 3, 10).value().first().seq, 4);
        // The log registers both keys: the owner's in entry 1, alice's in the owner's entry 2.
        QCOMPARE(v->keys.value(QStringLiteral("owner")), m_owner.key.publicPoint());
        QCOMPARE(v->keys.value(QStringLiteral("alice")), m_alice.key.publicPoint());
    }

    // What an attacker who owns the store does first: drops SQLite's append-only triggers. On
    // PostgreSQL the owner role, which the tests connect as, may change the table anyway.
    static bool dropAppendOnlyGuard(QSqlQuery &q, bool updateOnly = false)
    {
        if (test::onPostgres())
            return true;
        return q.exec(QStringLiteral("DROP TRIGGER audit_entry_no_update"))
            && (updateOnly || q.exec(QStringLiteral("DROP TRIGGER audit_entry_no_delete")));
    }

    void ordinaryChangesAreRefused()
    {
        if (test::onPostgres())
            QSKIP("on PostgreSQL privileges refuse it to every role but the owner: tst_access_postgres");
        QSqlQuery q(m_ws->database());
        QVERIFY(!q.exec(QStringLiteral("UPDATE audit_entry SET actor = 'mallory' WHERE seq = 2")));
        QVERIFY(q.lastError().text().contains(QStringLiteral("append-only")));
        QVERIFY(!q.exec(QStringLiteral("DELETE FROM audit_entry WHERE seq = 2")));
    }

    // An attacker with the file drops the triggers first; the chain still tells.
    void tampering_data()
    {
        QTest::addColumn<QStringList>("statements");
        QTest::addColumn<qint64>("firstBad");
        QTest::addColumn<QString>("problem");
        QTest::newRow("details edited") << QStringList { QStringLiteral("UPDATE audit_entry SET details = '{}' WHERE seq = 5") }
                                        << qint64(5) << "entry 5 was changed after it was written";
        QTest::newRow("actor edited") << QStringList { QStringLiteral("UPDATE audit_entry SET actor = 'bob' WHERE seq = 1") }
                                      << qint64(1) << "entry 1 was changed after it was written";
        QTest::newRow("entry removed") << QStringList { QStringLiteral("DELETE FROM audit_entry WHERE seq = 5") }
                                       << qint64(5) << "entry 5 was removed";
        QTest::newRow("last entry removed") << QStringList { QStringLiteral("DELETE FROM audit_entry WHERE seq = 7") }
                                            << qint64(7) << "entries 7 to 7 were removed from the end of the log";
        QTest::newRow("removed and renumbered")
            << QStringList { QStringLiteral("DELETE FROM audit_entry WHERE seq = 5"),
                             QStringLiteral("UPDATE audit_entry SET seq = seq - 1 WHERE seq > 5") }
            << qint64(5) << "entry 5 does not follow entry 4: an entry before it was changed or removed";
        QTest::newRow("time moved") << QStringList { QStringLiteral("UPDATE audit_entry SET at = '2020-01-01T00:00:00.000Z' WHERE seq = 6") }
                                    << qint64(6) << "entry 6 was changed after it was written";
        QTest::newRow("signature removed") << QStringList { QStringLiteral("UPDATE audit_entry SET signature = NULL WHERE seq = 7") }
                                           << qint64(7) << "entry 7, by alice, carries no signature of alice: it may have "
                                                           "been changed or written by someone else";
        QTest::newRow("signature moved") << QStringList { QStringLiteral("UPDATE audit_entry SET signature = (SELECT signature FROM "
                                                                         "audit_entry WHERE seq = 4) WHERE seq = 5") }
                                         << qint64(5) << "entry 5 was changed after alice signed it, or alice did not sign it";
    }

    void tampering()
    {
        QFETCH(QStringList, statements);
        QFETCH(qint64, firstBad);
        QFETCH(QString, problem);
        QSqlQuery q(m_ws->database());
        QVERIFY(dropAppendOnlyGuard(q));
        for (const QString &sql : statements)
            QVERIFY2(q.exec(sql), qPrintable(q.lastError().text()));
        QSqlDatabase db = m_ws->database();
        const auto v = AuditLog::verify(db);
        QVERIFY(v.ok());
        QVERIFY(!v->intact);
        QCOMPARE(v->firstBadEntry, firstBad);
        QCOMPARE(v->problem, problem);
    }

    void rehashedEntryBreaksTheNextLink()
    {
        QSqlDatabase db = m_ws->database();
        QSqlQuery q(db);
        QVERIFY(dropAppendOnlyGuard(q, true));
        // Edit entry 5 and give it a correct hash of its own: alice's signature no longer
        // matches it (and entry 6 no longer follows it).
        AuditEntry forged = AuditLog::list(db, 4, 1).value().first();
        forged.details = QStringLiteral("{\"accepted\":0}");
        forged.hash = AuditLog::entryHash(forged);
        q.prepare(QStringLiteral("UPDATE audit_entry SET details = ?, hash = ? WHERE seq = 5"));
        q.addBindValue(forged.details);
        q.addBindValue(forged.hash);
        QVERIFY(q.exec());
        const auto v = AuditLog::verify(db).value();
        QVERIFY(!v.intact);
        QCOMPARE(v.firstBadEntry, 5);
        QCOMPARE(v.problem, QStringLiteral("entry 5 was changed after alice signed it, or alice did not sign it"));
    }

    // Jobs share a commit and some are rolled back after appending: the entries of the jobs that
    // succeeded still form one unbroken chain, and the head record names the last of them.
    void jobsRolledBackInsideACommitLeaveTheChainWhole()
    {
        const quint64 transactionsBefore = m_ws->writer().committedTransactions();
        std::vector<std::future<Result<void>>> done;
        int expected = 7;
        for (int i = 0; i < 300; ++i) {
            const bool fails = i % 3 == 1;
            const int entries = i % 5 == 0 ? 2 : 1;
            expected += fails ? 0 : entries;
            AuditEntry e;
            e.at = m_clock.now();
            e.action = QStringLiteral("profile.change");
            e.subject = QStringLiteral("device:%1").arg(i);
            e.details = QStringLiteral("{}");
            done.push_back(m_ws->writer().submit([e, fails, entries, author = m_alice](QSqlDatabase &db) -> Result<void> {
                for (int n = 0; n < entries; ++n) {
                    if (auto seq = AuditLog::append(db, e, author); !seq)
                        return seq.error();
                }
                return fails ? simfleet::fail(QStringLiteral("refused after writing")) : Result<void>();
            }));
        }
        for (std::size_t i = 0; i < done.size(); ++i)
            QCOMPARE(done[i].get().ok(), i % 3 != 1);
        // Fewer commits than jobs: failures were rolled back beside jobs that were kept.
        QVERIFY(m_ws->writer().committedTransactions() - transactionsBefore < 300);
        QSqlDatabase db = m_ws->database();
        const auto v = AuditLog::verify(db).value();
        QVERIFY2(v.intact, qPrintable(v.problem));
        QCOMPARE(v.entries, expected);
        const auto last = AuditLog::list(db, expected - 1, 1).value();
        QCOMPARE(last.size(), 1);
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("SELECT value FROM workspace_setting WHERE key = 'audit_head'")) && q.next());
        QCOMPARE(q.value(0).toString(), QStringLiteral("%1:%2").arg(expected).arg(QString::fromLatin1(last.first().hash.toHex())));
    }

    // The attacker holds alice's key (it is their own account) and rewrites the chain with the
    // owner's entries left as they were: every entry alice did not write gives it away.
    void rechainedRewritesAreFound_data()
    {
        QTest::addColumn<int>("edit");
        QTest::addColumn<qint64>("firstBad");
        // The owner's entry after hers (now entry 7) is the first alice cannot sign again.
        QTest::newRow("one of alice's entries removed, her later ones re-signed") << 0 << qint64(7);
        QTest::newRow("the owner's entry credited to alice") << 1 << qint64(2);
        QTest::newRow("a key registration of someone else's replaced") << 2 << qint64(2);
    }
    void rechainedRewritesAreFound()
    {
        QFETCH(int, edit);
        QFETCH(qint64, firstBad);
        // The owner adds an entry after alice's, so removing one of hers must re-sign the owner's.
        append(m_owner, QStringLiteral("operator.policy"), QStringLiteral("{}"));
        const crypto::EcPrivateKey forgedKey = crypto::EcPrivateKey::generate();
        QVERIFY(testing::rewriteAuditLog(
            m_ws->database(),
            [&](QList<AuditEntry> &log) {
                if (edit == 0)
                    log.removeAt(4);
                if (edit == 1)
                    log[1].actor = QStringLiteral("alice");
                if (edit == 2)
                    log[1].details = QStringLiteral("{\"key\":\"%1\",\"role\":\"administrator\"}")
                                         .arg(QString::fromLatin1(forgedKey.publicPoint().toHex()));
            },
            { { QStringLiteral("alice"), m_alice.key } }));
        const AuditVerification v = verified();
        QVERIFY(!v.intact);
        QCOMPARE(v.firstBadEntry, firstBad);
        QVERIFY2(v.problem.contains(QStringLiteral("signed")), qPrintable(v.problem));
    }

    void everyEntryRemovedIsFound()
    {
        QVERIFY(testing::rewriteAuditLog(m_ws->database(), [](QList<AuditEntry> &log) { log.clear(); }));
        const AuditVerification v = verified();
        QVERIFY(!v.intact);
        QCOMPARE(v.firstBadEntry, 1);
        QVERIFY(v.problem.contains(QStringLiteral("empty")));
    }

    // A batch's entries rely on the next signature of the same author, nobody else's.
    void entriesSignedByALaterEntryOfTheirAuthor()
    {
        append(m_alice, QStringLiteral("profile.enable"), QStringLiteral("{}"), AuditSigning::ByNextEntry);
        append(m_alice, QStringLiteral("profile.enable"), QStringLiteral("{}"), AuditSigning::ByNextEntry);
        append(m_alice, QStringLiteral("profile.enable"), QStringLiteral("{}"));
        QVERIFY2(verified().intact, qPrintable(verified().problem));
        append(m_alice, QStringLiteral("profile.enable"), QStringLiteral("{}"), AuditSigning::ByNextEntry);
        AuditVerification v = verified();
        QVERIFY(!v.intact);
        QCOMPARE(v.firstBadEntry, 11);
        // The owner's signature does not cover alice's unsigned entry.
        append(m_owner, QStringLiteral("operator.policy"), QStringLiteral("{}"));
        v = verified();
        QVERIFY(!v.intact);
        QCOMPARE(v.firstBadEntry, 11);
        // An entry without a key is refused unless it is one nobody can vouch for.
        AuditEntry e;
        e.at = m_clock.now();
        e.action = QStringLiteral("enroll");
        const auto refused = m_ws->writer().run([&](QSqlDatabase &db) -> Result<void> {
            auto seq = AuditLog::append(db, e, AuditAuthor::unproven(QStringLiteral("mallory")));
            return seq ? Result<void>() : Result<void>(seq.error());
        });
        QVERIFY(!refused.ok());
    }

    void checkpointFindsEntriesCutFromTheEnd()
    {
        auto taken = AuditCheckpoint::take(QStringLiteral("a"), verified(), m_owner, m_clock.now());
        QVERIFY2(taken.ok(), qPrintable(taken.errorMessage()));
        auto kept = AuditCheckpoint::fromJson(taken->toJson());
        QVERIFY2(kept.ok(), qPrintable(kept.errorMessage()));
        QCOMPARE(kept->entries, 7);
        QVERIFY(verified(&kept.value()).intact);
        append(m_alice, QStringLiteral("enroll"), QStringLiteral("{}"));
        QVERIFY(verified(&kept.value()).intact); // later entries are fine

        // Cut entries 5 to 8 and re-chain: the shorter log is consistent in itself ...
        QVERIFY(testing::rewriteAuditLog(m_ws->database(), [](QList<AuditEntry> &log) { log.resize(4); }));
        QVERIFY(verified().intact);
        // ... but not with the checkpoint.
        const AuditVerification v = verified(&kept.value());
        QVERIFY(!v.intact);
        QCOMPARE(v.firstBadEntry, 5);
        QVERIFY2(v.problem.contains(QStringLiteral("entries 5 to 7 were removed")), qPrintable(v.problem));
    }

    void checkpointFindsALogForgedUnderNewKeys()
    {
        const AuditCheckpoint kept = AuditCheckpoint::take(QStringLiteral("a"), verified(), m_owner, m_clock.now()).value();
        // Everything written again under keys the forger made, from entry 1 on.
        const crypto::EcPrivateKey owner = crypto::EcPrivateKey::generate();
        QVERIFY(testing::rewriteAuditLog(
            m_ws->database(),
            [&](QList<AuditEntry> &log) {
                log[0].details = QStringLiteral("{\"key\":\"%1\"}").arg(QString::fromLatin1(owner.publicPoint().toHex()));
                log[1].details = QStringLiteral("{\"key\":\"%1\",\"role\":\"administrator\"}")
                                     .arg(QString::fromLatin1(m_alice.key.publicPoint().toHex()));
            },
            { { QStringLiteral("owner"), owner }, { QStringLiteral("alice"), m_alice.key } }));
        QVERIFY(verified().intact);
        const AuditVerification v = verified(&kept);
        QVERIFY(!v.intact);
        QCOMPARE(v.firstBadEntry, 1);
    }

    void alteredCheckpointIsRefused()
    {
        const AuditCheckpoint kept = AuditCheckpoint::take(QStringLiteral("a"), verified(), m_alice, m_clock.now()).value();
        QByteArray json = kept.toJson();
        json.replace("\"entries\": 7", "\"entries\": 4");
        const auto refused = AuditCheckpoint::fromJson(json);
        QVERIFY(!refused.ok());
        QVERIFY2(refused.errorMessage().contains(QStringLiteral("signature does not match")), qPrintable(refused.errorMessage()));
        QVERIFY(!AuditCheckpoint::fromJson("not json").ok());
        // Nobody vouches for a broken log.
        QSqlQuery q(m_ws->database());
        QVERIFY(dropAppendOnlyGuard(q, true));
        QVERIFY(q.exec(QStringLiteral("UPDATE audit_entry SET details = '{}' WHERE seq = 5")));
        QVERIFY(!AuditCheckpoint::take(QStringLiteral("a"), verified(), m_alice, m_clock.now()).ok());
    }

private:
    static constexpr char alicePassword[] = "ledger wombat cinnamon";
    AuditAuthor m_owner;
    AuditAuthor m_alice;
    QTemporaryDir m_dir;
    int m_count = 0;
    ManualClock m_clock { QDateTime(QDate(2026, 11, 1), QTime(9, 0), Qt::UTC) };
    std::unique_ptr<Workspace> m_ws;
};

QTEST_GUILESS_MAIN(TestAuditLog)
#include "tst_auditlog.moc"
