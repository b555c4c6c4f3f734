#include "activationcodeimport.h"
#include "csvreader.h"
#include "fleetlog.h"
#include "operatoronboarding.h"

#include "access/session.h"
#include "core/clock.h"
#include "crypto/sha256.h"
#include "identity/eid.h"
#include "identity/iccid.h"
#include "protocol/activationcode.h"
#include "store/auditlog.h"
#include "store/records.h"
#include "store/secretvault.h"
#include "store/sqlhelpers.h"
#include "store/storewriter.h"
#include "store/workspace.h"

#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonObject>
#include <QSet>
#include <QSqlError>
#include <QSqlQuery>

namespace simfleet::fleet {

namespace {

// Rows kept at most: a file of codes is one operator's batch, not a fleet's history.
constexpr qint64 maxRows = 1'000'000;

struct CodeRow
{
    qint64 line = 0;
    QString eid;
    QString iccid;
    protocol::ActivationCode code;
};

// The operator's recorded address HOST:PORT, and the same without ":443", which is how
// activation codes usually name a server on the HTTPS port (SGP.22 section 4.1: an FQDN).
bool sameServer(const QString &inCode, const QString &recorded)
{
    const QString r = recorded.toLower();
    return inCode == r || (r.endsWith(QStringLiteral(":443")) && inCode == r.chopped(4));
}

} // namespace

Result<ActivationCodeImportReport> ActivationCodeImport::importFile(store::Workspace &workspace, const access::Session &by,
                                                                    const QString &operatorName, const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    return import(workspace, by, operatorName, file, QFileInfo(path).fileName());
}

Result<ActivationCodeImportReport> ActivationCodeImport::import(store::Workspace &workspace, const access::Session &by,
                                                                const QString &operatorName, QIODevice &csv,
                                                                const QString &source)
{
    auto found = operatorToChange(workspace, by, operatorName, NeedsKey::Yes);
    if (!found)
        return found.error();
    const store::OperatorRecord op = found.value();
    if (op.profileServerAddress.isEmpty())
        return fail(QStringLiteral("%1's profile server is simfleet's own, which needs no activation codes; record the "
                                   "operator's own server first (operators set-profile-server %1 --address HOST:PORT --root FILE)")
                        .arg(op.name));

    ActivationCodeImportReport report;
    report.operatorName = op.name;
    CsvReader reader(&csv);
    QStringList fields;
    if (reader.next(fields) != CsvReader::Status::Record)
        return fail(reader.errorMessage().isEmpty() ? QStringLiteral("%1 is empty; give a CSV with the header iccid,activation_code[,eid]").arg(source)
                                                    : QStringLiteral("%1: %2").arg(source, reader.errorMessage()));
    QHash<QString, int> column;
    for (int i = 0; i < fields.size(); ++i)
        column.insert(fields.at(i).trimmed().toLower(), i);
    for (const char *required : { "iccid", "activation_code" }) {
        if (!column.contains(QLatin1StringView(required)))
            return fail(QStringLiteral("%1 has no column \"%2\"; its first line must name the columns iccid, activation_code "
                                       "and optionally eid")
                            .arg(source, QLatin1StringView(required)));
    }
    const int iccidAt = column.value(QStringLiteral("iccid")), codeAt = column.value(QStringLiteral("activation_code")),
              eidAt = column.value(QStringLiteral("eid"), -1);

    QList<CodeRow> rows;
    QSet<QString> iccidsInFile, eidsInFile;
    const auto issue = [&report](qint64 line, const char *field, QString message) {
        report.issues.append({ line, QString::fromLatin1(field), std::move(message) });
    };
    for (;;) {
        const CsvReader::Status status = reader.next(fields);
        if (status == CsvReader::Status::End)
            break;
        if (status == CsvReader::Status::Error)
            return fail(QStringLiteral("%1 line %2: %3; nothing was imported").arg(source).arg(reader.recordLine()).arg(reader.errorMessage()));
        if (++report.rowsRead > maxRows)
            return fail(QStringLiteral("%1 has more than %2 rows; split it").arg(source).arg(maxRows));
        const qint64 line = reader.recordLine();
        CodeRow row { line, {}, {}, {} };
        bool ok = true;
        auto iccid = identity::Iccid::parse(fields.value(iccidAt).trimmed());
        if (!iccid) {
            issue(line, "iccid", iccid.errorMessage());
            ok = false;
        } else if (iccidsInFile.contains(iccid->toString())) {
            issue(line, "iccid", QStringLiteral("ICCID %1 is in the file twice").arg(iccid->toString()));
            ok = false;
        } else {
            row.iccid = iccid->toString();
        }
        const QString eidText = eidAt >= 0 ? fields.value(eidAt).trimmed() : QString();
        if (!eidText.isEmpty()) {
            auto eid = identity::Eid::parse(eidText);
            if (!eid) {
                issue(line, "eid", eid.errorMessage());
                ok = false;
            } else if (eidsInFile.contains(eid->toString())) {
                issue(line, "eid", QStringLiteral("EID %1 has a code on an earlier line; one code per device").arg(eid->toString()));
                ok = false;
            } else {
                row.eid = eid->toString();
            }
        }
        auto code = protocol::ActivationCode::parse(fields.value(codeAt));
        if (!code) {
            issue(line, "activation_code", code.errorMessage());
            ok = false;
        } else if (code->confirmationCodeRequired) {
            issue(line, "activation_code",
                  QStringLiteral("the code needs a confirmation code, which a relayed download cannot give; ask %1 for codes "
                                 "without one")
                      .arg(op.name));
            ok = false;
        } else if (!sameServer(code->smdpAddress, op.profileServerAddress)) {
            issue(line, "activation_code",
                  QStringLiteral("the code is for the profile server %1, but %2's is %3; check the file is %2's, or record "
                                 "the server with operators set-profile-server")
                      .arg(code->smdpAddress, op.name, op.profileServerAddress));
            ok = false;
        } else {
            row.code = code.value();
        }
        if (!ok)
            continue;
        iccidsInFile.insert(row.iccid);
        if (!row.eid.isEmpty())
            eidsInFile.insert(row.eid);
        rows.append(std::move(row));
    }

    const QDateTime now = workspace.clock().now();
    const store::AuditAuthor author = by.author();
    const store::SecretVault &vault = workspace.vault();
    QByteArray digest; // of what was stored, for the audit entry: never the matching IDs themselves
    auto stored = workspace.writer().run([&](QSqlDatabase &db) -> Result<void> {
        QSqlQuery taken(db);
        taken.prepare(QStringLiteral("SELECT (SELECT count(*) FROM activation_code WHERE iccid = ?)"
                                     " + (SELECT count(*) FROM profile WHERE iccid = ?)"));
        QSqlQuery eidTaken(db);
        eidTaken.prepare(QStringLiteral("SELECT count(*) FROM activation_code WHERE operator_id = ? AND eid = ? AND profile_id IS NULL"));
        QSqlQuery insert(db);
        insert.prepare(QStringLiteral("INSERT INTO activation_code (operator_id, eid, iccid, smdp_address, imported_at)"
                                      " VALUES (?, ?, ?, ?, ?) RETURNING id"));
        QSqlQuery seal(db);
        seal.prepare(QStringLiteral("UPDATE activation_code SET matching_id_sealed = ? WHERE id = ?"));
        QStringList storedIccids;
        for (const CodeRow &row : std::as_const(rows)) {
            taken.addBindValue(row.iccid);
            taken.addBindValue(row.iccid);
            if (!taken.exec() || !taken.next())
                return fail(QStringLiteral("reading the workspace's ICCIDs failed: %1").arg(taken.lastError().text()));
            if (taken.value(0).toLongLong() > 0) {
                issue(row.line, "iccid",
                      QStringLiteral("ICCID %1 is known already (an earlier import or an issued profile)").arg(row.iccid));
                continue;
            }
            if (!row.eid.isEmpty()) {
                eidTaken.addBindValue(op.id);
                eidTaken.addBindValue(row.eid);
                if (!eidTaken.exec() || !eidTaken.next())
                    return fail(QStringLiteral("reading the workspace's codes failed: %1").arg(eidTaken.lastError().text()));
                if (eidTaken.value(0).toLongLong() > 0) {
                    issue(row.line, "eid", QStringLiteral("EID %1 has an unused code of %2 already").arg(row.eid, op.name));
                    continue;
                }
            }
            insert.addBindValue(op.id);
            insert.addBindValue(row.eid.isEmpty() ? QVariant() : QVariant(row.eid));
            insert.addBindValue(row.iccid);
            insert.addBindValue(row.code.smdpAddress);
            insert.addBindValue(storedTime(now));
            if (!insert.exec())
                return fail(QStringLiteral("storing activation codes failed: %1").arg(insert.lastError().text()));
            auto inserted = store::insertedId(insert);
            if (!inserted)
                return inserted.error();
            const qint64 id = inserted.value();
            auto sealed = vault.seal({ "activation_code", id, "matching_id_sealed" }, crypto::SecretBytes(row.code.matchingId.toUtf8()));
            if (!sealed)
                return sealed.error();
            seal.addBindValue(sealed.value());
            seal.addBindValue(id);
            if (!seal.exec())
                return fail(QStringLiteral("storing activation codes failed: %1").arg(seal.lastError().text()));
            storedIccids.append(row.iccid);
            ++report.imported;
            if (!row.eid.isEmpty())
                ++report.boundToDevices;
        }
        if (report.imported == 0)
            return {};
        digest = crypto::sha256(storedIccids.join(u'\n').toUtf8());
        return store::AuditLog::record(db, now, author, QStringLiteral("operator.activation-codes"),
                                       QStringLiteral("operator:%1").arg(op.name),
                                       { { QStringLiteral("source"), source },
                                         { QStringLiteral("imported"), report.imported },
                                         { QStringLiteral("bound_to_devices"), report.boundToDevices },
                                         { QStringLiteral("iccids_sha256"), QString::fromLatin1(digest.toHex()) } });
    });
    if (!stored) {
        report.imported = 0;
        return fail(stored.errorMessage() + QStringLiteral("; nothing was imported"));
    }
    std::sort(report.issues.begin(), report.issues.end(),
              [](const EnrollmentIssue &a, const EnrollmentIssue &b) { return a.line < b.line; });
    qCInfo(lcFleet) << "imported" << report.imported << "activation codes of" << op.name << "from" << source << "with"
                    << report.issues.size() << "rows refused";
    return report;
}

} // namespace simfleet::fleet
