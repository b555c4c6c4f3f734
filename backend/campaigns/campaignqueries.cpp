#include "campaignqueries.h"
#include "runlock.h"

#include "access/session.h"
#include "core/clock.h"
#include "fleet/csvreader.h"
#include "store/campaignrepository.h"
#include "store/workspace.h"

#include <QIODevice>

namespace simfleet::campaigns {

Result<void> CampaignQueries::checkVisible(const access::Session &by, qint64 campaignId) const
{
    if (auto ok = by.require(access::Permission::ViewFleet, m_workspace.clock()); !ok)
        return ok;
    auto visible = store::CampaignRepository(m_workspace.database()).isVisible(campaignId, by.scope().campaigns());
    if (!visible)
        return visible.error();
    if (!visible.value())
        return fail(QStringLiteral("there is no campaign %1").arg(campaignId));
    return {};
}

Result<CampaignSummary> CampaignQueries::summary(const access::Session &by, qint64 campaignId) const
{
    if (auto ok = checkVisible(by, campaignId); !ok)
        return ok.error();
    return summaryOf(by, campaignId);
}

Result<CampaignSummary> CampaignQueries::summaryOf(const access::Session &by, qint64 campaignId) const
{
    store::CampaignRepository campaigns(m_workspace.database());
    auto found = campaigns.find(campaignId);
    if (!found)
        return found.error();
    if (!found.value())
        return fail(QStringLiteral("there is no campaign %1").arg(campaignId));
    const store::CampaignRecord &c = *found.value();
    const auto kind = kindFromName(c.kind);
    const auto state = campaignStateFromName(c.state);
    if (!kind || !state)
        return fail(QStringLiteral("campaign %1 is recorded as %2, %3, which simfleet does not know; the workspace is damaged or "
                                   "comes from a newer simfleet")
                        .arg(campaignId)
                        .arg(c.kind, c.state));
    CampaignSummary s;
    s.campaignId = campaignId;
    s.name = c.name;
    s.kind = *kind;
    s.state = *state;
    // Recorded as running but nobody holds its lock: its process was killed.
    QSqlDatabase reading = m_workspace.database();
    if (s.state == CampaignState::Running && !RunLock::heldBy(m_workspace.info().path, campaignId, &reading))
        s.state = CampaignState::Interrupted;
    s.note = c.note;
    if (c.startedAt.isValid())
        s.seconds = double(c.startedAt.msecsTo(c.finishedAt.isValid() ? c.finishedAt : m_workspace.clock().now())) / 1000.0;
    auto outcomes = campaigns.outcomes(campaignId, by.scope().campaignItems());
    if (!outcomes)
        return outcomes.error();
    for (const auto &o : outcomes.value()) {
        s.total += o.count;
        qint64 *counted = &s.unfinished; // states not final, and any it does not know
        switch (itemStateFromName(o.state).value_or(ItemState::Pending)) {
        case ItemState::Succeeded: counted = &s.succeeded; break;
        case ItemState::Failed: counted = &s.failed; break;
        case ItemState::RolledBack: counted = &s.rolledBack; break;
        case ItemState::Skipped: counted = &s.skipped; break;
        case ItemState::Cancelled: counted = &s.cancelled; break;
        case ItemState::Pending:
        case ItemState::Attesting:
        case ItemState::Downloading:
        case ItemState::Enabling:
        case ItemState::Confirming:
        case ItemState::DeletingOld:
        case ItemState::RollingBack: break;
        }
        *counted += o.count;
        if (o.waiting && counted == &s.unfinished)
            s.waiting += o.count;
        if (!o.reason.isEmpty())
            s.byReason[o.reason] += o.count;
    }
    return s;
}

Result<QList<CampaignSummary>> CampaignQueries::list(const access::Session &by) const
{
    if (auto ok = by.require(access::Permission::ViewFleet, m_workspace.clock()); !ok)
        return ok.error();
    auto ids = store::CampaignRepository(m_workspace.database()).visibleIds(by.scope().campaigns());
    if (!ids)
        return ids.error();
    QList<CampaignSummary> out;
    for (qint64 id : ids.value()) {
        auto s = summaryOf(by, id);
        if (!s)
            return s.error();
        out.append(s.value());
    }
    return out;
}

Result<void> CampaignQueries::writeReport(const access::Session &by, qint64 campaignId, QIODevice &out) const
{
    if (auto ok = by.require(access::Permission::ExportFleet, m_workspace.clock()); !ok)
        return ok;
    if (auto ok = checkVisible(by, campaignId); !ok)
        return ok;
    // Devices on the network: since when the campaign waits for each, and when each last checked in.
    QByteArray text = "eid,outcome,reason,attempts,old_iccid,new_iccid,new_imsi,updated_at,waiting_since,last_seen_at\n";
    const auto flush = [&]() -> Result<void> {
        if (out.write(text) != text.size())
            return fail(QStringLiteral("writing the report failed: %1").arg(out.errorString()));
        text.clear();
        return {};
    };
    auto rows = store::CampaignRepository(m_workspace.database())
                    .forEachReportRow(campaignId, by.scope().campaignItems(), by.scope(), [&](const store::CampaignReportRow &r) -> Result<void> {
                        QStringList cells { r.eid,      r.state,    r.reason,  QString::number(r.attempts),
                                            r.oldIccid, r.newIccid, r.newImsi, r.updatedAt,
                                            r.waitingSince, r.lastSeenAt };
                        for (QString &cell : cells)
                            cell = fleet::csvQuoted(cell);
                        text += cells.join(u',').toUtf8() + '\n';
                        return text.size() > (1 << 20) ? flush() : Result<void>();
                    });
    if (!rows)
        return rows;
    return flush();
}

} // namespace simfleet::campaigns
