#pragma once

#include "access/accessservice.h"

#include "tablemodel.h"
#include <QList>
#include <QStringList>

#include <functional>
#include <optional>

namespace simfleet::models {
class AccessController;

// The workspace's users for Administrators: name, role, operator, last login and failed logins.
// Read on the store thread; the backend refuses anyone else.
class UserTableModel : public TableModel
{
    Q_OBJECT
public:
    enum Column { Name, Role, Operator, LastLogin, FailedLogins, ColumnCount };

    explicit UserTableModel(AccessController *access, QObject *parent = nullptr);
    // The users, the operators an account manager may be bound to, and the idle time.
    void reload();
    const access::UserSummary *userAt(int row) const;
    const QStringList &operatorNames() const { return m_operators; }
    qint64 idleMinutes() const { return m_idleMinutes; }

    // Changes made on the store thread as the logged-in user; each ends with actionFinished.
    void addUser(const access::NewUser &user);
    void setRole(const QString &name, access::Role role, const QString &operatorName, const std::optional<QByteArray> &password);
    void setPassword(const QString &name, const QByteArray &password);
    void removeUser(const QString &name);
    void setIdleMinutes(qint64 minutes);


Q_SIGNALS:
    void actionFinished(bool ok, const QString &message);

private:
    int rows() const override;
    QVariant cell(int row, int column, int role) const override;
    QString columnTitle(int column) const override;
    void change(std::function<Result<void>(store::Workspace &, const access::Session &)> work, const QString &done);

    QList<access::UserSummary> m_users;
    QStringList m_operators;
    qint64 m_idleMinutes = 0;
};

} // namespace simfleet::models
