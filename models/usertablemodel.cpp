#include "usertablemodel.h"
#include "accesscontroller.h"

#include "store/operatorrepository.h"
#include "store/workspace.h"

#include <QLocale>

namespace simfleet::models {

UserTableModel::UserTableModel(AccessController *access, QObject *parent) : QAbstractTableModel(parent), m_access(access) { }

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
    m_access->request<UsersAndSettings>(
        this,
        [](store::Workspace &ws, const access::Session &session) -> Result<UsersAndSettings> {
            access::AccessService service(ws);
            auto users = service.users(session);
            if (!users)
                return users.error();
            auto operators = store::OperatorRepository(ws.database()).list();
            if (!operators)
                return operators.error();
            UsersAndSettings out { users.value(), {}, service.idleMinutes() };
            for (const auto &op : operators.value())
                out.operators << op.name;
            return out;
        },
        [this](const Result<UsersAndSettings> &r) {
            beginResetModel();
            m_users = r ? r->users : QList<access::UserSummary>();
            endResetModel();
            if (!r) {
                Q_EMIT loadFailed(r.errorMessage());
                return;
            }
            m_operators = r->operators;
            m_idleMinutes = r->idleMinutes;
            Q_EMIT loaded();
        });
}

void UserTableModel::change(std::function<Result<void>(store::Workspace &, const access::Session &)> work, const QString &done)
{
    m_access->request<bool>(
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
    change([user](store::Workspace &ws, const access::Session &s) { return access::AccessService(ws).addUser(s, user); },
           tr("Added %1 (%2).").arg(user.name, access::roleTitle(user.role)));
}

void UserTableModel::setRole(const QString &name, access::Role role, const QString &operatorName,
                             const std::optional<QByteArray> &password)
{
    change([=](store::Workspace &ws, const access::Session &s) {
               return access::AccessService(ws).setRole(s, name, role, operatorName, password);
           },
           tr("%1 is now %2.").arg(name, access::roleTitle(role)));
}

void UserTableModel::setPassword(const QString &name, const QByteArray &password)
{
    change([=](store::Workspace &ws, const access::Session &s) { return access::AccessService(ws).setPassword(s, name, password); },
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

int UserTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_users.size());
}

int UserTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant UserTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const access::UserSummary &u = m_users.at(index.row());
    if (role != Qt::DisplayRole && role != Qt::AccessibleTextRole && role != Qt::ToolTipRole)
        return {};
    switch (index.column()) {
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

QVariant UserTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
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
