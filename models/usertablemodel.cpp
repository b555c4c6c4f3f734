#include "usertablemodel.h"
#include "fleet/fleetqueries.h"
#include "accesscontroller.h"

#include "crypto/secretbytes.h"
#include "store/workspace.h"

#include <QLocale>

namespace simfleet::models {

UserTableModel::UserTableModel(AccessController *access, QObject *parent) : TableModel(access, ColumnCount, parent) { }

namespace {
struct UsersAndSettings
{
    QList<access::UserSummary> users;
    QStringList operators;
    qint64 idleMinutes = 0;
};
} // namespace

void UserTableModel::reload()
{
    load<UsersAndSettings>(
        [](store::Workspace &ws, const access::Session &session) -> Result<UsersAndSettings> {
            access::AccessService service(ws);
            auto users = service.users(session);
            if (!users)
                return users.error();
            auto operators = fleet::FleetQueries(ws).operators(session);
            if (!operators)
                return operators.error();
            UsersAndSettings out { users.value(), {}, service.idleMinutes() };
            for (const auto &op : operators.value())
                out.operators << op.name;
            return out;
        },
        [this](UsersAndSettings &&r) {
            m_users = std::move(r.users);
            m_operators = std::move(r.operators);
            m_idleMinutes = r.idleMinutes;
        });
}

namespace {
// A password is wiped once it was used: in place, so the dialog's array, which shares the bytes,
// holds none either (QString copies in the line edit are beyond reach).
void forget(const QByteArray &password)
{
    QByteArray shared = password;
    crypto::wipeBytes(shared);
}
} // namespace

void UserTableModel::change(std::function<Result<void>(store::Workspace &, const access::Session &)> work, const QString &done)
{
    accessController()->request<bool>(
        this,
        [work = std::move(work)](store::Workspace &ws, const access::Session &s) -> Result<bool> {
            if (auto ok = work(ws, s); !ok)
                return ok.error();
            return true;
        },
        [this, done](const Result<bool> &r) {
            Q_EMIT actionFinished(r.ok(), r ? done : r.errorMessage());
            if (r)
                reload();
        });
}

void UserTableModel::addUser(const access::NewUser &user)
{
    change([user](store::Workspace &ws, const access::Session &s) {
               auto done = access::AccessService(ws).addUser(s, user);
               forget(user.password);
               return done;
           },
           tr("Added %1 (%2).").arg(user.name, access::roleTitle(user.role)));
}

void UserTableModel::setRole(const QString &name, access::Role role, const QString &operatorName,
                             const std::optional<QByteArray> &password)
{
    change([=](store::Workspace &ws, const access::Session &s) {
               auto done = access::AccessService(ws).setRole(s, name, role, operatorName, password);
               if (password)
                   forget(*password);
               return done;
           },
           tr("%1 is now %2.").arg(name, access::roleTitle(role)));
}

void UserTableModel::setPassword(const QString &name, const QByteArray &password)
{
    change([=](store::Workspace &ws, const access::Session &s) {
               auto done = access::AccessService(ws).setPassword(s, name, password);
               forget(password);
               return done;
           },
           tr("The password of %1 was set.").arg(name));
}

void UserTableModel::removeUser(const QString &name)
{
    change([=](store::Workspace &ws, const access::Session &s) { return access::AccessService(ws).removeUser(s, name); },
           tr("Removed %1.").arg(name));
}

void UserTableModel::setIdleMinutes(qint64 minutes)
{
    change([=](store::Workspace &ws, const access::Session &s) { return access::AccessService(ws).setIdleMinutes(s, minutes); },
           minutes == 0 ? tr("Sessions no longer end by themselves.")
                        : tr("Sessions now end after %n minute(s) without activity.", nullptr, int(minutes)));
}

const access::UserSummary *UserTableModel::userAt(int row) const
{
    return row >= 0 && row < m_users.size() ? &m_users.at(row) : nullptr;
}

int UserTableModel::rows() const
{
    return int(m_users.size());
}

QVariant UserTableModel::cell(int row, int column, int role) const
{
    const access::UserSummary &u = m_users.at(row);
    if (role != Qt::DisplayRole && role != Qt::AccessibleTextRole && role != Qt::ToolTipRole)
        return {};
    switch (column) {
    case Name:
        return u.name;
    case Role:
        return access::roleTitle(u.role);
    case Operator:
        return u.operatorName;
    case LastLogin:
        return u.lastLoginAt.isValid() ? QLocale().toString(u.lastLoginAt.toLocalTime(), QLocale::ShortFormat) : tr("never");
    case FailedLogins:
        if (u.lockedUntil.isValid() && u.lockedUntil > QDateTime::currentDateTimeUtc())
            return tr("%1 (locked until %2)").arg(u.failedLogins).arg(QLocale().toString(u.lockedUntil.toLocalTime().time(), QLocale::ShortFormat));
        return u.failedLogins;
    default:
        return {};
    }
}

QString UserTableModel::columnTitle(int column) const
{
    switch (column) {
    case Name:
        return tr("User");
    case Role:
        return tr("Role");
    case Operator:
        return tr("Operator");
    case LastLogin:
        return tr("Last login");
    case FailedLogins:
        return tr("Failed logins");
    default:
        return {};
    }
}

} // namespace simfleet::models
