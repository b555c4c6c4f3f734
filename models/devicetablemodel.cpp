#include "devicetablemodel.h"
#include "fleet/fleetqueries.h"
#include "fleet/devicecsv.h"
#include "accesscontroller.h"

#include "accesscontroller.h"
#include "fleet/devicefilter.h"
#include "store/workspace.h"
#include "store/workspaceservice.h"

#include <QDir>
#include <QSaveFile>

namespace simfleet::models {

DeviceTableModel::DeviceTableModel(AccessController *access, QObject *parent)
    : TableModel(access, ColumnCount, parent)
{
}

QString DeviceTableModel::setFilter(const QString &filter, const QString &search)
{
    store::DeviceRepository::PageQuery query = m_query;
    query.where.clear();
    query.values.clear();
    if (!filter.trimmed().isEmpty()) {
        auto parsed = fleet::DeviceFilter::parse(filter);
        if (!parsed)
            return parsed.errorMessage();
        // Within the reader's scope: an account manager's operator=X looks at their own profiles.
        const access::Session *session = accessController()->session();
        query.where = session ? parsed->whereClause(&query.values, session->scope()) : parsed->whereClause(&query.values);
    }
    query.search = search;
    m_query = query;
    reload();
    return {};
}

void DeviceTableModel::reload()
{
    beginResetModel();
    m_rows.clear();
    m_total = 0;
    m_endReached = false;
    m_counted = false;
    m_fetching = false;
    m_generation = nextGeneration();
    endResetModel();
    // The first page is asked for before the count: over a million devices counting a filter
    // takes a few hundred milliseconds, and the rows need not wait for it.
    fetchMore({});
    const quint64 generation = m_generation;
    const auto query = m_query;
    ++m_pending;
    accessController()->request<qint64>(
        this,
        [query](store::Workspace &ws, const access::Session &session) {
            return fleet::FleetQueries(ws).deviceCount(session, query);
        },
        [this, generation](const Result<qint64> &count) {
            --m_pending;
            if (!isCurrent(generation))
                return;
            if (!count) {
                Q_EMIT loadFailed(count.errorMessage());
                return;
            }
            m_total = std::max<qint64>(count.value(), m_rows.size());
            m_counted = true;
            Q_EMIT totalCountChanged(m_total);
            Q_EMIT loaded();
        });
}

qint64 DeviceTableModel::deviceIdAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row).device.id : 0;
}

void DeviceTableModel::detailFor(qint64 deviceId, QObject *context, std::function<void(const Result<fleet::DeviceDetail> &)> done)
{
    accessController()->request<fleet::DeviceDetail>(
        context,
        [deviceId](store::Workspace &ws, const access::Session &session) { return fleet::DeviceDetail::load(ws, session, deviceId); },
        std::move(done));
}

void DeviceTableModel::exportCsv(const QString &path)
{
    const auto query = m_query;
    accessController()->request<qint64>(
        this,
        [query, path](store::Workspace &ws, const access::Session &session) -> Result<qint64> {
            if (auto ok = session.require(access::Permission::ExportFleet, ws.clock()); !ok)
                return ok.error();
            QSaveFile file(path);
            if (!file.open(QIODevice::WriteOnly))
                return fail(tr("cannot write %1: %2").arg(path, file.errorString()));
            file.write(fleet::deviceCsv::header());
            const fleet::FleetQueries devices(ws);
            qint64 written = 0;
            constexpr int chunk = 5000;
            for (;;) {
                auto page = devices.devicePage(session, query, written, chunk);
                if (!page)
                    return page.error();
                QByteArray text;
                for (const store::DeviceOverview &o : page.value())
                    text += fleet::deviceCsv::row(o);
                if (file.write(text) != text.size())
                    return fail(tr("cannot write %1: %2").arg(path, file.errorString()));
                written += page->size();
                if (page->size() < chunk)
                    break;
            }
            if (!file.commit())
                return fail(tr("cannot write %1: %2").arg(path, file.errorString()));
            return written;
        },
        [this, path](const Result<qint64> &n) {
            Q_EMIT exported(n.ok(), n ? tr("%n device(s) exported to %1.", nullptr, int(n.value())).arg(QDir::toNativeSeparators(path))
                                      : n.errorMessage());
        });
}

