#include "campaign.h"

#include <QJsonObject>

namespace simfleet::campaigns {

QString kindName(CampaignKind kind)
{
    return kind == CampaignKind::InitialProvisioning ? QStringLiteral("initial-provisioning")
                                                     : QStringLiteral("subscription-change");
}

bool item::isFinal(QStringView state)
{
    return state == QLatin1StringView(succeeded) || state == QLatin1StringView(failed)
        || state == QLatin1StringView(rolledBack) || state == QLatin1StringView(skipped)
        || state == QLatin1StringView(cancelled);
}

QJsonObject CampaignSettings::toJson() const
{
    return { { QStringLiteral("batch"), batchSize },
             { QStringLiteral("concurrency"), concurrency },
             { QStringLiteral("rate"), ratePerSecond },
             { QStringLiteral("canary_percent"), canaryPercent },
             { QStringLiteral("min_success_percent"), minSuccessPercent },
             { QStringLiteral("answer_timeout_ms"), answerTimeoutMs },
             { QStringLiteral("attempts"), attempts },
             { QStringLiteral("backoff_ms"), backoffMs } };
}

CampaignSettings CampaignSettings::fromJson(const QJsonObject &json)
{
    CampaignSettings s;
    s.batchSize = std::max(1, json.value(QStringLiteral("batch")).toInt(s.batchSize));
    s.concurrency = std::max(1, json.value(QStringLiteral("concurrency")).toInt(s.concurrency));
    s.ratePerSecond = std::max(0.0, json.value(QStringLiteral("rate")).toDouble(s.ratePerSecond));
    s.canaryPercent = std::clamp(json.value(QStringLiteral("canary_percent")).toInt(s.canaryPercent), 0, 100);
    s.minSuccessPercent = std::clamp(json.value(QStringLiteral("min_success_percent")).toInt(s.minSuccessPercent), 0, 100);
    s.answerTimeoutMs = std::max(1, json.value(QStringLiteral("answer_timeout_ms")).toInt(s.answerTimeoutMs));
    s.attempts = std::max(1, json.value(QStringLiteral("attempts")).toInt(s.attempts));
    s.backoffMs = std::max(0, json.value(QStringLiteral("backoff_ms")).toInt(s.backoffMs));
    return s;
}

QJsonObject CampaignSummary::toJson() const
{
    QJsonObject reasons;
    for (auto it = byReason.cbegin(); it != byReason.cend(); ++it)
        reasons.insert(it.key(), it.value());
    return { { QStringLiteral("campaign"), campaignId },
             { QStringLiteral("name"), name },
             { QStringLiteral("kind"), kind },
             { QStringLiteral("state"), state },
             { QStringLiteral("note"), note },
             { QStringLiteral("devices"), total },
             { QStringLiteral("succeeded"), succeeded },
             { QStringLiteral("failed"), failed },
             { QStringLiteral("rolled_back"), rolledBack },
             { QStringLiteral("skipped"), skipped },
             { QStringLiteral("cancelled"), cancelled },
             { QStringLiteral("unfinished"), unfinished },
             { QStringLiteral("by_reason"), reasons },
             { QStringLiteral("seconds"), seconds } };
}

} // namespace simfleet::campaigns
