#include "campaigntablemodel.h"
#include "accesscontroller.h"

#include "campaigns/campaignqueries.h"
#include "store/workspace.h"
#include "store/workspaceservice.h"

#include <QDir>
#include <QLocale>
#include <QSaveFile>

namespace simfleet::models {

CampaignTableModel::CampaignTableModel(AccessController *access, QObject *parent)
    : QAbstractTableModel(parent), m_access(access)
{
}

void CampaignTableModel::reload()
{
    m_access->request<QList<campaigns::CampaignSummary>>(
        this,
        [](store::Workspace &ws, const access::Session &session) {
            return campaigns::CampaignQueries(ws).list(session);
        },
        [this](const Result<QList<campaigns::CampaignSummary>> &list) {
            if (!list) {
                Q_EMIT loadFailed(list.errorMessage());
                return;
            }
            beginResetModel();
            m_campaigns = list.value();
            endResetModel();
            Q_EMIT loaded();
        });
}

int CampaignTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_campaigns.size());
}

const campaigns::CampaignSummary *CampaignTableModel::campaignAt(int row) const
{
    return row >= 0 && row < m_campaigns.size() ? &m_campaigns.at(row) : nullptr;
}

void CampaignTableModel::writeCsvReport(qint64 campaignId, const QString &path)
{
    m_access->request<bool>(
        this,
        [campaignId, path](store::Workspace &ws, const access::Session &session) -> Result<bool> {
            QSaveFile file(path);
            if (!file.open(QIODevice::WriteOnly))
                return fail(tr("cannot write %1: %2").arg(path, file.errorString()));
            if (auto ok = campaigns::CampaignQueries(ws).writeReport(session, campaignId, file); !ok)
                return ok.error();
            if (!file.commit())
                return fail(tr("cannot write %1: %2").arg(path, file.errorString()));
            return true;
        },
        [this, path](const Result<bool> &r) {
            Q_EMIT reportWritten(r.ok(), r ? tr("The report is in %1.").arg(QDir::toNativeSeparators(path)) : r.errorMessage());
        });
}

void CampaignTableModel::summaryFor(qint64 campaignId, QObject *context,
                                    std::function<void(const Result<campaigns::CampaignSummary> &)> done)
{
    m_access->request<campaigns::CampaignSummary>(
        context,
        [campaignId](store::Workspace &ws, const access::Session &session) {
            return campaigns::CampaignQueries(ws).summary(session, campaignId);
        },
        std::move(done));
}

int CampaignTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant CampaignTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const campaigns::CampaignSummary &c = m_campaigns.at(index.row());
    if (role == Qt::ToolTipRole && index.column() == State)
        return c.note.isEmpty() ? QVariant() : QVariant(c.note);
    if (role == Qt::TextAlignmentRole && index.column() >= Devices)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    const QLocale locale;
    switch (Column(index.column())) {
    case Id: return c.campaignId;
    case Name: return c.name;
    case Kind: return c.kind == u"initial-provisioning" ? tr("Provisioning") : tr("Subscription change");
    case State: return c.state;
    case Devices: return locale.toString(c.total);
    case Succeeded: return locale.toString(c.succeeded);
    case Failed: return locale.toString(c.failed);
    case RolledBack: return locale.toString(c.rolledBack);
    case Skipped: return locale.toString(c.skipped);
    case Seconds: return locale.toString(c.seconds, 'f', 1);
    case ColumnCount: break;
    }
    return {};
}

QVariant CampaignTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (Column(section)) {
    case Id: return tr("No.");
    case Name: return tr("Campaign");
    case Kind: return tr("Kind");
    case State: return tr("State");
    case Devices: return tr("Devices");
    case Succeeded: return tr("Succeeded");
    case Failed: return tr("Failed");
    case RolledBack: return tr("Rolled back");
    case Skipped: return tr("Skipped");
    case Seconds: return tr("Seconds");
    case ColumnCount: break;
    }
    return {};
}

} // namespace simfleet::models