int DeviceTableModel::rows() const
{
    return int(m_rows.size());
}

QVariant DeviceTableModel::cell(int row, int column, int role) const
{
    const store::DeviceOverview &o = m_rows.at(row);
    if (role == Qt::DisplayRole || role == Qt::ToolTipRole) {
        switch (Column(column)) {
        case Eid: return o.device.eid;
        case Imei: return o.device.imei;
        case Label: return o.device.label;
        case Customer: return o.customer;
        case Fleet: return o.fleet;
        case Operator: return o.operatorName.value_or(role == Qt::ToolTipRole ? tr("No enabled profile") : QString());
        case Iccid: return o.iccid.value_or(QString());
        case Attestation: return o.attestation.value_or(role == Qt::ToolTipRole ? tr("Not attested yet") : QString());
        case Model: return o.device.model;
        case SecureElement:
            return o.device.secureElement == store::SecureElementKind::IntegratedUicc ? tr("Integrated UICC")
                                                                                       : tr("Trusted environment");
        case ColumnCount: break;
        }
    }
    if (role == DeviceIdRole)
        return o.device.id;
    return {};
}

QString DeviceTableModel::columnTitle(int column) const
{
    switch (Column(column)) {
    case Eid: return tr("EID");
    case Imei: return tr("IMEI");
    case Label: return tr("Label");
    case Customer: return tr("Customer");
    case Fleet: return tr("Fleet");
    case Operator: return tr("Operator");
    case Iccid: return tr("ICCID");
    case Attestation: return tr("Attestation");
    case Model: return tr("Model");
    case SecureElement: return tr("Secure element");
    case ColumnCount: break;
    }
    return {};
}

bool DeviceTableModel::canFetchMore(const QModelIndex &parent) const
{
    if (parent.isValid() || m_fetching || m_endReached)
        return false;
    return !m_counted || m_rows.size() < m_total;
}

void DeviceTableModel::fetchMore(const QModelIndex &parent)
{
    if (!canFetchMore(parent))
        return;
    m_fetching = true;
    ++m_pending;
    const quint64 generation = m_generation;
    const auto query = m_query;
    const qint64 offset = m_rows.size();
    accessController()->request<QList<store::DeviceOverview>>(
        this,
        [query, offset](store::Workspace &ws, const access::Session &session) {
            return fleet::FleetQueries(ws).devicePage(session, query, offset, pageSize);
        },
        [this, generation](const Result<QList<store::DeviceOverview>> &page) {
            --m_pending;
            if (!isCurrent(generation))
                return;
            if (!page) {
                m_fetching = false;
                Q_EMIT loadFailed(page.errorMessage());
                return;
            }
            if (!page->isEmpty()) {
                // Still fetching while the rows go in: views ask for more from inside these calls.
                beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + page->size() - 1));
                m_rows.append(page.value());
                endInsertRows();
            }
            if (page->size() < pageSize) {
                m_endReached = true; // the last page (or the workspace changed under us): stop asking
                if (m_counted && m_total != m_rows.size()) {
                    m_total = m_rows.size();
                    Q_EMIT totalCountChanged(m_total);
                }
            }
            if (!m_counted)
                m_total = std::max<qint64>(m_total, m_rows.size());
            m_fetching = false;
            Q_EMIT loaded();
        });
}

void DeviceTableModel::sort(int column, Qt::SortOrder order)
{
    using Sort = store::DeviceRepository::Sort;
    static const Sort byColumn[] = { Sort::Eid,      Sort::Imei,  Sort::Label,       Sort::Customer, Sort::Fleet,
                                     Sort::Operator, Sort::Iccid, Sort::Attestation, Sort::Model,    Sort::Eid };
    if (column < 0 || column >= ColumnCount)
        return;
    m_query.sort = byColumn[column];
    m_query.descending = order == Qt::DescendingOrder;
    reload();
}

} // namespace simfleet::models
