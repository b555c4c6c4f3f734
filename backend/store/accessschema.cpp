#include "accessschema.h"
#include "crypto/scramverifier.h"
#include "dialect.h"
#include "scope.h"
#include "sqlhelpers.h"
#include "storelog.h"

#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>

namespace simfleet::store {

namespace {

const QStringList roleKeys { QStringLiteral("administrator"), QStringLiteral("operations"),
                             QStringLiteral("operator-account-manager"), QStringLiteral("viewer") };

// Tables whose rows an operator account manager sees only when they involve their operator,
// and the condition, over the row, that says so.
struct RowRule
{
    const char *table;
    const char *operatorRows;
};
const RowRule rowRules[] = {
    { "device", "sf_device_visible(id)" },
    { "profile", "operator_id = sf_my_operator()" },
    { "fleet", "sf_fleet_visible(id)" },
    { "customer", "sf_customer_visible(id)" },
    { "campaign", "sf_campaign_visible(id)" },
    { "campaign_item", "sf_item_visible(id)" },
    { "attestation_result", "sf_device_visible(device_id)" },
    { "attestation_nonce", "sf_device_visible(device_id)" },
    { "activation_code", "operator_id = sf_my_operator()" },
    { "eim_device", "sf_eid_visible(eid)" },
    { "eim_package", "sf_eid_visible(eid)" },
    { "subscription_period", "operator_id = sf_my_operator()" },
    { "device_alert", "sf_device_visible(device_id)" },
};

QString quoted(const QString &identifier)
{
    QString out = identifier;
    out.replace(u'"', QStringLiteral("\"\""));
    return u'"' + out + u'"';
}

QString literal(const QString &text)
{
    QString out = text;
    out.replace(u'\'', QStringLiteral("''"));
    return u'\'' + out + u'\'';
}

Result<void> run(QSqlDatabase &db, const QString &sql)
{
    QSqlQuery q(db);
    if (!q.exec(sql))
        return fail(QStringLiteral("setting up the database's access rules failed: %1").arg(q.lastError().databaseText()));
    return {};
}

Result<QString> databaseName(QSqlDatabase &db)
{
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("SELECT current_database()")) || !q.next())
        return fail(q.lastError().text());
    return q.value(0).toString();
}

// Scope's conditions with the account manager's operator looked up by the server.
QString serverSide(const Scope::Condition &c)
{
    QString sql = c.sql;
    sql.replace(u'?', QStringLiteral("sf_my_operator()"));
    return sql;
}

// Runs one of the owner's functions (install's); PostgreSQL only, which the callers check.
Result<void> callFunction(QSqlDatabase &db, const QString &function, const QVariantList &values, const char *doing)
{
    QStringList marks;
    for (qsizetype i = 0; i < values.size(); ++i)
        marks << QStringLiteral("CAST(? AS TEXT)");
    QSqlQuery q(db);
    if (!q.prepare(QStringLiteral("SELECT %1(%2)").arg(function, marks.join(QStringLiteral(", ")))))
        return fail(QStringLiteral("%1 failed: %2").arg(QLatin1StringView(doing), q.lastError().databaseText()));
    for (const QVariant &v : values)
        q.addBindValue(v);
    if (!q.exec())
        return fail(QStringLiteral("%1 failed: %2").arg(QLatin1StringView(doing), q.lastError().databaseText()));
    q.finish();
    return {};
}

} // namespace

QString AccessSchema::groupRole(const QString &database, const QString &roleKey)
{
    QString base = database.toLower();
    base.replace(QRegularExpression(QStringLiteral("[^a-z0-9_]")), QStringLiteral("_"));
    QString suffix = roleKey;
    suffix.replace(u'-', u'_');
    return QStringLiteral("sf_%1_%2").arg(base.left(30), suffix);
}

