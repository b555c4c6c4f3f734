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

// The cluster the fixture started; nothing when this run is not on PostgreSQL.
inline std::optional<TestServer> testServer()
{
    if (!onPostgres())
        return std::nullopt;
    const QString dir = qEnvironmentVariable("SIMFLEET_TEST_POSTGRES");
    QFile server(dir + QStringLiteral("/server"));
    QFile password(dir + QStringLiteral("/password"));
    if (dir.isEmpty() || !server.open(QIODevice::ReadOnly) || !password.open(QIODevice::ReadOnly))
        qFatal("SIMFLEET_TEST_STORE=postgres, but no cluster in SIMFLEET_TEST_POSTGRES=%s (tests/tools/postgres_cluster.sh "
               "start DIR)",
               qPrintable(dir));
    return TestServer { QString::fromUtf8(server.readAll().trimmed()), password.readAll().trimmed() };
}

// Runs one statement as the cluster's superuser on `database`.
inline bool asSuperuser(const QString &database, const QString &sql, QString *error = nullptr)
{
    const auto server = testServer();
    if (!server)
        return false;
    static QAtomicInteger<int> counter;
    const QString name = QStringLiteral("test-superuser-%1").arg(counter.fetchAndAddRelaxed(1));
    bool ok = false;
    {
        const QUrl url(server->url);
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
        db.setHostName(url.host());
        db.setPort(url.port());
        db.setUserName(url.userName());
        db.setPassword(QString::fromUtf8(server->password));
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

// Where a test puts a new workspace called `name`: a file in `dir`, or on PostgreSQL a new,
// empty database (the cluster's superuser, its password given to this process).
inline QString newWorkspaceAddress(const QTemporaryDir &dir, const QString &name)
{
    const auto server = testServer();
    if (!server)
        return dir.filePath(name);
    QString base = name.section(u'.', 0, 0).toLower();
    base.replace(QRegularExpression(QStringLiteral("[^a-z0-9_]")), QStringLiteral("_"));
    const QString database = QStringLiteral("t_%1_%2").arg(base.left(30),
                                                          QUuid::createUuid().toString(QUuid::Id128).left(12));
    QString error;
    if (!asSuperuser(QStringLiteral("postgres"), QStringLiteral("CREATE DATABASE %1").arg(database), &error))
        qFatal("cannot create the test database %s: %s", qPrintable(database), qPrintable(error));
    const QString url = server->url + u'/' + database;
    auto address = store::WorkspaceAddress::parse(url);
    if (!address)
        qFatal("%s", qPrintable(address.errorMessage()));
    store::ServerPasswords::remember(*address, crypto::SecretBytes(server->password));
    return address->toString();
}

// The workspace as a user other than the one who made it names it on the command line (-u).
inline QString withoutUser(const QString &workspace)
{
    if (!onPostgres())
        return workspace;
    return QUrl(workspace).adjusted(QUrl::RemoveUserInfo).toString();
}

} // namespace simfleet::test
