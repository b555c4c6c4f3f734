#include "schema.h"
#include "accessschema.h"
#include "dialect.h"
#include "storelog.h"
#include "transaction.h"

#include <QScopeGuard>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>

namespace simfleet::store {

namespace {

struct Migration
{
    int version;
    const char *purpose;
    QStringList statements;
    // Rebuilds a table other tables refer to (SQLite cannot drop a NOT NULL in place): runs with
    // foreign key enforcement off and checks every reference before it commits, the procedure of
    // SQLite's "Making Other Kinds Of Table Schema Changes" (lang_altertable.html section 7).
    bool rebuildsReferencedTable = false;
    // What PostgreSQL runs instead, where SQLite's way does not carry over (a rebuild that
    // PostgreSQL does in place). Either list goes through postgresDdl() there.
    QStringList postgresInstead = {};
};

// Ordered; append only. A released migration is never edited.
const QList<Migration> &migrations()
{
    static const QList<Migration> list {
        { 1,
          "workspace identity",
          { QStringLiteral("CREATE TABLE workspace_setting (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL)") } },
        { 2,
          "fleets, operators, profiles, attestation, campaigns, users, audit log, sealed secrets",
          {
              // The data key, wrapped under a key derived from the workspace passphrase.
              QStringLiteral("CREATE TABLE workspace_key (id INTEGER PRIMARY KEY CHECK (id = 1),"
                             " kdf TEXT NOT NULL, salt BLOB NOT NULL, n INTEGER NOT NULL, r INTEGER NOT NULL,"
                             " p INTEGER NOT NULL, wrapped_data_key BLOB NOT NULL)"),
              QStringLiteral("CREATE TABLE customer (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
                             " use_case TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL)"),
              QStringLiteral("CREATE TABLE operator (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
                             " country TEXT NOT NULL, mcc TEXT NOT NULL, mnc TEXT NOT NULL,"
                             " msin_first INTEGER NOT NULL, msin_last INTEGER NOT NULL, msin_next INTEGER NOT NULL,"
                             " iccid_prefix TEXT NOT NULL, iccid_first INTEGER NOT NULL,"
                             " iccid_last INTEGER NOT NULL, iccid_next INTEGER NOT NULL, iccid_digits INTEGER NOT NULL,"
                             " op_sealed BLOB, attestation_max_age_s INTEGER NOT NULL DEFAULT 86400,"
                             " fallback_allowed INTEGER NOT NULL DEFAULT 1, created_at TEXT NOT NULL,"
                             " UNIQUE (mcc, mnc),"
                             " CHECK (msin_first <= msin_next AND msin_next <= msin_last + 1),"
                             " CHECK (iccid_first <= iccid_next AND iccid_next <= iccid_last + 1))"),
              QStringLiteral("CREATE TABLE fleet (id INTEGER PRIMARY KEY,"
                             " customer_id INTEGER NOT NULL REFERENCES customer(id),"
                             " name TEXT NOT NULL, home_operator_id INTEGER REFERENCES operator(id),"
                             " created_at TEXT NOT NULL, UNIQUE (customer_id, name))"),
              QStringLiteral("CREATE TABLE device (id INTEGER PRIMARY KEY, eid TEXT NOT NULL UNIQUE,"
                             " imei TEXT NOT NULL UNIQUE, serial TEXT NOT NULL, model TEXT NOT NULL,"
                             " secure_element TEXT NOT NULL"
                             "  CHECK (secure_element IN ('integrated-uicc', 'trusted-environment')),"
                             " label TEXT NOT NULL DEFAULT '', latitude REAL, longitude REAL,"
                             " fleet_id INTEGER NOT NULL REFERENCES fleet(id), enrolled_at TEXT NOT NULL)"),
              QStringLiteral("CREATE INDEX device_fleet ON device(fleet_id)"),
              QStringLiteral("CREATE TABLE profile (id INTEGER PRIMARY KEY,"
                             " device_id INTEGER NOT NULL REFERENCES device(id),"
                             " operator_id INTEGER NOT NULL REFERENCES operator(id),"
                             " iccid TEXT NOT NULL UNIQUE, imsi TEXT NOT NULL UNIQUE,"
                             " ki_sealed BLOB NOT NULL, opc_sealed BLOB NOT NULL,"
                             " state TEXT NOT NULL CHECK (state IN ('allocated', 'installed', 'enabled', 'disabled',"
                             "  'deleted')), created_at TEXT NOT NULL, updated_at TEXT NOT NULL)"),
              QStringLiteral("CREATE INDEX profile_device ON profile(device_id)"),
              QStringLiteral("CREATE INDEX profile_operator ON profile(operator_id, state)"),
              QStringLiteral("CREATE TABLE attestation_result (id INTEGER PRIMARY KEY,"
                             " device_id INTEGER NOT NULL REFERENCES device(id), nonce BLOB NOT NULL,"
                             " evidence BLOB, verdict TEXT NOT NULL"
                             "  CHECK (verdict IN ('affirming', 'warning', 'contraindicated', 'none')),"
                             " reason TEXT NOT NULL, verified_at TEXT NOT NULL)"),
              QStringLiteral("CREATE INDEX attestation_device ON attestation_result(device_id, verified_at)"),
              QStringLiteral("CREATE TABLE certificate (id INTEGER PRIMARY KEY, role TEXT NOT NULL"
                             "  CHECK (role IN ('certificate-issuer', 'manufacturer', 'profile-server')),"
                             " name TEXT NOT NULL, der BLOB NOT NULL, private_key_sealed BLOB,"
                             " operator_id INTEGER REFERENCES operator(id), eid_prefix TEXT,"
                             " not_after TEXT NOT NULL)"),
              QStringLiteral("CREATE TABLE campaign (id INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                             " kind TEXT NOT NULL CHECK (kind IN ('initial-provisioning', 'subscription-change')),"
                             " target_operator_id INTEGER NOT NULL REFERENCES operator(id),"
                             " new_customer_id INTEGER REFERENCES customer(id),"
                             " state TEXT NOT NULL, settings TEXT NOT NULL DEFAULT '{}',"
                             " created_by TEXT NOT NULL, created_at TEXT NOT NULL)"),
              QStringLiteral("CREATE TABLE campaign_item (id INTEGER PRIMARY KEY,"
                             " campaign_id INTEGER NOT NULL REFERENCES campaign(id),"
                             " device_id INTEGER NOT NULL REFERENCES device(id),"
                             " state TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '', updated_at TEXT NOT NULL,"
                             " UNIQUE (campaign_id, device_id))"),
              QStringLiteral("CREATE INDEX campaign_item_state ON campaign_item(campaign_id, state)"),
              QStringLiteral("CREATE TABLE app_user (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
                             " role TEXT NOT NULL CHECK (role IN ('administrator', 'operations',"
                             "  'operator-account-manager', 'viewer')),"
                             " operator_id INTEGER REFERENCES operator(id), password_hash BLOB NOT NULL,"
                             " password_salt BLOB NOT NULL, created_at TEXT NOT NULL)"),
              // Append-only and hash-chained; the triggers stop ordinary updates and deletes, the
              // chain detects anything that gets past them.
              QStringLiteral("CREATE TABLE audit_entry (seq INTEGER PRIMARY KEY, at TEXT NOT NULL,"
                             " actor TEXT NOT NULL, action TEXT NOT NULL, subject TEXT NOT NULL,"
                             " details TEXT NOT NULL, previous_hash BLOB NOT NULL, hash BLOB NOT NULL)"),
              QStringLiteral("CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry"
                             " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"),
              QStringLiteral("CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry"
                             " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"),
          } },
        { 3,
          "attestation: nonces, reference values, revocation lists, reason codes",
          {
              QStringLiteral("CREATE TABLE attestation_nonce (nonce BLOB PRIMARY KEY NOT NULL,"
                             " device_id INTEGER NOT NULL REFERENCES device(id), issued_at TEXT NOT NULL,"
                             " expires_at TEXT NOT NULL, used_at TEXT)"),
              QStringLiteral("CREATE INDEX attestation_nonce_device ON attestation_nonce(device_id)"),
              QStringLiteral("ALTER TABLE attestation_result ADD COLUMN reason_code TEXT NOT NULL DEFAULT ''"),
              // Known-good measurements per hardware model and software version (DESIGN.md
              // "Attestation"); a retired row marks a version that is no longer acceptable.
              QStringLiteral("CREATE TABLE reference_value (id INTEGER PRIMARY KEY, manufacturer TEXT NOT NULL,"
                             " hwmodel TEXT NOT NULL, swname TEXT NOT NULL, swversion TEXT NOT NULL,"
                             " measurements TEXT NOT NULL, added_at TEXT NOT NULL, retired_at TEXT,"
                             " UNIQUE (hwmodel, swversion))"),
              QStringLiteral("CREATE TABLE revocation_list (id INTEGER PRIMARY KEY, issuer TEXT NOT NULL,"
                             " der BLOB NOT NULL, this_update TEXT NOT NULL, next_update TEXT NOT NULL,"
                             " imported_at TEXT NOT NULL)"),
          } },
        { 4,
          "profiles and campaigns: operator disable policy, per-device campaign steps, campaign timing",
          {
              QStringLiteral("ALTER TABLE operator ADD COLUMN disable_allowed INTEGER NOT NULL DEFAULT 1"),
              QStringLiteral("ALTER TABLE campaign ADD COLUMN started_at TEXT"),
              QStringLiteral("ALTER TABLE campaign ADD COLUMN finished_at TEXT"),
              QStringLiteral("ALTER TABLE campaign ADD COLUMN note TEXT NOT NULL DEFAULT ''"),
              // The profile a device had when its step began, the one the campaign issued for
              // it, and how often a step was tried: what a resumed campaign needs to reconcile.
              QStringLiteral("ALTER TABLE campaign_item ADD COLUMN old_profile_id INTEGER REFERENCES profile(id)"),
              QStringLiteral("ALTER TABLE campaign_item ADD COLUMN new_profile_id INTEGER REFERENCES profile(id)"),
              QStringLiteral("ALTER TABLE campaign_item ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0"),
              QStringLiteral("CREATE INDEX profile_enabled ON profile(device_id) WHERE state = 'enabled'"),
          } },
        { 5,
          "users: key slots, failed logins; indexes for scoped queries",
          {
              // Each user's password derives, by scrypt with the user's own parameters, 32 bytes
              // stored as the password check and 32 that wrap a copy of the data key for the
              // roles that work with secrets (NULL for the others).
              QStringLiteral("ALTER TABLE app_user ADD COLUMN kdf_n INTEGER NOT NULL DEFAULT 32768"),
              QStringLiteral("ALTER TABLE app_user ADD COLUMN kdf_r INTEGER NOT NULL DEFAULT 8"),
              QStringLiteral("ALTER TABLE app_user ADD COLUMN kdf_p INTEGER NOT NULL DEFAULT 1"),
              QStringLiteral("ALTER TABLE app_user ADD COLUMN wrapped_data_key BLOB"),
              QStringLiteral("ALTER TABLE app_user ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0"),
              QStringLiteral("ALTER TABLE app_user ADD COLUMN locked_until TEXT"),
              QStringLiteral("ALTER TABLE app_user ADD COLUMN last_login_at TEXT"),
              QStringLiteral("CREATE INDEX fleet_home_operator ON fleet(home_operator_id)"),
              QStringLiteral("CREATE INDEX campaign_target_operator ON campaign(target_operator_id, state)"),
              QStringLiteral("CREATE INDEX campaign_item_device ON campaign_item(device_id)"),
          } },
        { 6,
          "audit log: entries signed by their authors; authors' signing keys",
          {
              // ECDSA P-256 over the entry's hash by its author (NULL for entries nobody can vouch
              // for, such as a failed login, and for entries a later signature of the same author
              // covers). Each author's public key is registered by a signed entry of the log itself.
              QStringLiteral("ALTER TABLE audit_entry ADD COLUMN signature BLOB"),
              // The user's signing key: public point, and private key wrapped under the key the
              // user's password derives (never under the data key, which other users hold).
              QStringLiteral("ALTER TABLE app_user ADD COLUMN signing_key BLOB"),
              QStringLiteral("ALTER TABLE app_user ADD COLUMN wrapped_signing_key BLOB"),
              // The owner's, wrapped under the key the workspace passphrase derives.
              QStringLiteral("ALTER TABLE workspace_key ADD COLUMN owner_signing_key BLOB"),
              QStringLiteral("ALTER TABLE workspace_key ADD COLUMN wrapped_owner_signing_key BLOB"),
          } },
        { 7,
          "reference values belong to the manufacturer that certified the device, with its oemid",
          {
              // A model name is a string any manufacturer's device can claim: reference values are
              // unique per manufacturer, model and version, and may name the oemid claim the
              // manufacturer's devices make. SQLite cannot change a UNIQUE constraint in place.
              QStringLiteral("CREATE TABLE reference_value_new (id INTEGER PRIMARY KEY, manufacturer TEXT NOT NULL,"
                             " hwmodel TEXT NOT NULL, swname TEXT NOT NULL, swversion TEXT NOT NULL,"
                             " measurements TEXT NOT NULL, added_at TEXT NOT NULL, retired_at TEXT, oemid INTEGER,"
                             " UNIQUE (manufacturer, hwmodel, swversion))"),
              QStringLiteral("INSERT INTO reference_value_new (id, manufacturer, hwmodel, swname, swversion, measurements,"
                             " added_at, retired_at) SELECT id, manufacturer, hwmodel, swname, swversion, measurements,"
                             " added_at, retired_at FROM reference_value"),
              QStringLiteral("DROP TABLE reference_value"),
              QStringLiteral("ALTER TABLE reference_value_new RENAME TO reference_value"),
          },
          false,
          {
              QStringLiteral("ALTER TABLE reference_value DROP CONSTRAINT reference_value_hwmodel_swversion_key"),
              QStringLiteral("ALTER TABLE reference_value ADD COLUMN oemid INTEGER"),
              QStringLiteral("ALTER TABLE reference_value ADD UNIQUE (manufacturer, hwmodel, swversion)"),
          } },
        { 8,
          "trusted certificate issuers and manufacturers can be retired",
          {
              // A retired certificate is kept (the audit log and old verdicts name it) but no
              // longer trusted; NULL while it is.
              QStringLiteral("ALTER TABLE certificate ADD COLUMN retired_at TEXT"),
          } },
        { 9,
          "operators onboarded by Administrators: service provider name, retirement, a remote profile server",
          {
              // Shown by the device as the network name; empty: the operator's name.
              QStringLiteral("ALTER TABLE operator ADD COLUMN spn TEXT NOT NULL DEFAULT ''"),
              // A retired operator keeps its row (profiles and the audit log name it) but takes no
              // new profiles.
              QStringLiteral("ALTER TABLE operator ADD COLUMN retired_at TEXT"),
              // An operator whose profile server runs elsewhere (reached over ES9+): its
              // address and the root its TLS and profile-server certificates chain to (DER).
              QStringLiteral("ALTER TABLE operator ADD COLUMN profile_server_address TEXT"),
              QStringLiteral("ALTER TABLE operator ADD COLUMN profile_server_root BLOB"),
          } },
        { 10,
          "operators' own profile templates",
          {
              // An unpersonalised profile package (TCA format) the operator handed over, sealed
              // bound to the row; NULL: simfleet's built-in template.
              QStringLiteral("ALTER TABLE operator ADD COLUMN profile_template_sealed BLOB"),
          } },
        { 11,
          "profiles whose credentials an operator's own profile server holds; imported activation codes",
          {
              // A profile downloaded through an operator's profile server that runs elsewhere
              // (ES9+, SGP.22 section 3.1): simfleet knows its ICCID, never its IMSI, Ki or OPc.
              QStringLiteral("CREATE TABLE profile_new (id INTEGER PRIMARY KEY,"
                             " device_id INTEGER NOT NULL REFERENCES device(id),"
                             " operator_id INTEGER NOT NULL REFERENCES operator(id),"
                             " iccid TEXT NOT NULL UNIQUE, imsi TEXT UNIQUE,"
                             " ki_sealed BLOB, opc_sealed BLOB,"
                             " state TEXT NOT NULL CHECK (state IN ('allocated', 'installed', 'enabled', 'disabled',"
                             "  'deleted')), created_at TEXT NOT NULL, updated_at TEXT NOT NULL)"),
              QStringLiteral("INSERT INTO profile_new (id, device_id, operator_id, iccid, imsi, ki_sealed, opc_sealed, state,"
                             " created_at, updated_at) SELECT id, device_id, operator_id, iccid, imsi, ki_sealed, opc_sealed,"
                             " state, created_at, updated_at FROM profile"),
              QStringLiteral("DROP TABLE profile"),
              QStringLiteral("ALTER TABLE profile_new RENAME TO profile"),
              QStringLiteral("CREATE INDEX profile_device ON profile(device_id)"),
              QStringLiteral("CREATE INDEX profile_operator ON profile(operator_id, state)"),
              QStringLiteral("CREATE INDEX profile_enabled ON profile(device_id) WHERE state = 'enabled'"),
              // Activation codes an operator issued for its own profile server (SGP.22 section
              // 4.1: SM-DP+ address and matching ID), imported per EID or as a pool of ICCIDs.
              // The matching ID is sealed bound to its row: whoever holds it can fetch the profile.
              // profile_id: the profile a campaign claimed it for; NULL while free.
              QStringLiteral("CREATE TABLE activation_code (id INTEGER PRIMARY KEY,"
                             " operator_id INTEGER NOT NULL REFERENCES operator(id), eid TEXT,"
                             " iccid TEXT NOT NULL UNIQUE, smdp_address TEXT NOT NULL, matching_id_sealed BLOB,"
                             " imported_at TEXT NOT NULL, profile_id INTEGER UNIQUE REFERENCES profile(id))"),
              QStringLiteral("CREATE INDEX activation_code_free ON activation_code(operator_id, eid) WHERE profile_id IS NULL"),
          },
          true,
          {
              QStringLiteral("ALTER TABLE profile ALTER COLUMN imsi DROP NOT NULL, ALTER COLUMN ki_sealed DROP NOT NULL,"
                             " ALTER COLUMN opc_sealed DROP NOT NULL"),
              QStringLiteral("CREATE TABLE activation_code (id INTEGER PRIMARY KEY,"
                             " operator_id INTEGER NOT NULL REFERENCES operator(id), eid TEXT,"
                             " iccid TEXT NOT NULL UNIQUE, smdp_address TEXT NOT NULL, matching_id_sealed BLOB,"
                             " imported_at TEXT NOT NULL, profile_id INTEGER UNIQUE REFERENCES profile(id))"),
              QStringLiteral("CREATE INDEX activation_code_free ON activation_code(operator_id, eid) WHERE profile_id IS NULL"),
          } },
        { 12,
          "simfleet as its devices' eIM (SGP.32)",
          {
              // The workspace's eIM: its identifier (SGP.32 eimId), its public key (SubjectPublicKeyInfo) and its
              // signing key, sealed bound to the row. One per workspace.
              QStringLiteral("CREATE TABLE eim_identity (id INTEGER PRIMARY KEY CHECK (id = 1), eim_id TEXT NOT NULL,"
                             " public_key BLOB NOT NULL, private_key_sealed BLOB, created_at TEXT NOT NULL)"),
              // What the eIM keeps per eUICC (SGP.32 section 2.11.1.1): the counterValue of the
              // last eUICC package it signed for it (the eUICC refuses any not above the last it
              // accepted), the eUICC's certificate its results are verified with, and when its
              // IPA was last heard from.
              QStringLiteral("CREATE TABLE eim_device (eid TEXT PRIMARY KEY NOT NULL, counter_value INTEGER NOT NULL DEFAULT 0,"
                             " euicc_certificate BLOB, last_seen_at TEXT)"),
              // The eIM packages waiting for their device (SGP.32 section 6.3.2.6: an IPA asks
              // for them when it checks in), oldest first: the package as it is handed out
              // (DER, signed when it is an eUICC package), its transaction ID (16 random bytes)
              // that ties the result to it, and what came back. A package handed out and not
              // answered is handed out again: the eUICC refuses a second run by its counter.
              QStringLiteral("CREATE TABLE eim_package (id INTEGER PRIMARY KEY, eid TEXT NOT NULL,"
                             " kind TEXT NOT NULL CHECK (kind IN ('euicc-package', 'euicc-data', 'download', 'simfleet')),"
                             " transaction_id BLOB NOT NULL UNIQUE, counter_value INTEGER, request BLOB NOT NULL,"
                             " state TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'done', 'failed', 'cancelled')),"
                             " queued_at TEXT NOT NULL, sent_at TEXT, done_at TEXT, result BLOB, failure TEXT)"),
              QStringLiteral("CREATE INDEX eim_package_waiting ON eim_package(eid, id) WHERE state IN ('queued', 'sent')"),
          } },
        { 13,
          "campaigns over devices that come and go: when a device began waiting for its check-in",
          {
              // A device of a campaign for devices on the network that has not checked in since
              // the campaign needed it (never yet, or it went silent mid-change): since when. NULL
              // while it is in session, and for devices in the simulated field.
              QStringLiteral("ALTER TABLE campaign_item ADD COLUMN waiting_since TEXT"),
          } },
        { 14,
          "the subscription ledger; stolen, lost and quarantined devices; device alerts",
          {
              // Each period a device held a subscription (a profile enabled in the store): opened
              // and closed by the same statement that enables or disables the profile
              // (ProfileRepository::setState), so the ledger never disagrees with the profiles.
              // Who began and ended it: a campaign, or an event (store::LedgerCause).
              QStringLiteral("CREATE TABLE subscription_period (id INTEGER PRIMARY KEY,"
                             " device_id INTEGER NOT NULL REFERENCES device(id),"
                             " profile_id INTEGER NOT NULL REFERENCES profile(id),"
                             " operator_id INTEGER NOT NULL REFERENCES operator(id),"
                             " customer_id INTEGER NOT NULL REFERENCES customer(id),"
                             " iccid TEXT NOT NULL, started_at TEXT NOT NULL, ended_at TEXT,"
                             " started_by_campaign INTEGER REFERENCES campaign(id), started_by_event TEXT NOT NULL,"
                             " ended_by_campaign INTEGER REFERENCES campaign(id), ended_by_event TEXT,"
                             " CHECK (ended_at IS NULL OR ended_at >= started_at))"),
              QStringLiteral("CREATE UNIQUE INDEX subscription_period_open ON subscription_period(profile_id)"
                             " WHERE ended_at IS NULL"),
              QStringLiteral("CREATE INDEX subscription_period_device ON subscription_period(device_id, started_at)"),
              QStringLiteral("CREATE INDEX subscription_period_start ON subscription_period(started_at)"),
              // The periods a theft, loss or quarantine ended: a recovery or release restores them.
              QStringLiteral("CREATE INDEX subscription_period_held ON subscription_period(device_id)"
                             " WHERE ended_by_event IN ('reported-stolen', 'reported-lost', 'quarantined')"),
              // What the workspace held before it kept a ledger: the enabled profiles, since their
              // last change, begun by the campaign that issued them where one did.
              QStringLiteral("INSERT INTO subscription_period (device_id, profile_id, operator_id, customer_id, iccid,"
                             " started_at, started_by_campaign, started_by_event)"
                             " SELECT p.device_id, p.id, p.operator_id, f.customer_id, p.iccid, p.updated_at,"
                             " (SELECT max(ci.campaign_id) FROM campaign_item ci WHERE ci.new_profile_id = p.id),"
                             " 'before-the-ledger'"
                             " FROM profile p JOIN device d ON d.id = p.device_id JOIN fleet f ON f.id = d.fleet_id"
                             " WHERE p.state = 'enabled'"),
              // A device reported stolen or lost keeps its subscription disabled and gets none
              // until it is recovered and attested again; since when and why.
              QStringLiteral("ALTER TABLE device ADD COLUMN custody TEXT NOT NULL DEFAULT 'in-service'"
                             " CHECK (custody IN ('in-service', 'stolen', 'lost', 'recovered'))"),
              QStringLiteral("ALTER TABLE device ADD COLUMN custody_since TEXT"),
              QStringLiteral("ALTER TABLE device ADD COLUMN custody_note TEXT NOT NULL DEFAULT ''"),
              // A device whose attestation was contraindicated while it held a subscription:
              // since when and why; NULL while it is not.
              QStringLiteral("ALTER TABLE device ADD COLUMN quarantined_at TEXT"),
              QStringLiteral("ALTER TABLE device ADD COLUMN quarantine_reason TEXT NOT NULL DEFAULT ''"),
              // When latitude and longitude were last reported (NULL: as enrolled).
              QStringLiteral("ALTER TABLE device ADD COLUMN position_at TEXT"),
              QStringLiteral("CREATE INDEX device_custody ON device(custody) WHERE custody <> 'in-service'"),
              QStringLiteral("CREATE INDEX device_quarantined ON device(quarantined_at) WHERE quarantined_at IS NOT NULL"),
              // What people must hear about a device: a stolen or lost one seen again (when, and
              // where when it said), one quarantined, one whose subscription was disabled.
              QStringLiteral("CREATE TABLE device_alert (id INTEGER PRIMARY KEY,"
                             " device_id INTEGER NOT NULL REFERENCES device(id),"
                             " kind TEXT NOT NULL CHECK (kind IN ('sighting', 'quarantined', 'subscription-disabled',"
                             "  'subscription-restored')),"
                             " raised_at TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '', latitude REAL, longitude REAL,"
                             " acknowledged_at TEXT)"),
              // A new data key being rolled out (WorkspaceRekey): wrapped under the passphrase, and
              // under the current data key so that whoever holds that can follow until it ends.
              QStringLiteral("ALTER TABLE workspace_key ADD COLUMN rekey_next_key BLOB"),
              QStringLiteral("ALTER TABLE workspace_key ADD COLUMN rekey_next_under_current BLOB"),
              // A user's key slot after a rekey: the new data key sealed to their public key
              // (ECIES), taken into an ordinary key slot at their next login.
              QStringLiteral("ALTER TABLE app_user ADD COLUMN pending_key_slot BLOB"),
              QStringLiteral("CREATE INDEX device_alert_device ON device_alert(device_id, raised_at)"),
              QStringLiteral("CREATE INDEX device_alert_open ON device_alert(raised_at) WHERE acknowledged_at IS NULL"),
          } },
        { 15,
          "the end of each device's certificate",
          {
              // The device certificate's notAfter, as the latest evidence whose chain verified
              // carried it (the certificate lives on the device and travels in its evidence);
              // NULL until the device is attested. The Dashboard warns before it ends.
              QStringLiteral("ALTER TABLE device ADD COLUMN certificate_not_after TEXT"),
          } },
    };
    return list;
}

Result<int> queryInt(QSqlDatabase &db, const QString &sql)
{
    QSqlQuery q(db);
    if (!q.exec(sql) || !q.next())
        return fail(q.lastError().text());
    return q.value(0).toInt();
}

} // namespace

int currentSchemaVersion()
{
    return migrations().last().version;
}

QList<int> schemaVersions()
{
    QList<int> out;
    for (const Migration &m : migrations())
        out.append(m.version);
    return out;
}

namespace {

// PostgreSQL keeps what SQLite keeps in its header (application_id, user_version) in a table.
Result<int> checkPostgresIdentity(QSqlDatabase &db)
{
    auto tables = queryInt(db, QStringLiteral("SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()"));
    if (!tables)
        return fail(QStringLiteral("cannot read the database's tables: %1").arg(tables.errorMessage()));
    if (*tables == 0)
        return 0;
    auto ours = queryInt(db, QStringLiteral("SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()"
                                            " AND table_name = 'simfleet_schema'"));
    if (!ours)
        return ours.error();
    if (*ours == 0)
        return fail(QStringLiteral("this database holds tables of another application, not a simfleet workspace; "
                                   "give simfleet a database of its own"));
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("SELECT application_id, version FROM simfleet_schema")) || !q.next())
        return fail(QStringLiteral("cannot read the workspace schema: %1").arg(q.lastError().text()));
    if (q.value(0).toLongLong() != workspaceApplicationId)
        return fail(QStringLiteral("this database belongs to another application, not simfleet"));
    return q.value(1).toInt();
}

