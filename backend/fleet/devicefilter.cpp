#include "devicefilter.h"
#include "store/sqlhelpers.h"

#include "store/scope.h"
#include "store/custodyrepository.h"
#include "store/fleetstatistics.h"
#include "core/clock.h"

#include <QDateTime>

#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>

namespace simfleet::fleet {

namespace {
const QStringList keys { QStringLiteral("customer"), QStringLiteral("fleet"), QStringLiteral("operator"),
                         QStringLiteral("model"), QStringLiteral("verdict"), QStringLiteral("secure-element"),
                         QStringLiteral("eid"), QStringLiteral("custody"), QStringLiteral("quarantined"),
                         QStringLiteral("unseen-days"), QStringLiteral("certificate-days"), QStringLiteral("reason") };
// A century: further than any device lives, and the cutoff stays a date the store can write.
constexpr int maxDays = 36500;
}

Result<DeviceFilter> DeviceFilter::parse(const QString &expression)
{
    DeviceFilter filter;
    static const QRegularExpression joiner(QStringLiteral("\\s+and\\s+"), QRegularExpression::CaseInsensitiveOption);
    for (const QString &raw : expression.split(joiner, Qt::SkipEmptyParts)) {
        const qsizetype eq = raw.indexOf(u'=');
        if (eq <= 0)
            return fail(QStringLiteral("\"%1\" is not KEY=VALUE; keys are %2").arg(raw.trimmed(), keys.join(QStringLiteral(", "))));
        Term t { raw.left(eq).trimmed().toLower(), raw.mid(eq + 1).trimmed() };
        if (t.value.size() >= 2 && (t.value.startsWith(u'"') || t.value.startsWith(u'\'')) && t.value.back() == t.value.front())
            t.value = t.value.mid(1, t.value.size() - 2);
        if (!keys.contains(t.key))
            return fail(QStringLiteral("unknown filter key \"%1\"; keys are %2").arg(t.key, keys.join(QStringLiteral(", "))));
        if (t.value.isEmpty())
            return fail(QStringLiteral("the filter term %1= has no value").arg(t.key));
        if (t.key == u"custody" && !store::custodyFromName(t.value))
            return fail(QStringLiteral("custody is in-service, stolen, lost or recovered, not \"%1\"").arg(t.value));
        if (t.key == u"quarantined" && t.value != u"yes" && t.value != u"no")
            return fail(QStringLiteral("quarantined is yes or no, not \"%1\"").arg(t.value));
        if (t.key == u"unseen-days" || t.key == u"certificate-days") {
            bool number = false;
            const int days = t.value.toInt(&number);
            if (!number || days < 1 || days > maxDays)
                return fail(QStringLiteral("%1 is a number of days from 1 to %2, not \"%3\"").arg(t.key).arg(maxDays).arg(t.value));
        }
        filter.terms.append(t);
    }
    if (filter.terms.isEmpty())
        return fail(QStringLiteral("the filter is empty; write e.g. fleet=NAME and operator=NAME"));
    return filter;
}

QString DeviceFilter::whereClause(QVariantList *values) const
{
    return whereFor(values, std::nullopt);
}

QString DeviceFilter::whereClause(QVariantList *values, const store::Scope &scope) const
{
    return whereFor(values, scope.operatorId());
}

QString DeviceFilter::whereFor(QVariantList *values, std::optional<qint64> onlyOperator) const
{
    // An account manager's "enabled profile" is one of their own operator's (Scope::profiles).
    const QString mine = onlyOperator ? QStringLiteral(" AND p.operator_id = %1").arg(*onlyOperator) : QString();
    const QDateTime from = now.isValid() ? now : QDateTime::currentDateTimeUtc();
    QStringList clauses;
    for (const Term &t : terms) {
        if (t.key == u"customer") {
            clauses << QStringLiteral("c.name = ?");
        } else if (t.key == u"fleet") {
            clauses << QStringLiteral("f.name = ?");
        } else if (t.key == u"model") {
            clauses << QStringLiteral("d.model = ?");
        } else if (t.key == u"secure-element") {
            clauses << QStringLiteral("d.secure_element = ?");
        } else if (t.key == u"eid") {
            // A prefix, taken literally: "eid=%" matches EIDs that start with %, i.e. none.
            clauses << QStringLiteral("d.eid LIKE ? ESCAPE '\\'");
            values->append(QString(store::likeLiteral(t.value) + u'%'));
            continue;
        } else if (t.key == u"operator") {
            if (t.value.compare(u"none", Qt::CaseInsensitive) == 0) {
                clauses << QStringLiteral("NOT EXISTS (SELECT 1 FROM profile p WHERE p.device_id = d.id AND p.state = 'enabled'%1)")
                               .arg(mine);
                continue;
            }
            // Looked up by device (the enabled-profile index): going by operator first would read
            // every profile of that operator once per device.
            clauses << QStringLiteral("(SELECT p.operator_id FROM profile p WHERE p.device_id = d.id AND p.state = 'enabled'%1)"
                                      " = (SELECT o.id FROM operator o WHERE o.name = ?)")
                           .arg(mine);
        } else if (t.key == u"custody") {
            clauses << QStringLiteral("d.custody = ?");
        } else if (t.key == u"quarantined") {
            clauses << (t.value == u"yes" ? QStringLiteral("d.quarantined_at IS NOT NULL") : QStringLiteral("d.quarantined_at IS NULL"));
            continue;
        } else if (t.key == u"unseen-days") {
            const QString cutoff = storedTime(from.addDays(-t.value.toInt()));
            clauses << store::deviceConditions::unseenSince();
            *values << cutoff << cutoff << cutoff;
            continue;
        } else if (t.key == u"certificate-days") {
            clauses << store::deviceConditions::certificateEndsBy();
            *values << storedTime(from.addDays(t.value.toInt()));
            continue;
        } else if (t.key == u"reason") {
            clauses << store::deviceConditions::latestReason();
        } else if (t.key == u"verdict") {
            if (t.value == u"not-attested") {
                clauses << QStringLiteral("NOT EXISTS (SELECT 1 FROM attestation_result a WHERE a.device_id = d.id)");
                continue;
            }
            clauses << QStringLiteral("(SELECT a.verdict FROM attestation_result a WHERE a.device_id = d.id"
                                      " ORDER BY a.verified_at DESC, a.id DESC LIMIT 1) = ?");
        }
        values->append(t.value);
    }
    return clauses.join(QStringLiteral(" AND "));
}

Result<QList<std::pair<qint64, QString>>> DeviceFilter::selectIds(QSqlDatabase db, const store::Scope &scope) const
{
    QVariantList values;
    const QString where = whereClause(&values, scope);
    const store::Scope::Condition visible = scope.devices();
    values += visible.values;
    QSqlQuery q(db);
    q.setForwardOnly(true);
    if (!q.prepare(QStringLiteral("SELECT d.id, d.eid FROM device d JOIN fleet f ON f.id = d.fleet_id"
                                  " JOIN customer c ON c.id = f.customer_id WHERE (%1) AND %2 ORDER BY d.id")
                       .arg(where, visible.sql)))
        return fail(q.lastError().text());
    for (const QVariant &v : values)
        q.addBindValue(v);
    if (!q.exec())
        return fail(QStringLiteral("selecting devices failed: %1").arg(q.lastError().text()));
    QList<std::pair<qint64, QString>> out;
    while (q.next())
        out.append({ q.value(0).toLongLong(), q.value(1).toString() });
    return out;
}

} // namespace simfleet::fleet
