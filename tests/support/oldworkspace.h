#pragma once

// Workspaces as older simfleet releases left them, for the upgrade's tests.

#include "core/clock.h"
#include "crypto/aes.h"
#include "crypto/kdf.h"
#include "crypto/random.h"
#include "store/auditlog.h"
#include "store/databaseconnection.h"
#include "store/schema.h"

#include <QSqlQuery>
#include <QVariant>

#include <string_view>
#include <tuple>

namespace simfleet::testing {

// Passwords: passphrase "the old passphrase"; ada (Administrator) "orchid tundra ballast", vic
// (Viewer) "quartz harbour lantern".
// A schema-5 workspace as simfleet 2026.10 wrote it: the passphrase's wrapped data key, an
// Administrator with a key slot, a Viewer, and the creation entry of a hash-chained log.
inline bool writeSchema5Workspace(const QString &path)
{
    auto connection = store::DatabaseConnection::open(path);
    if (!connection)
        return false;
    QSqlDatabase db = connection.value()->database();
    if (!store::migrate(db, 5))
        return false;
    const crypto::ScryptParameters cheap { 1024, 8, 1 };
    const crypto::SecretBytes dataKey = crypto::randomSecret(32);
    const QByteArray salt = crypto::randomBytes(16);
    const auto kek = crypto::scrypt("the old passphrase", salt, 32, cheap).value();
    QSqlQuery q(db);
    q.prepare(QStringLiteral("INSERT INTO workspace_key (id, kdf, salt, n, r, p, wrapped_data_key) VALUES (1, 'scrypt', ?, 1024, 8, 1, ?)"));
    q.addBindValue(salt);
    q.addBindValue(crypto::aesGcmSeal(kek.view(), dataKey.view(), "simfleet:workspace-data-key:v1").value());
    if (!q.exec())
        return false;
    for (const auto &[name, role, password] : { std::tuple { "ada", "administrator", "orchid tundra ballast" },
                                                std::tuple { "vic", "viewer", "quartz harbour lantern" } }) {
        const QByteArray userSalt = crypto::randomBytes(16);
        const auto derived = crypto::scrypt(password, userSalt, 64, cheap).value();
        q.prepare(QStringLiteral("INSERT INTO app_user (name, role, password_hash, password_salt, kdf_n, kdf_r, kdf_p,"
                                 " wrapped_data_key, created_at) VALUES (?, ?, ?, ?, 1024, 8, 1, ?, '2026-10-01T09:00:00.000Z')"));
        q.addBindValue(QString::fromLatin1(name));
        q.addBindValue(QString::fromLatin1(role));
        q.addBindValue(derived.view().first(32).toByteArray());
        q.addBindValue(userSalt);
        q.addBindValue(std::string_view(role) == "administrator"
                           ? QVariant(crypto::aesGcmSeal(derived.view().sliced(32), dataKey.view(), "simfleet:user-key-slot:v1").value())
                           : QVariant(QMetaType(QMetaType::QByteArray)));
        if (!q.exec())
            return false;
    }
    store::AuditEntry created;
    created.seq = 1;
    created.at = QDateTime(QDate(2026, 10, 1), QTime(9, 0), Qt::UTC);
    created.actor = QStringLiteral("owner");
    created.action = QStringLiteral("workspace.create");
    created.subject = QStringLiteral("workspace:Old utility");
    created.previousHash = QByteArray(32, '\0');
    created.hash = store::AuditLog::entryHash(created);
    q.prepare(QStringLiteral("INSERT INTO audit_entry (seq, at, actor, action, subject, details, previous_hash, hash)"
                             " VALUES (1, ?, 'owner', 'workspace.create', ?, '', ?, ?)"));
    q.addBindValue(storedTime(created.at));
    q.addBindValue(created.subject);
    q.addBindValue(created.previousHash);
    q.addBindValue(created.hash);
    return q.exec()
        && q.exec(QStringLiteral("INSERT INTO workspace_setting (key, value) VALUES ('name', 'Old utility'), ('demo', '0'),"
                                 " ('audit_head', '1:%1')")
                      .arg(QString::fromLatin1(created.hash.toHex())));
}

} // namespace simfleet::testing
