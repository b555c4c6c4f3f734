#include "campaign.h"

#include <QJsonObject>

#include <array>

namespace simfleet::campaigns {

namespace {

// The text of each value of an enum, in the enum's order.
template<typename E, std::size_t N>
std::optional<E> fromName(QStringView name, const std::array<const char *, N> &names)
{
    for (std::size_t i = 0; i < N; ++i) {
        if (name == QLatin1StringView(names[i]))
            return E(i);
    }
    return std::nullopt;
}

constexpr std::array<const char *, 2> kindNames { "initial-provisioning", "subscription-change" };
constexpr std::array<const char *, 6> campaignStateNames { "created", "running", "paused", "interrupted", "finished", "cancelled" };
constexpr std::array<const char *, 12> itemStateNames { "pending",   "attesting",    "downloading", "enabling",
                                                        "confirming", "deleting-old", "rolling-back", "succeeded",
                                                        "failed",    "rolled-back",  "skipped",     "cancelled" };

} // namespace

QString kindName(CampaignKind kind)
{
    return QLatin1StringView(kindNames.at(std::size_t(kind)));
}

std::optional<CampaignKind> kindFromName(QStringView name)
{
    return fromName<CampaignKind>(name, kindNames);
}

QString campaignStateName(CampaignState state)
{
    return QLatin1StringView(campaignStateNames.at(std::size_t(state)));
}

std::optional<CampaignState> campaignStateFromName(QStringView name)
{
    return fromName<CampaignState>(name, campaignStateNames);
}

QString itemStateName(ItemState state)
{
    return QLatin1StringView(itemStateNames.at(std::size_t(state)));
}

std::optional<ItemState> itemStateFromName(QStringView name)
{
    return fromName<ItemState>(name, itemStateNames);
}

bool isFinal(ItemState state)
{
    switch (state) {
    case ItemState::Pending:
    case ItemState::Attesting:
    case ItemState::Downloading:
    case ItemState::Enabling:
    case ItemState::Confirming:
    case ItemState::DeletingOld:
    case ItemState::RollingBack:
        return false;
    case ItemState::Succeeded:
    case ItemState::Failed:
    case ItemState::RolledBack:
    case ItemState::Skipped:
    case ItemState::Cancelled:
        return true;
    }
    return false;
}

QJsonObject CampaignSettings::toJson() const
{
    QJsonObject json { { QStringLiteral("batch"), batchSize },
             { QStringLiteral("concurrency"), concurrency },
             { QStringLiteral("rate"), ratePerSecond },
             { QStringLiteral("canary_percent"), canaryPercent },
             { QStringLiteral("min_success_percent"), minSuccessPercent },
             { QStringLiteral("answer_timeout_ms"), answerTimeoutMs },
             { QStringLiteral("attempts"), attempts },
             { QStringLiteral("backoff_ms"), backoffMs } };
    if (!traceDirectory.isEmpty())
        json.insert(QStringLiteral("trace_directory"), traceDirectory);
    if (network) {
        json.insert(QStringLiteral("devices"), QStringLiteral("network"));
        json.insert(QStringLiteral("deadline_seconds"), deadlineSeconds);
        if (deadline.isValid())
            json.insert(QStringLiteral("deadline"), deadline.toUTC().toString(Qt::ISODateWithMs));
    }
    return json;
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
    s.traceDirectory = json.value(QStringLiteral("trace_directory")).toString();
    s.network = json.value(QStringLiteral("devices")).toString() == QLatin1StringView("network");
    s.deadlineSeconds = std::max<qint64>(1, json.value(QStringLiteral("deadline_seconds")).toInteger(s.deadlineSeconds));
    s.deadline = QDateTime::fromString(json.value(QStringLiteral("deadline")).toString(), Qt::ISODateWithMs);
    return s;
}

std::optional<qint64> CampaignSettings::parseDuration(QStringView text)
{
    text = text.trimmed();
    if (text.isEmpty())
        return std::nullopt;
    qint64 unit = 1;
    switch (text.back().toLatin1()) {
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 24 * 3600; break;
    default: unit = 0; break;
    }
    const QStringView number = unit == 0 ? text : text.chopped(1);
    bool ok = false;
    const qint64 value = number.toLongLong(&ok);
    // Up to ten years: anything longer is a typo, and overflows nothing.
    if (!ok || value <= 0 || value > 3650LL * 24 * 3600 / std::max<qint64>(unit, 1))
        return std::nullopt;
    return value * std::max<qint64>(unit, 1);
}

QJsonObject CampaignSummary::toJson() const
{
    QJsonObject reasons;
    for (auto it = byReason.cbegin(); it != byReason.cend(); ++it)
        reasons.insert(it.key(), it.value());
    return { { QStringLiteral("campaign"), campaignId },
             { QStringLiteral("name"), name },
             { QStringLiteral("kind"), kindName(kind) },
             { QStringLiteral("state"), campaignStateName(state) },
             { QStringLiteral("note"), note },
             { QStringLiteral("devices"), total },
             { QStringLiteral("succeeded"), succeeded },
             { QStringLiteral("failed"), failed },
             { QStringLiteral("rolled_back"), rolledBack },
             { QStringLiteral("skipped"), skipped },
             { QStringLiteral("cancelled"), cancelled },
             { QStringLiteral("unfinished"), unfinished },
             { QStringLiteral("waiting"), waiting },
             { QStringLiteral("by_reason"), reasons },
             { QStringLiteral("seconds"), seconds } };
}

} // namespace simfleet::campaigns
