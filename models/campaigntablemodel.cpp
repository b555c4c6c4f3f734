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
    : TableModel(access, ColumnCount, parent)
{
}

void CampaignTableModel::reload()
{
    load<QList<campaigns::CampaignSummary>>(
        [](store::Workspace &ws, const access::Session &session) { return campaigns::CampaignQueries(ws).list(session); },
        [this](QList<campaigns::CampaignSummary> &&list) { m_campaigns = std::move(list); });
}

int CampaignTableModel::rows() const
{
    return int(m_campaigns.size());
}

const campaigns::CampaignSummary *CampaignTableModel::campaignAt(int row) const
{
    return row >= 0 && row < m_campaigns.size() ? &m_campaigns.at(row) : nullptr;
}

void CampaignTableModel::updateProgress(const campaigns::CampaignProgress &p)
{
    const auto found = std::find_if(m_campaigns.begin(), m_campaigns.end(),
                                    [&p](const campaigns::CampaignSummary &c) { return c.campaignId == p.campaignId; });
    if (found == m_campaigns.end())
        return; // a campaign this list has not read yet: the reload on its start brings it
    campaigns::CampaignSummary &c = *found;
    using campaigns::ItemState;
    c.state = campaigns::CampaignState::Running;
    c.total = p.total;
    c.succeeded = p.byState.value(ItemState::Succeeded);
    c.failed = p.byState.value(ItemState::Failed);
    c.rolledBack = p.byState.value(ItemState::RolledBack);
    c.skipped = p.byState.value(ItemState::Skipped);
    c.cancelled = p.byState.value(ItemState::Cancelled);
    c.unfinished = p.total - p.done;
    c.waiting = p.waiting;
    c.seconds = std::max(c.seconds, p.elapsedSeconds);
    const int row = int(found - m_campaigns.begin());
    Q_EMIT dataChanged(index(row, State), index(row, ColumnCount - 1), { Qt::DisplayRole });
}

void CampaignTableModel::writeCsvReport(qint64 campaignId, const QString &path)
{
    accessController()->request<bool>(
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
    accessController()->request<campaigns::CampaignSummary>(
        context,
        [campaignId](store::Workspace &ws, const access::Session &session) {
            return campaigns::CampaignQueries(ws).summary(session, campaignId);
        },
        std::move(done));
}

QVariant CampaignTableModel::cell(int row, int column, int role) const
{
    const campaigns::CampaignSummary &c = m_campaigns.at(row);
    if (role == Qt::ToolTipRole && column == State)
        return c.note.isEmpty() ? QVariant() : QVariant(c.note);
    if (role == Qt::TextAlignmentRole && column >= Devices)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    const QLocale locale;
    switch (Column(column)) {
    case Id: return c.campaignId;
    case Name: return c.name;
    case Kind: return c.kind == campaigns::CampaignKind::InitialProvisioning ? tr("Provisioning") : tr("Subscription change");
    case State: return campaigns::campaignStateName(c.state);
    case Devices: return locale.toString(c.total);
    case Succeeded: return locale.toString(c.succeeded);
    case Failed: return locale.toString(c.failed);
    case RolledBack: return locale.toString(c.rolledBack);
    case Skipped: return locale.toString(c.skipped);
    // Devices on the network the campaign waits for to check in.
    case Waiting: return locale.toString(c.waiting);
    case Seconds: return locale.toString(c.seconds, 'f', 1);
    case ColumnCount: break;
    }
    return {};
}

QString CampaignTableModel::columnTitle(int column) const
{
    switch (Column(column)) {
    case Id: return tr("No.");
    case Name: return tr("Campaign");
    case Kind: return tr("Kind");
    case State: return tr("State");
    case Devices: return tr("Devices");
    case Succeeded: return tr("Succeeded");
    case Failed: return tr("Failed");
    case RolledBack: return tr("Rolled back");
    case Skipped: return tr("Skipped");
    case Waiting: return tr("Waiting for check-in");
    case Seconds: return tr("Seconds");
    case ColumnCount: break;
    }
    return {};
}

} // namespace simfleet::models