Result<void> writeVersion(QSqlDatabase &db, int version)
{
    QSqlQuery q(db);
    if (dialectOf(db) == Dialect::Sqlite) {
        if (!q.exec(QStringLiteral("PRAGMA application_id = %1").arg(workspaceApplicationId))
            || !q.exec(QStringLiteral("PRAGMA user_version = %1").arg(version)))
            return fail(q.lastError().text());
        return {};
    }
    if (!q.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS simfleet_schema (application_id BIGINT NOT NULL,"
                               " version INTEGER NOT NULL)"))
        || !q.exec(QStringLiteral("DELETE FROM simfleet_schema"))
        || !q.exec(QStringLiteral("INSERT INTO simfleet_schema (application_id, version) VALUES (%1, %2)")
                       .arg(workspaceApplicationId)
                       .arg(version)))
        return fail(q.lastError().text());
    return {};
}

QStringList statementsFor(const Migration &m, Dialect dialect)
{
    if (dialect == Dialect::Sqlite)
        return m.statements;
    QStringList out;
    for (const QString &sql : m.postgresInstead.isEmpty() ? m.statements : m.postgresInstead) {
        // The audit log's append-only triggers are SQLite's stand-in for privileges: on
        // PostgreSQL only the owner role may UPDATE or DELETE it (accessschema).
        if (sql.startsWith(QLatin1StringView("CREATE TRIGGER")))
            continue;
        out << postgresDdl(sql);
    }
    return out;
}

} // namespace

