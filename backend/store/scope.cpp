#include "scope.h"

namespace simfleet::store {

namespace {
QVariantList repeated(qint64 value, int times)
{
    QVariantList out;
    for (int i = 0; i < times; ++i)
        out.append(value);
    return out;
}
} // namespace

Scope::Condition Scope::devices(const QString &device) const
{
    if (!m_operatorId)
        return { QStringLiteral("TRUE"), {} };
    return { QStringLiteral("(EXISTS (SELECT 1 FROM profile sp WHERE sp.device_id = %1.id AND +sp.operator_id = ?"
                            " AND sp.state <> 'deleted')"
                            " OR EXISTS (SELECT 1 FROM campaign_item si JOIN campaign sc ON sc.id = si.campaign_id"
                            " WHERE si.device_id = %1.id AND +sc.target_operator_id = ?"
                            " AND sc.state IN ('created', 'running', 'paused', 'interrupted')"
                            " AND si.state NOT IN ('succeeded', 'failed', 'rolled-back', 'skipped', 'cancelled'))"
                            " OR (NOT EXISTS (SELECT 1 FROM profile sn WHERE sn.device_id = %1.id AND sn.state <> 'deleted')"
                            " AND %1.fleet_id IN (SELECT sf.id FROM fleet sf WHERE sf.home_operator_id = ?)))")
                 .arg(device),
             repeated(*m_operatorId, 3) };
}

Scope::Condition Scope::profiles(const QString &profile) const
{
    if (!m_operatorId)
        return { QStringLiteral("TRUE"), {} };
    return { QStringLiteral("%1.operator_id = ?").arg(profile), { *m_operatorId } };
}

Scope::Condition Scope::fleets(const QString &fleet) const
{
    if (!m_operatorId)
        return { QStringLiteral("TRUE"), {} };
    const Condition visible = devices(QStringLiteral("fd"));
    return { QStringLiteral("EXISTS (SELECT 1 FROM device fd WHERE fd.fleet_id = %1.id AND %2)").arg(fleet, visible.sql),
             visible.values };
}

Scope::Condition Scope::customers(const QString &customer) const
{
    if (!m_operatorId)
        return { QStringLiteral("TRUE"), {} };
    const Condition visible = devices(QStringLiteral("cd"));
    return { QStringLiteral("EXISTS (SELECT 1 FROM fleet cf JOIN device cd ON cd.fleet_id = cf.id WHERE cf.customer_id = %1.id"
                            " AND %2)")
                 .arg(customer, visible.sql),
             visible.values };
}

Scope::Condition Scope::campaigns(const QString &campaign) const
{
    if (!m_operatorId)
        return { QStringLiteral("TRUE"), {} };
    return { QStringLiteral("(%1.target_operator_id = ?"
                            " OR EXISTS (SELECT 1 FROM campaign_item sci JOIN profile sop ON sop.id = sci.old_profile_id"
                            " WHERE sci.campaign_id = %1.id AND sop.operator_id = ?)"
                            " OR (%1.state IN ('created', 'running', 'paused', 'interrupted')"
                            " AND EXISTS (SELECT 1 FROM campaign_item scd JOIN profile scp ON scp.device_id = scd.device_id"
                            " WHERE scd.campaign_id = %1.id AND scd.old_profile_id IS NULL AND scp.operator_id = ?"
                            " AND scd.state NOT IN ('succeeded', 'failed', 'rolled-back', 'skipped', 'cancelled')"
                            " AND scp.state <> 'deleted')))")
                 .arg(campaign),
             repeated(*m_operatorId, 3) };
}

Scope::Condition Scope::campaignItems(const QString &item) const
{
    if (!m_operatorId)
        return { QStringLiteral("TRUE"), {} };
    return { QStringLiteral("(EXISTS (SELECT 1 FROM campaign stc WHERE stc.id = %1.campaign_id AND stc.target_operator_id = ?)"
                            " OR EXISTS (SELECT 1 FROM profile sio WHERE sio.id = %1.old_profile_id AND sio.operator_id = ?)"
                            " OR (%1.old_profile_id IS NULL"
                            " AND %1.state NOT IN ('succeeded', 'failed', 'rolled-back', 'skipped', 'cancelled')"
                            " AND EXISTS (SELECT 1 FROM profile sid WHERE sid.device_id = %1.device_id"
                            " AND +sid.operator_id = ? AND sid.state <> 'deleted')))")
                 .arg(item),
             repeated(*m_operatorId, 3) };
}

} // namespace simfleet::store
