#include "workspaceaddress.h"

#include <QRegularExpression>
#include <QStandardPaths>
#include <QUrl>

namespace simfleet::store {

namespace {
const QString usage = QStringLiteral("a workspace is a file (PATH.simfleet) or a PostgreSQL database "
                                     "(postgresql://[USER@]HOST[:PORT]/DATABASE)");

// PostgreSQL identifiers simfleet connects with and creates roles for: plain names, so that
// they need no quoting anywhere and read the same in psql.
bool isPlainName(const QString &name)
{
    static const QRegularExpression plain(QStringLiteral("^[a-z_][a-z0-9_.-]{0,62}$"));
    return plain.match(name).hasMatch();
}
} // namespace

bool WorkspaceAddress::looksLikeUrl(const QString &text)
{
    // scheme ":" (RFC 3986 section 3.1) followed by "//", or a scheme PostgreSQL's own tools use.
    static const QRegularExpression scheme(QStringLiteral("^[A-Za-z][A-Za-z0-9+.-]*://"));
    return scheme.match(text).hasMatch() || text.startsWith(QLatin1StringView("postgresql:"), Qt::CaseInsensitive)
        || text.startsWith(QLatin1StringView("postgres:"), Qt::CaseInsensitive);
}

Result<WorkspaceAddress> WorkspaceAddress::parse(const QString &text, const QString &user)
{
    WorkspaceAddress address;
    if (text.trimmed().isEmpty())
        return fail(QStringLiteral("no workspace given: %1").arg(usage));
    if (!looksLikeUrl(text)) {
        address.m_path = text;
        return address;
    }
    const QUrl url(text, QUrl::StrictMode);
    const QString scheme = url.scheme().toLower();
    if (scheme != u"postgresql" && scheme != u"postgres")
        return fail(QStringLiteral("\"%1\" is not a workspace simfleet can open: %2").arg(text, usage));
    if (!url.isValid() || url.host().isEmpty())
        return fail(QStringLiteral("\"%1\" is not a PostgreSQL address simfleet can use (%2): give the server's host, "
                                   "as in postgresql://db.example.net/fleet")
                        .arg(text, url.isValid() ? QStringLiteral("no host") : url.errorString()));
    if (!url.password().isEmpty())
        return fail(QStringLiteral("the workspace address holds a password, which every user of this machine can read "
                                   "on a command line; remove it and give it in SIMFLEET_PASSWORD or PGPASSWORD, or "
                                   "when asked"));
    if (url.hasQuery() || url.hasFragment())
        return fail(QStringLiteral("\"%1\": simfleet takes no parameters after the database name; connection settings "
                                   "such as sslmode go in PGSSLMODE and the other libpq environment variables")
                        .arg(url.toDisplayString()));
    QString database = url.path();
    if (database.startsWith(u'/'))
        database.remove(0, 1);
    if (database.isEmpty() || database.contains(u'/'))
        return fail(QStringLiteral("\"%1\" names no database: give it after the host, as in "
                                   "postgresql://%2/fleet")
                        .arg(url.toDisplayString(), url.host()));
    const int port = url.port(5432);
    if (port < 1 || port > 65535)
        return fail(QStringLiteral("\"%1\": the port must be 1 to 65535").arg(url.toDisplayString()));
    QString who = url.userName();
    if (!who.isEmpty() && !user.isEmpty() && who != user)
        return fail(QStringLiteral("the workspace address names the user %1 and --user names %2: give one of them")
                        .arg(who, user));
    if (who.isEmpty())
        who = user;
    if (!who.isEmpty() && !isPlainName(who))
        return fail(QStringLiteral("\"%1\" cannot be a simfleet user on a PostgreSQL workspace: use lower-case letters, "
                                   "digits, '_', '.' or '-', starting with a letter")
                        .arg(who));
    address.m_kind = Kind::Postgres;
    address.m_host = url.host();
    address.m_port = port;
    address.m_database = database;
    address.m_user = who;
    return address;
}

WorkspaceAddress WorkspaceAddress::withUser(const QString &user) const
{
    WorkspaceAddress copy = *this;
    copy.m_user = user;
    return copy;
}

QString WorkspaceAddress::toString() const
{
    if (m_kind == Kind::File)
        return m_path;
    QUrl url;
    url.setScheme(QStringLiteral("postgresql"));
    url.setHost(m_host);
    url.setPort(m_port);
    url.setPath(QLatin1Char('/') + m_database);
    if (!m_user.isEmpty())
        url.setUserName(m_user);
    return url.toString();
}

QString localBasePath(const QString &workspace)
{
    auto address = WorkspaceAddress::parse(workspace);
    if (!address || !address->isPostgres())
        return workspace;
    // The generic location, so the GUI, simfleet-cli and simfleet-field find the same files.
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation)
        + QStringLiteral("/simfleet/shared/%1-%2-%3.simfleet").arg(address->host()).arg(address->port()).arg(address->database());
}

} // namespace simfleet::store
