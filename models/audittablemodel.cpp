#include "audittablemodel.h"
#include "accesscontroller.h"

#include "access/audittrail.h"

#include <QLocale>

namespace simfleet::models {

AuditTableModel::AuditTableModel(AccessController *access, QObject *parent) : TableModel(access, ColumnCount, parent) { }

void AuditTableModel::setSearch(const QString &search)
{
    m_search = search;
    reload();
}

void AuditTableModel::reload()
{
    beginResetModel();
    m_rows.clear();
    m_more = true;
    m_fetching = false;
    m_generation = nextGeneration();
    endResetModel();
    fetchMore({});
}

int AuditTableModel::rows() const
{
    return int(m_rows.size());
}

QVariant AuditTableModel::cell(int row, int column, int role) const
{
    const store::AuditEntry &e = m_rows.at(row);
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole && role != Qt::AccessibleTextRole)
        return {};
    switch (Column(column)) {
    case Seq: return e.seq;
    case When: return QLocale().toString(e.at.toLocalTime(), QLocale::ShortFormat);
    case User: return e.actor;
    case Action: return e.action;
    case Subject: return e.subject;
    case Details: return e.details;
    case ColumnCount: break;
    }
    return {};
}

QString AuditTableModel::columnTitle(int column) const
{
    switch (Column(column)) {
    case Seq: return tr("#");
    case When: return tr("When");
    case User: return tr("User");
    case Action: return tr("Action");
    case Subject: return tr("Subject");
    case Details: return tr("Details");
    case ColumnCount: break;
    }
    return {};
}

bool AuditTableModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && m_more && !m_fetching;
}

void AuditTableModel::fetchMore(const QModelIndex &parent)
{
    if (!canFetchMore(parent))
        return;
    m_fetching = true;
    const quint64 generation = m_generation;
    const QString search = m_search;
    const qint64 before = m_rows.isEmpty() ? 0 : m_rows.last().seq;
    accessController()->request<QList<store::AuditEntry>>(
        this,
        [search, before](store::Workspace &ws, const access::Session &session) {
            return access::AuditTrail::read(ws, session, search, before, pageSize);
        },
        [this, generation](const Result<QList<store::AuditEntry>> &page) {
            if (!isCurrent(generation))
                return;
            m_fetching = false;
            if (!page) {
                m_more = false;
                Q_EMIT loadFailed(page.errorMessage());
                return;
            }
            m_more = page->size() == pageSize;
            if (!page->isEmpty()) {
                beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + page->size() - 1));
                m_rows.append(page.value());
                endInsertRows();
            }
            Q_EMIT loaded();
        });
}

} // namespace simfleet::models
