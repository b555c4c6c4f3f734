#include "core/clock.h"
#include "store/auditlog.h"
#include "store/storewriter.h"
#include "store/workspace.h"

#include <QSqlError>
#include <QSqlQuery>
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
        const QString path = m_dir.filePath(QStringLiteral("audit%1.simfleet").arg(++m_count));
        auto ws = Workspace::create(path, QStringLiteral("a"), "a long passphrase", &m_clock, { 1024, 8, 1 });
        QVERIFY(ws.ok());
        m_ws = std::move(ws).value();
        // Entry 1 is the workspace's creation; add four more.
        for (int i = 2; i <= 5; ++i) {
            m_clock.advance(60);
            const AuditEntry e { 0, m_clock.now(), QStringLiteral("alice"), QStringLiteral("enroll"),
                                 QStringLiteral("fleet:meters"), QStringLiteral("{\"accepted\":%1}").arg(i), {}, {} };
            QVERIFY(m_ws->writer().run([e](QSqlDatabase &db) -> Result<void> {
                auto seq = AuditLog::append(db, e);
                return seq ? Result<void>() : Result<void>(seq.error());
            }).ok());
        }
    }
    void cleanup() { m_ws.reset(); }

    void intactChainVerifies()
    {
        QSqlDatabase db = m_ws->database();
        const auto v = AuditLog::verify(db);
        QVERIFY(v.ok());
        QVERIFY(v->intact);
        QCOMPARE(v->entries, 5);
        const auto entries = AuditLog::list(db, 0, 10).value();
        QCOMPARE(entries.size(), 5);
        QCOMPARE(entries.at(1).previousHash, entries.at(0).hash);
        QCOMPARE(entries.at(4).at, m_clock.now());
        QCOMPARE(AuditLog::list(db, 3, 10).value().first().seq, 4);
    }

    void ordinaryChangesAreRefused()
    {
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
        QTest::newRow("details edited") << QStringList { QStringLiteral("UPDATE audit_entry SET details = '{}' WHERE seq = 3") }
                                        << qint64(3) << "entry 3 was changed after it was written";
        QTest::newRow("actor edited") << QStringList { QStringLiteral("UPDATE audit_entry SET actor = 'bob' WHERE seq = 1") }
                                      << qint64(1) << "entry 1 was changed after it was written";
        QTest::newRow("entry removed") << QStringList { QStringLiteral("DELETE FROM audit_entry WHERE seq = 2") }
                                       << qint64(2) << "entry 2 was removed";
        QTest::newRow("last entry removed") << QStringList { QStringLiteral("DELETE FROM audit_entry WHERE seq = 5") }
                                            << qint64(5) << "entries 5 to 5 were removed from the end of the log";
        QTest::newRow("removed and renumbered")
            << QStringList { QStringLiteral("DELETE FROM audit_entry WHERE seq = 2"),
                             QStringLiteral("UPDATE audit_entry SET seq = seq - 1 WHERE seq > 2") }
            << qint64(2) << "entry 2 does not follow entry 1: an entry before it was changed or removed";
        QTest::newRow("time moved") << QStringList { QStringLiteral("UPDATE audit_entry SET at = '2020-01-01T00:00:00.000Z' WHERE seq = 4") }
                                    << qint64(4) << "entry 4 was changed after it was written";
    }

    void tampering()
    {
        QFETCH(QStringList, statements);
        QFETCH(qint64, firstBad);
        QFETCH(QString, problem);
        QSqlQuery q(m_ws->database());
        QVERIFY(q.exec(QStringLiteral("DROP TRIGGER audit_entry_no_update")));
        QVERIFY(q.exec(QStringLiteral("DROP TRIGGER audit_entry_no_delete")));
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
        QVERIFY(q.exec(QStringLiteral("DROP TRIGGER audit_entry_no_update")));
        // Edit entry 3 and give it a correct hash of its own: entry 4 no longer follows it.
        AuditEntry forged = AuditLog::list(db, 2, 1).value().first();
        forged.details = QStringLiteral("{\"accepted\":0}");
        forged.hash = AuditLog::entryHash(forged);
        q.prepare(QStringLiteral("UPDATE audit_entry SET details = ?, hash = ? WHERE seq = 3"));
        q.addBindValue(forged.details);
        q.addBindValue(forged.hash);
        QVERIFY(q.exec());
        const auto v = AuditLog::verify(db).value();
        QVERIFY(!v.intact);
        QCOMPARE(v.firstBadEntry, 4);
    }

    // Jobs share a commit and some are rolled back after appending: the entries of the jobs that
    // succeeded still form one unbroken chain, and the head record names the last of them.
    void jobsRolledBackInsideACommitLeaveTheChainWhole()
    {
        const quint64 transactionsBefore = m_ws->writer().committedTransactions();
        std::vector<std::future<Result<void>>> done;
        int expected = 5;
        for (int i = 0; i < 300; ++i) {
            const bool fails = i % 3 == 1;
            const int entries = i % 5 == 0 ? 2 : 1;
            expected += fails ? 0 : entries;
            const AuditEntry e { 0, m_clock.now(), QStringLiteral("bob"), QStringLiteral("profile.change"),
                                 QStringLiteral("device:%1").arg(i), QStringLiteral("{}"), {}, {} };
            done.push_back(m_ws->writer().submit([e, fails, entries](QSqlDatabase &db) -> Result<void> {
                for (int n = 0; n < entries; ++n) {
                    if (auto seq = AuditLog::append(db, e); !seq)
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

private:
    QTemporaryDir m_dir;
    int m_count = 0;
    ManualClock m_clock { QDateTime(QDate(2026, 11, 1), QTime(9, 0), Qt::UTC) };
    std::unique_ptr<Workspace> m_ws;
};

QTEST_GUILESS_MAIN(TestAuditLog)
#include "tst_auditlog.moc"