Result<int> checkWorkspaceIdentity(QSqlDatabase &db)
{
    if (dialectOf(db) == Dialect::Postgres) {
        auto version = checkPostgresIdentity(db);
        if (version && *version > currentSchemaVersion())
            return fail(QStringLiteral("this workspace was written by a newer simfleet (schema %1); this version "
                                       "reads schemas up to %2. Update simfleet.")
                            .arg(*version)
                            .arg(currentSchemaVersion()));
        return version;
    }
    auto version = queryInt(db, QStringLiteral("PRAGMA user_version"));
    auto appId = queryInt(db, QStringLiteral("PRAGMA application_id"));
    if (!version || !appId)
        return fail(QStringLiteral("cannot read the workspace schema: %1").arg(version.errorMessage() + appId.errorMessage()));
    if (*appId != 0 && *appId != workspaceApplicationId)
        return fail(QStringLiteral("this SQLite file belongs to another application, not simfleet"));
    if (*appId == 0) {
        auto tables = queryInt(db, QStringLiteral("SELECT count(*) FROM sqlite_master"));
        if (!tables || *tables != 0)
            return fail(QStringLiteral("this SQLite file is not a simfleet workspace"));
    }
    if (*version > currentSchemaVersion())
        return fail(QStringLiteral("this workspace was written by a newer simfleet (schema %1); this version "
                                   "reads schemas up to %2. Update simfleet.")
                        .arg(*version)
                        .arg(currentSchemaVersion()));
    // Reading every table's root page finds a damaged file before anything is written to it.
    if (auto check = queryInt(db, QStringLiteral("SELECT count(*) FROM sqlite_master WHERE type = 'table'")); !check)
        return fail(QStringLiteral("the workspace file is damaged: %1").arg(check.errorMessage()));
    return *version;
}

