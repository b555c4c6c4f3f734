#include "campaignoptions.h"

#include <QCommandLineParser>
#include <QFileInfo>

namespace simfleet::cli {

namespace {

Result<int> whole(const QCommandLineParser &parser, const QCommandLineOption &option, int fallback, int min, int max)
{
    if (!parser.isSet(option))
        return fallback;
    bool ok = false;
    QString text = parser.value(option);
    text.remove(u'%');
    const int v = text.toInt(&ok);
    if (!ok || v < min || v > max)
        return fail(QStringLiteral("--%1 must be a whole number from %2 to %3").arg(option.names().first()).arg(min).arg(max));
    return v;
}

} // namespace

Result<campaigns::CampaignSettings> CampaignOptions::settings(const QCommandLineParser &parser) const
{
    campaigns::CampaignSettings s;
    auto b = whole(parser, batch, s.batchSize, 1, 100000);
    auto c = whole(parser, concurrency, s.concurrency, 1, 512);
    auto canaryPct = whole(parser, canary, s.canaryPercent, 0, 100);
    auto minPct = whole(parser, minSuccess, s.minSuccessPercent, 0, 100);
    for (const auto *r : { &b, &c, &canaryPct, &minPct }) {
        if (!*r)
            return r->error();
    }
    s.batchSize = b.value();
    s.concurrency = c.value();
    s.canaryPercent = canaryPct.value();
    s.minSuccessPercent = minPct.value();
    if (parser.isSet(minSuccess) && !parser.isSet(canary))
        return fail(QStringLiteral("--min-success applies to a canary; give --canary PCT as well"));
    if (parser.isSet(rate)) {
        QString text = parser.value(rate);
        if (text.endsWith(QStringLiteral("/s")))
            text.chop(2);
        bool ok = false;
        s.ratePerSecond = text.toDouble(&ok);
        // !(x > 0) also refuses "nan", which every comparison lets through.
        if (!ok || !(s.ratePerSecond > 0) || s.ratePerSecond > 1e6)
            return fail(QStringLiteral("--rate must be devices per second, e.g. --rate 50/s"));
    }
    if (parser.isSet(timeout)) {
        bool ok = false;
        const double seconds = parser.value(timeout).toDouble(&ok);
        if (!ok || !(seconds > 0) || seconds > 600)
            return fail(QStringLiteral("--timeout must be a number of seconds from 0 to 600"));
        s.answerTimeoutMs = int(seconds * 1000);
    }
    if (parser.isSet(reach)) {
        const QString where = parser.value(reach);
        if (where != QLatin1StringView("field") && where != QLatin1StringView("network"))
            return fail(QStringLiteral("--reach is field or network, not \"%1\"").arg(where.left(32)));
        s.network = where == QLatin1StringView("network");
    }
    if (parser.isSet(deadline)) {
        if (!s.network)
            return fail(QStringLiteral("--deadline is for devices on the network (--reach network): devices in the field answer at once"));
        const auto seconds = campaigns::CampaignSettings::parseDuration(parser.value(deadline));
        if (!seconds)
            return fail(QStringLiteral("--deadline is a duration such as 90s, 45m, 2h or 7d, not \"%1\"").arg(parser.value(deadline).left(32)));
        s.deadlineSeconds = *seconds;
    }
    if (parser.isSet(trace)) {
        if (parser.value(trace).isEmpty())
            return fail(QStringLiteral("--trace needs the directory the trace goes to"));
        s.traceDirectory = QFileInfo(parser.value(trace)).absoluteFilePath();
    }
    return s;
}

} // namespace simfleet::cli