Result<void> AccessSchema::install(QSqlDatabase &db)
{
    {
        QSqlQuery q(db);
        if (!q.exec(QStringLiteral("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")) || !q.next())
            return fail(q.lastError().text());
        if (!q.value(0).toBool())
            return fail(QStringLiteral("creating a shared workspace creates its users' database roles: run init as a "
                                       "database superuser or a role with CREATEROLE, who becomes the workspace's owner"));
    }
    auto database = databaseName(db);
    if (!database)
        return database.error();
    QStringList groups;
    for (const QString &key : roleKeys)
        groups << quoted(groupRole(*database, key));
    const QString admin = groups.at(0), ops = groups.at(1), manager = groups.at(2), viewer = groups.at(3);
    const QString everyone = groups.join(QStringLiteral(", "));
    QStringList sql;
    for (int i = 0; i < groups.size(); ++i)
        sql << QStringLiteral("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %1) THEN"
                              " CREATE ROLE %2 NOLOGIN; END IF; END $$")
                   .arg(literal(groupRole(*database, roleKeys.at(i))), groups.at(i));
    sql << QStringLiteral("REVOKE ALL ON DATABASE %1 FROM PUBLIC").arg(quoted(*database))
        << QStringLiteral("GRANT CONNECT, TEMPORARY ON DATABASE %1 TO %2").arg(quoted(*database), everyone)
        << QStringLiteral("REVOKE ALL ON SCHEMA public FROM PUBLIC")
        << QStringLiteral("GRANT USAGE ON SCHEMA public TO %1").arg(everyone)
        << QStringLiteral("GRANT SELECT ON ALL TABLES IN SCHEMA public TO %1").arg(everyone)
        << QStringLiteral("GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO %1").arg(everyone)
        // The audit log names every operator's devices: closed to account managers, as in simfleet.
        << QStringLiteral("REVOKE SELECT ON audit_entry FROM %1").arg(manager)
        << QStringLiteral("GRANT INSERT ON audit_entry TO %1").arg(everyone)
        << QStringLiteral("GRANT INSERT, UPDATE ON workspace_setting TO %1").arg(everyone)
        << QStringLiteral("GRANT UPDATE (failed_logins, locked_until, last_login_at, signing_key, wrapped_signing_key,"
                          " password_hash, password_salt, kdf_n, kdf_r, kdf_p, wrapped_data_key, pending_key_slot) ON app_user TO %1")
               .arg(everyone)
        << QStringLiteral("GRANT INSERT, UPDATE, DELETE ON workspace_key, customer, operator, fleet, device, profile,"
                          " attestation_result, attestation_nonce, certificate, campaign, campaign_item, app_user,"
                          " reference_value, revocation_list, activation_code, eim_identity, eim_device, eim_package,"
                          " subscription_period, device_alert TO %1")
               .arg(admin)
        << QStringLiteral("GRANT INSERT, UPDATE, DELETE ON customer, fleet, device, profile, attestation_result,"
                          " attestation_nonce, campaign, campaign_item, revocation_list, activation_code, eim_identity,"
                          " eim_device, eim_package, subscription_period, device_alert TO %1")
               .arg(ops)
        // A campaign issues IMSIs and ICCIDs from the operator's ranges.
        << QStringLiteral("GRANT UPDATE (msin_next, iccid_next) ON operator TO %1").arg(ops)
        << QStringLiteral("GRANT INSERT, UPDATE ON attestation_nonce, eim_device, eim_package TO %1").arg(manager)
        << QStringLiteral("GRANT INSERT ON attestation_result TO %1").arg(manager)
        // An account manager's attestation records where the device reported itself and when its
        // certificate ends, and one that finds it tampered with quarantines it and disables its
        // subscription (their own devices and profiles only, by row security).
        << QStringLiteral("GRANT UPDATE (quarantined_at, quarantine_reason, latitude, longitude, position_at,"
                          " certificate_not_after) ON device TO %1")
               .arg(manager)
        << QStringLiteral("GRANT UPDATE (state, updated_at) ON profile TO %1").arg(manager)
        << QStringLiteral("GRANT INSERT, UPDATE ON subscription_period TO %1").arg(manager)
        << QStringLiteral("GRANT INSERT ON device_alert TO %1").arg(manager);

    // The conditions of store::Scope, evaluated as the owner (SECURITY DEFINER: the policies'
    // own lookups must not be filtered by the policies again), for the logged-in user.
    const Scope scope(0);
    const QString definer = QStringLiteral("LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_catalog");
    sql << QStringLiteral("CREATE OR REPLACE FUNCTION sf_my_operator() RETURNS bigint %1 AS $$"
                          " SELECT operator_id FROM app_user WHERE name = session_user $$")
               .arg(definer);
    // sf_NAME(key): whether the row of `table` whose `column` is key is in the user's scope.
    struct Visibility
    {
        const char *name, *keyType, *table, *alias, *column;
        Scope::Condition condition;
    };
    for (const Visibility &v : { Visibility { "device_visible", "bigint", "device", "d", "id", scope.devices(QStringLiteral("d")) },
                                 Visibility { "eid_visible", "text", "device", "d", "eid", scope.devices(QStringLiteral("d")) },
                                 Visibility { "fleet_visible", "bigint", "fleet", "f", "id", scope.fleets(QStringLiteral("f")) },
                                 Visibility { "customer_visible", "bigint", "customer", "c", "id",
                                              scope.customers(QStringLiteral("c")) },
                                 Visibility { "campaign_visible", "bigint", "campaign", "c", "id",
                                              scope.campaigns(QStringLiteral("c")) },
                                 Visibility { "item_visible", "bigint", "campaign_item", "ci", "id",
                                              scope.campaignItems(QStringLiteral("ci")) } })
        sql << QStringLiteral("CREATE OR REPLACE FUNCTION sf_%1(%2) RETURNS boolean %3 AS $$"
                              " SELECT coalesce((SELECT %4 FROM %5 %6 WHERE %6.%7 = $1), false) $$")
                   .arg(QLatin1StringView(v.name), QLatin1StringView(v.keyType), definer, serverSide(v.condition),
                        QLatin1StringView(v.table), QLatin1StringView(v.alias), QLatin1StringView(v.column));
    for (const RowRule &rule : rowRules) {
        const QString table = QLatin1StringView(rule.table);
        sql << QStringLiteral("ALTER TABLE %1 ENABLE ROW LEVEL SECURITY").arg(table)
            << QStringLiteral("CREATE POLICY sf_whole_workspace ON %1 TO %2, %3, %4 USING (true) WITH CHECK (true)")
                   .arg(table, admin, ops, viewer)
            << QStringLiteral("CREATE POLICY sf_operator_rows ON %1 TO %2 USING (%3) WITH CHECK (%3)")
                   .arg(table, manager, QLatin1StringView(rule.operatorRows));
    }
    // Users: Administrators see and manage all; everyone else only their own row (the key slot
    // and password check their login reads and the login bookkeeping it writes).
    sql << QStringLiteral("ALTER TABLE app_user ENABLE ROW LEVEL SECURITY")
        << QStringLiteral("CREATE POLICY sf_administrators ON app_user TO %1 USING (true) WITH CHECK (true)").arg(admin)
        << QStringLiteral("CREATE POLICY sf_own_row ON app_user TO %1, %2, %3 USING (name = session_user)"
                          " WITH CHECK (name = session_user)")
               .arg(ops, manager, viewer)
        // Settings: everyone advances the audit log's head; only Administrators change the rest.
        << QStringLiteral("ALTER TABLE workspace_setting ENABLE ROW LEVEL SECURITY")
        << QStringLiteral("CREATE POLICY sf_read ON workspace_setting FOR SELECT TO %1 USING (true)").arg(everyone)
        << QStringLiteral("CREATE POLICY sf_administrators ON workspace_setting TO %1 USING (true) WITH CHECK (true)").arg(admin)
        << QStringLiteral("CREATE POLICY sf_audit_head ON workspace_setting FOR UPDATE TO %1, %2, %3"
                          " USING (key = 'audit_head') WITH CHECK (key = 'audit_head')")
               .arg(ops, manager, viewer)
        << QStringLiteral("CREATE POLICY sf_audit_head_first ON workspace_setting FOR INSERT TO %1, %2, %3"
                          " WITH CHECK (key = 'audit_head')")
               .arg(ops, manager, viewer);

    // Managing the login roles: only roles in one of this workspace's groups, only into them.
    const QString plpgsql = QStringLiteral("LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_catalog");
    const QString groupList = [&] {
        QStringList l;
        for (const QString &key : roleKeys)
            l << literal(groupRole(*database, key));
        return l.join(QStringLiteral(", "));
    }();
    // A login is "ours" when it is in one of this workspace's groups. The same person may be a
    // user of several workspaces on one server, with one login and one password: adding them to
    // another workspace keeps their password, and only they change it while another workspace
    // holds them too, so no workspace's Administrator can take over a login of another.
    const QString anyWorkspace = QStringLiteral("g.rolname ~ '^sf_.*_(administrator|operations|operator_account_manager|viewer)$'");
    sql << QStringLiteral("CREATE OR REPLACE FUNCTION sf_is_user(p_name text) RETURNS boolean %1 AS $$ BEGIN"
                          " RETURN EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid"
                          " JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = p_name AND g.rolname IN (%2)); END $$")
               .arg(plpgsql, groupList)
        << QStringLiteral("CREATE OR REPLACE FUNCTION sf_is_user_elsewhere(p_name text) RETURNS boolean %1 AS $$ BEGIN"
                          " RETURN EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid"
                          " JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = p_name AND %3"
                          " AND g.rolname NOT IN (%2)); END $$")
               .arg(plpgsql, groupList, anyWorkspace)
        << QStringLiteral("CREATE OR REPLACE FUNCTION sf_put_in_group(p_name text, p_group text) RETURNS void %1 AS $$"
                          " DECLARE g text; BEGIN"
                          " IF p_group NOT IN (%2) THEN RAISE EXCEPTION 'not a role of this workspace: %', p_group; END IF;"
                          " FOREACH g IN ARRAY ARRAY[%2] LOOP"
                          "  IF pg_has_role(p_name, g, 'MEMBER') AND g <> p_group THEN EXECUTE format('REVOKE %I FROM %I', g, p_name);"
                          "  END IF; END LOOP;"
                          " EXECUTE format('GRANT %I TO %I', p_group, p_name); END $$")
               .arg(plpgsql, groupList)
        << QStringLiteral("CREATE OR REPLACE FUNCTION sf_create_login(p_name text, p_verifier text, p_group text) RETURNS void %1 AS $$"
                          " BEGIN"
                          " IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_name) THEN"
                          "  IF NOT sf_is_user(p_name) AND NOT sf_is_user_elsewhere(p_name) THEN RAISE EXCEPTION"
                          "   'the database server already has a role named %, which is not a simfleet user; choose another"
                          " name', p_name; END IF;"
                          "  IF NOT sf_is_user_elsewhere(p_name) THEN"
                          "   EXECUTE format('ALTER ROLE %I LOGIN PASSWORD %L', p_name, p_verifier); END IF;"
                          " ELSE EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', p_name, p_verifier); END IF;"
                          " PERFORM sf_put_in_group(p_name, p_group); END $$")
               .arg(plpgsql)
        << QStringLiteral("CREATE OR REPLACE FUNCTION sf_set_login_role(p_name text, p_group text) RETURNS void %1 AS $$ BEGIN"
                          " IF NOT sf_is_user(p_name) THEN RAISE EXCEPTION '% is not a user of this workspace', p_name; END IF;"
                          " PERFORM sf_put_in_group(p_name, p_group); END $$")
               .arg(plpgsql)
        << QStringLiteral("CREATE OR REPLACE FUNCTION sf_set_login_password(p_name text, p_verifier text) RETURNS void %1 AS $$ BEGIN"
                          " IF NOT sf_is_user(p_name) THEN RAISE EXCEPTION '% is not a user of this workspace', p_name; END IF;"
                          " IF session_user <> p_name THEN"
                          "  IF NOT pg_has_role(session_user, %2, 'MEMBER') AND session_user <> (SELECT tableowner FROM"
                          "   pg_tables WHERE schemaname = 'public' AND tablename = 'app_user') THEN"
                          "   RAISE EXCEPTION 'only Administrators change other users'' passwords'; END IF;"
                          "  IF sf_is_user_elsewhere(p_name) THEN RAISE EXCEPTION"
                          "   '% is also a user of another workspace on this server: only they change their password', p_name;"
                          "  END IF; END IF;"
                          " EXECUTE format('ALTER ROLE %I PASSWORD %L', p_name, p_verifier); END $$")
               .arg(plpgsql, literal(groupRole(*database, roleKeys.at(0))))
        << QStringLiteral("CREATE OR REPLACE FUNCTION sf_drop_login(p_name text) RETURNS void %1 AS $$ DECLARE g text; BEGIN"
                          " IF NOT sf_is_user(p_name) THEN RETURN; END IF;"
                          " FOREACH g IN ARRAY ARRAY[%2] LOOP"
                          "  IF pg_has_role(p_name, g, 'MEMBER') THEN EXECUTE format('REVOKE %I FROM %I', g, p_name); END IF;"
                          " END LOOP;"
                          " IF NOT sf_is_user_elsewhere(p_name) THEN EXECUTE format('DROP ROLE %I', p_name); END IF; END $$")
               .arg(plpgsql, groupList);
    for (const char *function : { "sf_is_user(text)", "sf_is_user_elsewhere(text)", "sf_put_in_group(text, text)", "sf_create_login(text, text, text)",
                                  "sf_set_login_role(text, text)", "sf_set_login_password(text, text)",
                                  "sf_drop_login(text)", "sf_my_operator()", "sf_device_visible(bigint)", "sf_eid_visible(text)",
                                  "sf_fleet_visible(bigint)", "sf_customer_visible(bigint)", "sf_campaign_visible(bigint)",
                                  "sf_item_visible(bigint)" })
        sql << QStringLiteral("REVOKE ALL ON FUNCTION %1 FROM PUBLIC").arg(QLatin1StringView(function));
    sql << QStringLiteral("GRANT EXECUTE ON FUNCTION sf_my_operator(), sf_device_visible(bigint), sf_eid_visible(text),"
                          " sf_fleet_visible(bigint), sf_customer_visible(bigint), sf_campaign_visible(bigint),"
                          " sf_item_visible(bigint), sf_set_login_password(text, text) TO %1")
               .arg(everyone)
        << QStringLiteral("GRANT EXECUTE ON FUNCTION sf_create_login(text, text, text), sf_set_login_role(text, text),"
                          " sf_drop_login(text) TO %1")
               .arg(admin);
    // Other desktops learn what changed (LISTEN/NOTIFY, WorkspaceService::changedOnServer): one
    // notification per table and transaction, sent when it commits (the server folds repeats).
    sql << QStringLiteral("CREATE OR REPLACE FUNCTION sf_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                          " PERFORM pg_notify('%1', TG_TABLE_NAME); RETURN NULL; END $$")
               .arg(QLatin1StringView(changeChannel()));
    for (const char *table : { "customer", "operator", "fleet", "device", "profile", "attestation_result", "certificate",
                               "campaign", "campaign_item", "app_user", "audit_entry", "reference_value", "revocation_list",
                               "activation_code", "eim_package", "subscription_period", "device_alert" })
        sql << QStringLiteral("CREATE OR REPLACE TRIGGER sf_changes AFTER INSERT OR UPDATE OR DELETE ON %1 FOR EACH STATEMENT"
                              " EXECUTE FUNCTION sf_notify_change()")
                   .arg(QLatin1StringView(table));
    // Written again by every upgrade (schema.cpp's migrate): functions and triggers are replaced,
    // policies dropped first.
    static const QRegularExpression policy(QStringLiteral("^CREATE POLICY (\\w+) ON (\\w+) "));
    for (const QString &statement : sql) {
        if (const auto m = policy.match(statement); m.hasMatch()) {
            if (auto ok = run(db, QStringLiteral("DROP POLICY IF EXISTS %1 ON %2").arg(m.captured(1), m.captured(2))); !ok)
                return ok;
        }
        if (auto ok = run(db, statement); !ok) {
            qCWarning(lcStore) << "access rules:" << statement.left(120);
            return ok;
        }
    }
    qCInfo(lcStore) << "the database enforces simfleet's roles through" << groups.join(QStringLiteral(", "));
    return {};
}

Result<void> AccessSchema::createLogin(QSqlDatabase &db, const QString &name, QByteArrayView password, const QString &roleKey)
{
    if (dialectOf(db) != Dialect::Postgres)
        return {};
    // No password: a login that waits for one (a copied workspace's users; PASSWORD NULL).
    QVariant verifier;
    if (!password.isEmpty()) {
        auto made = crypto::postgresScramVerifier(password);
        if (!made)
            return made.error();
        verifier = made.value();
    }
    auto database = databaseName(db);
    if (!database)
        return database.error();
    return callFunction(db, QStringLiteral("sf_create_login"), { name, verifier, groupRole(*database, roleKey) },
                        "creating the user's database role");
}

Result<void> AccessSchema::setLoginRole(QSqlDatabase &db, const QString &name, const QString &roleKey)
{
    if (dialectOf(db) != Dialect::Postgres)
        return {};
    auto database = databaseName(db);
    if (!database)
        return database.error();
    return callFunction(db, QStringLiteral("sf_set_login_role"), { name, groupRole(*database, roleKey) },
                        "changing the user's database role");
}

Result<void> AccessSchema::setLoginPassword(QSqlDatabase &db, const QString &name, QByteArrayView password)
{
    if (dialectOf(db) != Dialect::Postgres)
        return {};
    auto verifier = crypto::postgresScramVerifier(password);
    if (!verifier)
        return verifier.error();
    return callFunction(db, QStringLiteral("sf_set_login_password"), { name, verifier.value() },
                        "changing the user's database password");
}

Result<void> AccessSchema::dropLogin(QSqlDatabase &db, const QString &name)
{
    if (dialectOf(db) != Dialect::Postgres)
        return {};
    return callFunction(db, QStringLiteral("sf_drop_login"), { name }, "removing the user's database role");
}

} // namespace simfleet::store
