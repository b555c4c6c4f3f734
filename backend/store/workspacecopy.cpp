#include "workspacecopy.h"
#include "accessschema.h"
#include "auditlog.h"
#include "databaseconnection.h"
#include "schema.h"
#include "storelog.h"
#include "transaction.h"
#include "workspace.h"
#include "workspaceaddress.h"

#include <QFile>
#include <QFileInfo>
#include <QSet>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>

namespace simfleet::store {

namespace {

// Referenced tables before the tables that refer to them. A table the file holds and this list
// does not is refused, so a later migration cannot be left behind silently.
const QStringList tableOrder { QStringLiteral("workspace_setting"), QStringLiteral("workspace_key"), QStringLiteral("customer"),
                               QStringLiteral("operator"), QStringLiteral("fleet"), QStringLiteral("device"),
                               QStringLiteral("profile"), QStringLiteral("attestation_result"),
                               QStringLiteral("attestation_nonce"), QStringLiteral("certificate"), QStringLiteral("campaign"),
                               QStringLiteral("campaign_item"), QStringLiteral("app_user"), QStringLiteral("audit_entry"),
                               QStringLiteral("reference_value"), QStringLiteral("revocation_list"),
                               QStringLiteral("activation_code"), QStringLiteral("eim_identity"), QStringLiteral("eim_device"),
                               QStringLiteral("eim_package"), QStringLiteral("subscription_period"),
                               QStringLiteral("device_alert") };

Result<qint64> copyTable(QSqlDatabase &from, QSqlDatabase &to, const QString &table)
{
    QSqlQuery read(from);
    read.setForwardOnly(true);
    if (!read.exec(QStringLiteral("SELECT * FROM %1").arg(table)))
        return fail(QStringLiteral("reading %1 from the file failed: %2").arg(table, read.lastError().text()));
    const QSqlRecord record = read.record();
    QStringList columns, marks;
    for (int i = 0; i < record.count(); ++i) {
        columns << record.fieldName(i);
        marks << QStringLiteral("?");
    }
    QSqlQuery write(to);
    if (!write.prepare(QStringLiteral("INSERT INTO %1 (%2) VALUES (%3)")
                           .arg(table, columns.join(QStringLiteral(", ")), marks.join(QStringLiteral(", ")))))
        return fail(QStringLiteral("preparing %1 on the server failed: %2").arg(table, write.lastError().text()));
    qint64 rows = 0;
    while (read.next()) {
        for (int i = 0; i < record.count(); ++i)
            write.bindValue(i, read.value(i));
        if (!write.exec())
            return fail(QStringLiteral("copying %1 failed at its row %2: %3").arg(table).arg(rows + 1).arg(write.lastError().text()));
        ++rows;
    }
    // Identity keys go on after the highest id copied.
    if (record.contains(QStringLiteral("id"))) {
        QSqlQuery seq(to);
        if (!seq.exec(QStringLiteral("SELECT setval(pg_get_serial_sequence('%1', 'id'), coalesce((SELECT max(id) FROM %1), 0) + 1,"
                                     " false) WHERE pg_get_serial_sequence('%1', 'id') IS NOT NULL")
                          .arg(table)))
            return fail(QStringLiteral("continuing %1's ids failed: %2").arg(table, seq.lastError().text()));
    }
    return rows;
}

qint64 countRows(QSqlDatabase &db, const QString &table)
{
    QSqlQuery q(db);
    return q.exec(QStringLiteral("SELECT count(*) FROM %1").arg(table)) && q.next() ? q.value(0).toLongLong() : -1;
}

} // namespace

Result<WorkspaceCopyReport> WorkspaceCopy::toServer(const QString &fromFile, const QString &toAddress)
{
    auto target = WorkspaceAddress::parse(toAddress);
    if (!target)
        return target.error();
    if (!target->isPostgres())
        return fail(QStringLiteral("--to names a PostgreSQL database (postgresql://[USER@]HOST[:PORT]/DB), not a file: "
                                   "to copy a file, copy the file"));
    if (WorkspaceAddress::looksLikeUrl(fromFile) || !QFileInfo(fromFile).isFile())
        return fail(QStringLiteral("--from names a workspace file (PATH.simfleet); %1 is not one").arg(fromFile));

    auto source = DatabaseConnection::open(fromFile, DatabaseConnection::Mode::ReadOnly);
    if (!source)
        return source.error();
    QSqlDatabase from = source.value()->database();
    auto fromVersion = checkWorkspaceIdentity(from);
    if (!fromVersion)
        return fail(QStringLiteral("%1: %2").arg(fromFile, fromVersion.errorMessage()));
    if (fromVersion.value() != currentSchemaVersion())
        return fail(QStringLiteral("%1 is at schema %2; open it with this simfleet first, which upgrades it to %3, then copy it")
                        .arg(fromFile)
                        .arg(fromVersion.value())
                        .arg(currentSchemaVersion()));
    QSet<QString> fileTables;
    {
        QSqlQuery q(from);
        if (!q.exec(QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")))
            return fail(q.lastError().text());
        while (q.next())
            fileTables.insert(q.value(0).toString());
    }
    for (const QString &table : fileTables)
        if (!tableOrder.contains(table))
            return fail(QStringLiteral("%1 holds a table %2 this simfleet does not know how to copy").arg(fromFile, table));

    const QString where = target->toString();
    auto server = DatabaseConnection::open(where);
    if (!server)
        return server.error();
    QSqlDatabase to = server.value()->database();
    auto toVersion = checkWorkspaceIdentity(to);
    if (!toVersion)
        return fail(QStringLiteral("%1: %2").arg(where, toVersion.errorMessage()));
    if (toVersion.value() != 0)
        return fail(QStringLiteral("the database %1 is not empty; give an empty database to copy into").arg(target->database()));

    WorkspaceCopyReport report;
    const auto copied = [&]() -> Result<void> {
        if (auto version = migrate(to); !version)
            return version.error();
        // One snapshot of the file: what a running campaign writes meanwhile is either all in or
        // not at all.
        if (!from.transaction())
            return fail(QStringLiteral("reading %1 consistently failed: %2").arg(fromFile, from.lastError().text()));
        Transaction tx(to);
        if (auto ok = AccessSchema::install(to); !ok)
            return ok;
        for (const QString &table : tableOrder) {
            if (!fileTables.contains(table))
                continue;
            auto rows = copyTable(from, to, table);
            if (!rows)
                return rows.error();
            report.rows.insert(table, rows.value());
        }
        QSqlQuery users(from);
        if (!users.exec(QStringLiteral("SELECT name, role FROM app_user ORDER BY id")))
            return fail(users.lastError().text());
        while (users.next()) {
            if (auto ok = AccessSchema::createLogin(to, users.value(0).toString(), {}, users.value(1).toString()); !ok)
                return ok;
            report.users << users.value(0).toString();
        }
        from.rollback();
        for (auto it = report.rows.cbegin(); it != report.rows.cend(); ++it)
            if (countRows(to, it.key()) != it.value())
                return fail(QStringLiteral("the server holds %1 rows of %2 after the copy, the file %3")
                                .arg(countRows(to, it.key()))
                                .arg(it.key())
                                .arg(it.value()));
        auto verified = AuditLog::verify(to);
        if (!verified)
            return verified.error();
        if (!verified->intact)
            return fail(QStringLiteral("the copied audit log does not verify (%1); the file's own log may be damaged: "
                                       "simfleet-cli -w %2 audit verify")
                            .arg(verified->problem, fromFile));
        report.auditEntries = report.rows.value(QStringLiteral("audit_entry"));
        return tx.commit();
    }();
    if (!copied) {
        Workspace::discardOnServer(where);
        return copied.error();
    }
    // A demo keeps its passphrase in a key file beside it: the copy's goes where simfleet looks
    // for a shared workspace's (owner-only, as the original).
    if (QFileInfo::exists(Workspace::keyFilePath(fromFile))) {
        auto passphrase = readKeyFile(Workspace::keyFilePath(fromFile));
        if (passphrase) {
            QFile::remove(Workspace::keyFilePath(where));
            if (auto ok = writeKeyFile(Workspace::keyFilePath(where), passphrase->view()); !ok)
                qCWarning(lcStore) << "the demo's key file was not copied:" << ok.errorMessage();
        }
    }
    qCInfo(lcStore) << "copied" << fromFile << "to" << where;
    return report;
}

} // namespace simfleet::store
