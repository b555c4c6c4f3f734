#pragma once

#include "store/auditlog.h"

#include <QAbstractTableModel>
#include <QList>

namespace simfleet::models {
class AccessController;

// The audit log, newest first, fetched a page at a time on the store thread as the view scrolls
// and filtered in SQL by user, action or subject. The backend decides who may read it.
class AuditTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Seq, When, User, Action, Subject, Details, ColumnCount };
    static constexpr int pageSize = 256;

    explicit AuditTableModel(AccessController *access, QObject *parent = nullptr);
    void setSearch(const QString &search);
    void reload();

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

Q_SIGNALS:
    void loaded();
    void loadFailed(const QString &message);

private:
    AccessController *m_access;
    QList<store::AuditEntry> m_rows;
    QString m_search;
    bool m_more = false;
    bool m_fetching = false;
    quint64 m_generation = 0;
};

} // namespace simfleet::models