Result<int> migrate(QSqlDatabase &db, int targetVersion)
{
    auto version = checkWorkspaceIdentity(db);
    if (!version)
        return version.error();

    const Dialect dialect = dialectOf(db);
    // A shared workspace's access rules cover the tables that existed when they were written:
    // the last migration of an upgrade renews them for the new ones, in its own transaction. (A
    // new workspace gets them from init, after its schema.)
    int lastToRun = 0;
    for (const Migration &m : migrations()) {
        if (m.version > *version && m.version <= targetVersion)
            lastToRun = m.version;
    }
    const bool renewAccess = dialect == Dialect::Postgres && *version > 0;
    for (const Migration &m : migrations()) {
        if (m.version <= *version || m.version > targetVersion)
            continue;
        QSqlQuery q(db);
        // PostgreSQL changes the table in place and checks references as it goes.
        const bool rebuild = m.rebuildsReferencedTable && dialect == Dialect::Sqlite;
        // Outside the transaction: SQLite ignores the pragma inside one.
        if (rebuild && !q.exec(QStringLiteral("PRAGMA foreign_keys = OFF")))
            return fail(q.lastError().text());
        const auto enforceAgain = qScopeGuard([&db, rebuild] {
            if (rebuild)
                QSqlQuery(db).exec(QStringLiteral("PRAGMA foreign_keys = ON"));
        });
        Transaction tx(db);
        for (const QString &sql : statementsFor(m, dialect)) {
            if (!q.exec(sql))
                return fail(QStringLiteral("upgrading the workspace to schema %1 (%2) failed: %3")
                                .arg(m.version)
                                .arg(QLatin1StringView(m.purpose), q.lastError().text()));
        }
        if (rebuild) {
            if (!q.exec(QStringLiteral("PRAGMA foreign_key_check")))
                return fail(q.lastError().text());
            if (q.next())
                return fail(QStringLiteral("upgrading the workspace to schema %1 (%2) would break a reference from table %3; "
                                           "the workspace is left as it was")
                                .arg(m.version)
                                .arg(QLatin1StringView(m.purpose), q.value(0).toString()));
        }
        if (renewAccess && m.version == lastToRun) {
            if (auto ok = AccessSchema::install(db); !ok)
                return fail(QStringLiteral("upgrading the workspace to schema %1: %2").arg(m.version).arg(ok.errorMessage()));
        }
        if (auto ok = writeVersion(db, m.version); !ok)
            return ok.error();
        if (auto ok = tx.commit(); !ok)
            return ok.error();
        qCInfo(lcStore) << "workspace schema now at version" << m.version << "(" << m.purpose << ")";
        version = m.version;
    }
    return *version;
}

} // namespace simfleet::store
