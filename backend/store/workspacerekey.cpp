#include "workspacerekey.h"
#include "auditlog.h"
#include "secretvault.h"
#include "sqlhelpers.h"
#include "storelog.h"
#include "storewriter.h"
#include "workspace.h"

#include "core/clock.h"
#include "crypto/eckey.h"

#include <QJsonObject>
#include <QSqlError>
#include <QSqlQuery>

namespace simfleet::store {

namespace {

// Every sealed column, bound to its row's id (SecretVault's associated data).
struct SealedColumn
{
    const char *table;
    const char *column;
};
constexpr SealedColumn sealedColumns[] = {
    { "operator", "op_sealed" },
    { "operator", "profile_template_sealed" },
    { "certificate", "private_key_sealed" },
    { "profile", "ki_sealed" },
    { "profile", "opc_sealed" },
    { "activation_code", "matching_id_sealed" },
    { "eim_identity", "private_key_sealed" },
};

// Seals again, under the next key, the column's secrets after `afterId` still under the current
// one; at most `limit` rows looked at (0: all). Returns the last id looked at (0: none left).
Result<qint64> resealBatch(QSqlDatabase &db, const SecretVault &vault, const SealedColumn &c, qint64 afterId, int limit,
                           WorkspaceRekey::Progress &progress)
{
    QSqlQuery q(db);
    q.setForwardOnly(true);
    QString sql = QStringLiteral("SELECT id, %1 FROM %2 WHERE id > ? AND %1 IS NOT NULL ORDER BY id")
                      .arg(QLatin1StringView(c.column), QLatin1StringView(c.table));
    if (limit > 0)
        sql += QStringLiteral(" LIMIT %1").arg(limit);
    if (auto ok = execute(q, sql, { afterId }, "reading the sealed secrets"); !ok)
        return ok.error();
    QList<std::pair<qint64, QByteArray>> rows;
    while (q.next())
        rows.append({ q.value(0).toLongLong(), q.value(1).toByteArray() });
    q.finish();
    qint64 last = 0;
    for (const auto &[id, sealed] : rows) {
        last = id;
        if (sealed.isEmpty()) // a profile row between its insert and its credentials
            continue;
        const SealedField field { c.table, id, c.column };
        if (vault.opensUnderNextKey(field, sealed)) {
            ++progress.alreadyUnderNewKey;
            continue;
        }
        auto plain = vault.open(field, sealed);
        if (!plain)
            return fail(QStringLiteral("the secret in %1.%2 of row %3 opens under neither key: it was changed; nothing more "
                                       "was sealed again")
                            .arg(QLatin1StringView(c.table), QLatin1StringView(c.column))
                            .arg(id));
        auto resealed = vault.seal(field, plain.value());
        if (!resealed)
            return resealed.error();
        QSqlQuery u(db);
        if (auto ok = execute(u, QStringLiteral("UPDATE %1 SET %2 = ? WHERE id = ?").arg(QLatin1StringView(c.table),
                                                                                         QLatin1StringView(c.column)),
                              { resealed.value(), id }, "sealing a secret again");
            !ok)
            return ok.error();
        ++progress.resealed;
    }
    return last;
}

} // namespace

Result<WorkspaceRekey::Outcome> WorkspaceRekey::run(Workspace &workspace, QByteArrayView passphrase, const AuditAuthor &author,
                                                    Options options)
{
    Outcome outcome;
    // The key chosen, stored under the passphrase and under the current key, before any secret
    // moves; a resumed rekey gets the same key back.
    std::optional<SecretVault> vault;
    if (auto begun = workspace.writer().run([&](QSqlDatabase &db) -> Result<void> {
            QSqlQuery q(db);
            if (!q.exec(QStringLiteral("SELECT rekey_next_key IS NOT NULL FROM workspace_key WHERE id = 1")) || !q.next())
                return fail(QStringLiteral("reading the workspace key failed: %1").arg(q.lastError().text()));
            outcome.resumed = q.value(0).toBool();
            q.finish();
            auto opened = SecretVault::beginRekey(db, passphrase);
            if (!opened)
                return opened.error();
            vault = std::move(opened).value();
            if (outcome.resumed)
                return {};
            return AuditLog::record(db, workspace.clock().now(), author, QStringLiteral("workspace.rekey-start"),
                                    QStringLiteral("workspace"), QJsonObject {});
        });
        !begun)
        return begun.error();
    // This process's own vault seals under the new key from now on too.
    workspace.unlockWith(*vault);

    for (const SealedColumn &c : sealedColumns) {
        qint64 after = 0;
        for (;;) {
            qint64 last = 0;
            auto batch = workspace.writer().run([&](QSqlDatabase &db) -> Result<void> {
                auto done = resealBatch(db, *vault, c, after, options.batch, outcome.progress);
                if (!done)
                    return done.error();
                last = done.value();
                return {};
            });
            if (!batch)
                return batch.error();
            if (last == 0)
                break;
            after = last;
            if (options.keepGoing && !options.keepGoing(outcome.progress))
                return outcome; // stopped: resumed by the next run
        }
    }

    // The end, in one transaction: nothing left under the old key, users' slots pending, the
    // new key the workspace's.
    auto finished = workspace.writer().run([&](QSqlDatabase &db) -> Result<void> {
        Progress tail; // what another desktop sealed under the old key meanwhile
        for (const SealedColumn &c : sealedColumns) {
            auto rest = resealBatch(db, *vault, c, 0, 0, tail);
            if (!rest)
                return rest.error();
        }
        outcome.progress.resealed += tail.resealed;
        QSqlQuery q(db);
        if (!q.exec(QStringLiteral("SELECT id, signing_key FROM app_user WHERE wrapped_data_key IS NOT NULL OR pending_key_slot IS NOT NULL")))
            return fail(q.lastError().text());
        QList<std::pair<qint64, QByteArray>> users;
        while (q.next())
            users.append({ q.value(0).toLongLong(), q.value(1).toByteArray() });
        q.finish();
        for (const auto &[id, point] : users) {
            QVariant pending { QMetaType(QMetaType::QByteArray) }; // braces: clang reads parentheses as a function declaration
            if (auto key = crypto::EcPublicKey::fromUncompressedPoint(point); !point.isEmpty() && key) {
                auto sealed = vault->sealDataKeyTo(key.value());
                if (!sealed)
                    return sealed.error();
                pending = sealed.value();
                ++outcome.pendingSlots;
            } else {
                ++outcome.slotsWithoutKey;
            }
            QSqlQuery u(db);
            if (auto ok = execute(u, QStringLiteral("UPDATE app_user SET wrapped_data_key = NULL, pending_key_slot = ? WHERE id = ?"),
                                  { pending, id }, "giving users their new key slots");
                !ok)
                return ok;
        }
        if (auto ok = SecretVault::finishRekey(db, passphrase); !ok)
            return ok;
        return AuditLog::record(db, workspace.clock().now(), author, QStringLiteral("workspace.rekey"), QStringLiteral("workspace"),
                                QJsonObject { { QStringLiteral("resealed"), outcome.progress.resealed },
                                              { QStringLiteral("pending_key_slots"), outcome.pendingSlots },
                                              { QStringLiteral("slots_without_key"), outcome.slotsWithoutKey } });
    });
    if (!finished)
        return finished.error();
    if (auto ok = workspace.unlock(passphrase); !ok)
        return ok.error();
    outcome.finished = true;
    qCInfo(lcStore) << "rekeyed" << workspace.info().path << ":" << outcome.progress.resealed << "secrets sealed again";
    return outcome;
}

} // namespace simfleet::store
