#include "campaignqueries.h"
#include "runlock.h"

#include "access/session.h"
#include "core/clock.h"
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
    CampaignSummary s;
    s.campaignId = campaignId;
    s.name = c.name;
    s.kind = c.kind;
    s.state = c.state;
    // Recorded as running but nobody holds its lock: its process was killed.
    if (s.state == u"running" && !RunLock::isHeld(RunLock::pathFor(m_workspace.info().path, campaignId)))
        s.state = QStringLiteral("interrupted");
    s.note = c.note;
    if (c.startedAt.isValid())
        s.seconds = double(c.startedAt.msecsTo(c.finishedAt.isValid() ? c.finishedAt : m_workspace.clock().now())) / 1000.0;
    auto outcomes = campaigns.outcomes(campaignId, by.scope().campaignItems());
    if (!outcomes)
        return outcomes.error();
    for (const auto &o : outcomes.value()) {
        s.total += o.count;
        if (o.state == u"succeeded")
            s.succeeded += o.count;
        else if (o.state == u"failed")
            s.failed += o.count;
        else if (o.state == u"rolled-back")
            s.rolledBack += o.count;
        else if (o.state == u"skipped")
            s.skipped += o.count;
        else if (o.state == u"cancelled")
            s.cancelled += o.count;
        else
            s.unfinished += o.count;
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
    QByteArray text = "eid,outcome,reason,attempts,old_iccid,new_iccid,new_imsi,updated_at\n";
    const auto flush = [&]() -> Result<void> {
        if (out.write(text) != text.size())
            return fail(QStringLiteral("writing the report failed: %1").arg(out.errorString()));
        text.clear();
        return {};
    };
    auto rows = store::CampaignRepository(m_workspace.database())
                    .forEachReportRow(campaignId, by.scope().campaignItems(), [&](const store::CampaignReportRow &r) -> Result<void> {
                        const QStringList cells { r.eid,      r.state,    r.reason,  QString::number(r.attempts),
                                                  r.oldIccid, r.newIccid, r.newImsi, r.updatedAt };
                        text += cells.join(u',').toUtf8() + '\n';
                        return text.size() > (1 << 20) ? flush() : Result<void>();
                    });
    if (!rows)
        return rows;
    return flush();
}

} // namespace simfleet::campaigns
