#pragma once

#include "store/auditlog.h"

#include "tablemodel.h"
#include <QList>

namespace simfleet::models {
class AccessController;

// The audit log, newest first, fetched a page at a time on the store thread as the view scrolls
// and filtered in SQL by user, action or subject. The backend decides who may read it.
class AuditTableModel : public TableModel
{
    Q_OBJECT
public:
    enum Column { Seq, When, User, Action, Subject, Details, ColumnCount };
    static constexpr int pageSize = 256;

    explicit AuditTableModel(AccessController *access, QObject *parent = nullptr);
    void setSearch(const QString &search);
    void reload();

    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

private:
    int rows() const override;
    QVariant cell(int row, int column, int role) const override;
    QString columnTitle(int column) const override;
    QList<store::AuditEntry> m_rows;
    QString m_search;
    bool m_more = false;
    bool m_fetching = false;
    quint64 m_generation = 0;
};

} // namespace simfleet::models
