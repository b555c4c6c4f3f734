#pragma once

// Which store a test's workspaces live in. By default a file in the test's temporary folder;
// with SIMFLEET_TEST_STORE=postgres (ctest's *_postgres runs of the store, access and campaign
// suites) a fresh database on the throw-away cluster tests/tools/postgres_cluster.sh started,
// whose folder SIMFLEET_TEST_POSTGRES names.

#include "crypto/secretbytes.h"
#include "store/serverpasswords.h"
#include "store/workspaceaddress.h"

#include <QAtomicInteger>
#include <QCoreApplication>
#include <QFile>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QUrl>
#include <QUuid>

#include <optional>

namespace simfleet::test {

inline bool onPostgres()
{
    return qEnvironmentVariable("SIMFLEET_TEST_STORE") == u"postgres";
}

struct TestServer
{
    QString url;      // postgresql://simfleet_root@127.0.0.1:PORT, the cluster's superuser
    QByteArray password;
};

// The cluster tests/tools/postgres_cluster.sh started in dir (its server and password files).
inline std::optional<TestServer> readTestServer(const QString &dir)
{
    QFile server(dir + QStringLiteral("/server"));
    QFile password(dir + QStringLiteral("/password"));
    if (dir.isEmpty() || !server.open(QIODevice::ReadOnly) || !password.open(QIODevice::ReadOnly))
        return std::nullopt;
    return TestServer { QString::fromUtf8(server.readAll().trimmed()), password.readAll().trimmed() };
}

// The cluster the fixture started; nothing when this run is not on PostgreSQL.
inline std::optional<TestServer> testServer()
{
    if (!onPostgres())
        return std::nullopt;
    const QString dir = qEnvironmentVariable("SIMFLEET_TEST_POSTGRES");
    auto server = readTestServer(dir);
    if (!server)
        qFatal("SIMFLEET_TEST_STORE=postgres, but no cluster in SIMFLEET_TEST_POSTGRES=%s (tests/tools/postgres_cluster.sh "
               "start DIR)",
               qPrintable(dir));
    return server;
}

// Runs one statement as the server's superuser on `database`.
inline bool asSuperuser(const TestServer &server, const QString &database, const QString &sql, QString *error = nullptr)
{
    static QAtomicInteger<int> counter;
    const QString name = QStringLiteral("test-superuser-%1").arg(counter.fetchAndAddRelaxed(1));
    bool ok = false;
    {
        const QUrl url(server.url);
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
        db.setHostName(url.host());
        db.setPort(url.port());
        db.setUserName(url.userName());
        db.setPassword(QString::fromUtf8(server.password));
        db.setDatabaseName(database);
        if (db.open()) {
            QSqlQuery q(db);
            ok = q.exec(sql);
            if (!ok && error)
                *error = q.lastError().text();
        } else if (error) {
            *error = db.lastError().text();
        }
    }
    QSqlDatabase::removeDatabase(name);
    return ok;
}

// The same on the fixture's cluster.
inline bool asSuperuser(const QString &database, const QString &sql, QString *error = nullptr)
{
    const auto server = testServer();
    return server && asSuperuser(*server, database, sql, error);
}

// A new, empty database on server; its workspace address as the superuser, whose password is
// given to this process.
inline QString newServerWorkspace(const TestServer &server, const QString &database)
{
    QString error;
    if (!asSuperuser(server, QStringLiteral("postgres"), QStringLiteral("CREATE DATABASE %1").arg(database), &error))
        qFatal("cannot create the test database %s: %s", qPrintable(database), qPrintable(error));
    auto address = store::WorkspaceAddress::parse(server.url + u'/' + database);
    if (!address)
        qFatal("%s", qPrintable(address.errorMessage()));
    store::ServerPasswords::remember(*address, crypto::SecretBytes(server.password));
    return address->toString();
}

// Where a test puts a new workspace called `name`: a file in `dir`, or on PostgreSQL a new,
// empty database.
inline QString newWorkspaceAddress(const QTemporaryDir &dir, const QString &name)
{
    const auto server = testServer();
    if (!server)
        return dir.filePath(name);
    QString base = name.section(u'.', 0, 0).toLower();
    base.replace(QRegularExpression(QStringLiteral("[^a-z0-9_]")), QStringLiteral("_"));
    return newServerWorkspace(*server, QStringLiteral("t_%1_%2").arg(base.left(30),
                                                                   QUuid::createUuid().toString(QUuid::Id128).left(12)));
}

// The workspace as a user other than the one who made it names it on the command line (-u).
inline QString withoutUser(const QString &workspace)
{
    if (!onPostgres())
        return workspace;
    return QUrl(workspace).adjusted(QUrl::RemoveUserInfo).toString();
}

} // namespace simfleet::test
