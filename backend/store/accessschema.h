#pragma once

#include "core/result.h"

#include <QString>

class QSqlDatabase;

namespace simfleet::store {

// On a PostgreSQL workspace the server enforces who sees and changes what (issue 22, README
// "Security"), whatever SQL a user runs with their login:
// - every simfleet user is a login role of the same name (its simfleet password is its database
//   password), member of one group role per simfleet role of this workspace
//   (sf_DATABASE_administrator, _operations, _operator_account_manager, _viewer);
// - privileges are granted per table: Viewers only read (and sign their own entries into the
//   audit log), account managers read and attest, Operations write the fleet, profiles and
//   campaigns, Administrators also users, operators, trust and reference values; nobody but the
//   owner role, which ran init, may UPDATE or DELETE an audit entry;
// - row-level security gives an operator account manager only the rows of their operator's
//   devices, profiles, fleets, customers, campaigns and campaign items (the same conditions as
//   store::Scope), and everyone but Administrators only their own user row.
// Roles are created and changed through functions the owner defines (SECURITY DEFINER), so an
// Administrator manages simfleet's users without holding CREATEROLE, and only those roles.
class AccessSchema
{
public:
    // Creates the group roles, grants, policies and functions. Runs once, in init's transaction,
    // as a superuser or a role with CREATEROLE (which becomes the workspace's owner role).
    static Result<void> install(QSqlDatabase &db);

    // The login role for a simfleet user, in the writer job that adds the user: created with
    // the password as a SCRAM verifier (never in clear), put in its role's group. An empty
    // password makes a login without one, which cannot log in until it is given one.
    static Result<void> createLogin(QSqlDatabase &db, const QString &name, QByteArrayView password, const QString &roleKey);
    static Result<void> setLoginRole(QSqlDatabase &db, const QString &name, const QString &roleKey);
    static Result<void> setLoginPassword(QSqlDatabase &db, const QString &name, QByteArrayView password);
    static Result<void> dropLogin(QSqlDatabase &db, const QString &name);

    // The channel every change is announced on, with the table's name as the payload.
    static const char *changeChannel() { return "simfleet_changes"; }

    // The group role of a simfleet role (its stored key) in this database.
    static QString groupRole(const QString &database, const QString &roleKey);
};

} // namespace simfleet::store
