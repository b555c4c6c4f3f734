#pragma once

#include <QString>

class QSqlDatabase;

namespace simfleet::store {

// The two SQL dialects a workspace can be stored in. Repositories write SQL both accept (SQLite
// 3.40 and PostgreSQL 15 share RETURNING, ON CONFLICT, TRUE, coalesce); what differs is asked
// here, so the differences live in one place.
enum class Dialect { Sqlite, Postgres };

Dialect dialectOf(const QSqlDatabase &db);

// Case-insensitive pattern match: SQLite's LIKE already ignores ASCII case, PostgreSQL's does not.
QString caseInsensitiveLike(Dialect dialect);
// The text at a JSON path of a text column holding a JSON object (`$.key`).
QString jsonText(Dialect dialect, const QString &column, const QString &key);
// A schema statement written for SQLite, as PostgreSQL takes it: identity keys, BIGINT for every
// INTEGER (IMSI and ICCID counters pass 2^31), BYTEA for BLOB, DOUBLE PRECISION for REAL and
// byte-wise ("C") collation for TEXT, so names sort and ISO timestamps compare as in SQLite.
QString postgresDdl(const QString &sqliteStatement);

} // namespace simfleet::store
