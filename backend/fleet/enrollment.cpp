#include "enrollment.h"

#include "access/session.h"
#include "csvreader.h"
#include "fleetlog.h"

#include "core/clock.h"
#include "identity/eid.h"
#include "identity/imei.h"
#include "store/auditlog.h"
#include "store/customerrepository.h"
#include "store/devicerepository.h"
#include "store/fleetrepository.h"
#include "store/operatorrepository.h"
#include "store/storewriter.h"
#include "store/workspace.h"

#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QSqlQuery>

#include <cmath>

namespace simfleet::fleet {

namespace {

constexpr char separator = '\x1f';
constexpr qsizetype maxTextLength = 128;

enum Column { Eid, Imei, Serial, Model, SecureElement, Label, Latitude, Longitude, ColumnCount };

const QStringList &columnNames()
{
    static const QStringList names { QStringLiteral("eid"),    QStringLiteral("imei"),
                                     QStringLiteral("serial"), QStringLiteral("model"),
                                     QStringLiteral("secure_element"), QStringLiteral("label"),
                                     QStringLiteral("latitude"), QStringLiteral("longitude") };
    return names;
}

// Where each known column sits in this file's rows (-1: absent).
struct ColumnMap
{
    std::array<qsizetype, ColumnCount> index;
    qsizetype width = 0;
};

Result<ColumnMap> mapHeader(const QStringList &header)
{
    ColumnMap map;
    map.index.fill(-1);
    map.width = header.size();
    const QString known = columnNames().join(QStringLiteral(", "));
    for (qsizetype i = 0; i < header.size(); ++i) {
        const QString name = header.at(i).trimmed().toLower();
        const qsizetype column = columnNames().indexOf(name);
        if (column < 0) {
            if (identity::Eid::parse(header.at(i)).ok())
                return fail(QStringLiteral("the first line must be a header naming the columns (%1); it looks like "
                                           "data")
                                .arg(known));
            return fail(QStringLiteral("unknown column \"%1\" in the header; the columns simfleet reads are: %2")
                            .arg(header.at(i).trimmed(), known));
        }
        if (map.index[std::size_t(column)] >= 0)
            return fail(QStringLiteral("the column \"%1\" appears twice in the header").arg(name));
        map.index[std::size_t(column)] = i;
    }
    for (const QString &required : Enrollment::requiredColumns()) {
        if (map.index[std::size_t(columnNames().indexOf(required))] < 0)
            return fail(QStringLiteral("the header has no \"%1\" column; required are: %2")
                            .arg(required, Enrollment::requiredColumns().join(QStringLiteral(", "))));
    }
    return map;
}

std::optional<double> parseCoordinate(const QString &text, double limit, bool *ok)
{
    *ok = true;
    const QString t = text.trimmed();
    if (t.isEmpty())
        return std::nullopt;
    const double value = t.toDouble(ok); // C locale: a dot is the decimal separator
    if (!*ok || !std::isfinite(value) || std::abs(value) > limit) {
        *ok = false;
        return std::nullopt;
    }
    return value;
}

// Validates one row. Returns the row when every field passes; otherwise appends the issues.
std::optional<EnrollmentRow> validateRow(const ColumnMap &map, const QStringList &fields, qint64 line,
                                         QList<EnrollmentIssue> &issues)
{
    if (fields.size() != map.width) {
        issues.append({ line, QString(),
                        QStringLiteral("the row has %1 fields, the header has %2").arg(fields.size()).arg(map.width) });
        return std::nullopt;
    }
    const auto value = [&](Column c) {
        const qsizetype i = map.index[std::size_t(c)];
        return i < 0 ? QString() : fields.at(i).trimmed();
    };
    const qsizetype before = issues.size();
    const auto issue = [&](Column c, QString message) { issues.append({ line, columnNames().at(c), std::move(message) }); };

    const auto eid = identity::Eid::parse(value(Eid));
    if (!eid)
        issue(Eid, eid.errorMessage());
    const auto imei = identity::Imei::parse(value(Imei));
    if (!imei)
        issue(Imei, imei.errorMessage());
    for (Column c : { Serial, Model }) {
        if (value(c).isEmpty())
            issue(c, QStringLiteral("%1 is required").arg(columnNames().at(c)));
    }
    for (Column c : { Serial, Model, Label }) {
        if (value(c).size() > maxTextLength)
            issue(c, QStringLiteral("%1 is longer than %2 characters").arg(columnNames().at(c)).arg(maxTextLength));
    }
    const auto kind = store::secureElementFromName(value(SecureElement));
    if (!kind)
        issue(SecureElement, value(SecureElement).isEmpty()
                  ? QStringLiteral("secure_element is required: integrated-uicc or trusted-environment")
                  : QStringLiteral("secure_element must be integrated-uicc or trusted-environment, not \"%1\"")
                        .arg(value(SecureElement)));
    bool latOk = true;
    bool lonOk = true;
    const auto latitude = parseCoordinate(value(Latitude), 90.0, &latOk);
    const auto longitude = parseCoordinate(value(Longitude), 180.0, &lonOk);
    if (!latOk)
        issue(Latitude, QStringLiteral("latitude must be a number from -90 to 90, not \"%1\"").arg(value(Latitude)));
    if (!lonOk)
        issue(Longitude, QStringLiteral("longitude must be a number from -180 to 180, not \"%1\"").arg(value(Longitude)));
    if (latOk && lonOk && latitude.has_value() != longitude.has_value())
        issue(latitude ? Longitude : Latitude, QStringLiteral("give both latitude and longitude, or neither"));

    if (issues.size() != before)
        return std::nullopt;
    return EnrollmentRow(line, { eid->toString(), imei->toString(), value(Serial), value(Model), value(Label) }, *kind,
                         latitude, longitude);
}

// A validated row laid out as the file had it, for the rejects file.
QStringList inHeaderOrder(const ColumnMap &map, const EnrollmentRow &row)
{
    QStringList fields(map.width);
    const auto put = [&](Column c, const QString &v) {
        if (map.index[std::size_t(c)] >= 0)
            fields[map.index[std::size_t(c)]] = v;
    };
    put(Eid, row.eid());
    put(Imei, row.imei());
    put(Serial, row.serial());
    put(Model, row.model());
    put(SecureElement, store::secureElementName(row.secureElement()));
    put(Label, row.label());
    put(Latitude, row.latitude() ? QString::number(*row.latitude()) : QString());
    put(Longitude, row.longitude() ? QString::number(*row.longitude()) : QString());
    return fields;
}

} // namespace

EnrollmentRow::EnrollmentRow(qint64 line, const QStringList &texts, store::SecureElementKind kind,
                             std::optional<double> latitude, std::optional<double> longitude)
    : m_packed(texts.join(QLatin1Char(separator)).toUtf8()),
      m_line(line),
      m_latitude(latitude),
      m_longitude(longitude),
      m_kind(kind)
{
}

QString EnrollmentRow::text(int index) const
{
    qsizetype start = 0;
    for (int i = 0; i < index; ++i)
        start = m_packed.indexOf(separator, start) + 1;
    qsizetype end = m_packed.indexOf(separator, start);
    if (end < 0)
        end = m_packed.size();
    return QString::fromUtf8(m_packed.constData() + start, end - start);
}

void EnrollmentRow::fill(store::DeviceRecord &d) const
{
    QString *targets[] = { &d.eid, &d.imei, &d.serial, &d.model, &d.label };
    qsizetype start = 0;
    for (QString *target : targets) {
        qsizetype end = m_packed.indexOf(separator, start);
        if (end < 0)
            end = m_packed.size();
        *target = QString::fromUtf8(m_packed.constData() + start, end - start);
        start = end + 1;
    }
    d.secureElement = m_kind;
    d.latitude = m_latitude;
    d.longitude = m_longitude;
}

const QStringList &Enrollment::requiredColumns()
{
    static const QStringList required { QStringLiteral("eid"), QStringLiteral("imei"), QStringLiteral("serial"),
                                        QStringLiteral("model"), QStringLiteral("secure_element") };
    return required;
}

const QStringList &Enrollment::optionalColumns()
{
    static const QStringList optional { QStringLiteral("label"), QStringLiteral("latitude"),
                                        QStringLiteral("longitude") };
    return optional;
}

Result<EnrollmentPreview> Enrollment::preview(QIODevice &csv, QSqlDatabase db, const QString &source)
{
    EnrollmentPreview preview;
    preview.source = source;
    CsvReader reader(&csv);
    QStringList fields;
    switch (reader.next(fields)) {
    case CsvReader::Status::Error:
        return fail(reader.errorMessage());
    case CsvReader::Status::End:
        return fail(QStringLiteral("the file is empty; it needs a header line naming the columns (%1) and one "
                                   "line per device")
                        .arg(columnNames().join(QStringLiteral(", "))));
    case CsvReader::Status::Record:
        break;
    }
    auto map = mapHeader(fields);
    if (!map)
        return map.error();
    preview.header = fields;

    std::vector<EnrollmentRow> candidates;
    // Identifiers as numbers: a million keys stay small and hash fast.
    QHash<std::pair<quint64, quint64>, qint64> eidLines;
    QHash<quint64, qint64> imeiLines;
    const auto reject = [&preview](const QStringList &row, const QList<EnrollmentIssue> &rowIssues) {
        ++preview.rejected;
        preview.rejectedRows.append(row);
        QStringList reasons;
        for (const EnrollmentIssue &i : rowIssues)
            reasons.append(i.message);
        preview.rejectedReasons.append(reasons.join(QStringLiteral("; ")));
        preview.rejectedLines.append(rowIssues.isEmpty() ? 0 : rowIssues.first().line);
        preview.issues.append(rowIssues);
    };

    for (;;) {
        const CsvReader::Status status = reader.next(fields);
        if (status == CsvReader::Status::Error)
            return fail(reader.errorMessage());
        if (status == CsvReader::Status::End)
            break;
        ++preview.rowsRead;
        const qint64 line = reader.recordLine();
        QList<EnrollmentIssue> rowIssues;
        auto row = validateRow(map.value(), fields, line, rowIssues);
        if (!row) {
            reject(fields, rowIssues);
            continue;
        }
        // Within the file: the first occurrence wins, later ones are rejected.
        const QString eid = row->eid();
        const std::pair<quint64, quint64> eidKey { QStringView(eid).first(16).toULongLong(),
                                                   QStringView(eid).sliced(16).toULongLong() };
        const quint64 imeiKey = row->imei().toULongLong();
        const auto eidSeen = eidLines.constFind(eidKey);
        if (eidSeen != eidLines.cend())
            rowIssues.append({ line, QStringLiteral("eid"),
                               QStringLiteral("duplicate of the EID on line %1").arg(eidSeen.value()) });
        const auto imeiSeen = imeiLines.constFind(imeiKey);
        if (imeiSeen != imeiLines.cend())
            rowIssues.append({ line, QStringLiteral("imei"),
                               QStringLiteral("duplicate of the IMEI on line %1").arg(imeiSeen.value()) });
        if (!rowIssues.isEmpty()) {
            reject(fields, rowIssues);
            continue;
        }
        eidLines.insert(eidKey, line);
        imeiLines.insert(imeiKey, line);
        candidates.push_back(std::move(*row));
    }
    eidLines = {};
    imeiLines = {};

    // Against the workspace, a batch at a time: identical devices are already enrolled
    // (skipped, and said so); an EID or IMEI that belongs to a different device is an error.
    constexpr std::size_t batch = 400;
    store::DeviceRepository devices(db);
    preview.accepted.reserve(candidates.size());
    for (std::size_t start = 0; start < candidates.size(); start += batch) {
        const std::size_t end = std::min(candidates.size(), start + batch);
        QStringList eids;
        QStringList imeis;
        for (std::size_t i = start; i < end; ++i) {
            eids.append(candidates[i].eid());
            imeis.append(candidates[i].imei());
        }
        auto existing = devices.findExisting(eids, imeis);
        if (!existing)
            return existing.error();
        for (std::size_t i = start; i < end; ++i) {
            EnrollmentRow &row = candidates[i];
            const QString &eid = eids.at(qsizetype(i - start));
            const QString &imei = imeis.at(qsizetype(i - start));
            QList<EnrollmentIssue> rowIssues;
            if (const auto found = existing->byEid.constFind(eid); found != existing->byEid.cend()) {
                if (found->imei == imei && found->serial == row.serial()) {
                    ++preview.duplicates;
                    continue;
                }
                rowIssues.append({ row.line(), QStringLiteral("eid"),
                                   QStringLiteral("EID already enrolled for another device (IMEI %1, serial %2)")
                                       .arg(found->imei, found->serial) });
            } else if (const auto byImei = existing->byImei.constFind(imei); byImei != existing->byImei.cend()) {
                rowIssues.append({ row.line(), QStringLiteral("imei"),
                                   QStringLiteral("IMEI already enrolled for EID %1").arg(byImei->eid) });
            }
            if (!rowIssues.isEmpty()) {
                reject(inHeaderOrder(map.value(), row), rowIssues);
                continue;
            }
            preview.accepted.push_back(std::move(row));
        }
    }
    std::stable_sort(preview.issues.begin(), preview.issues.end(),
                     [](const EnrollmentIssue &a, const EnrollmentIssue &b) { return a.line < b.line; });
    qCInfo(lcFleet) << "previewed" << source << ":" << preview.accepted.size() << "accepted," << preview.rejected
                    << "rejected," << preview.duplicates << "already enrolled";
    return preview;
}

Result<EnrollmentPreview> Enrollment::previewFile(const QString &path, QSqlDatabase db)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    return preview(file, std::move(db), QFileInfo(path).fileName());
}

Result<EnrollmentOutcome> Enrollment::commit(store::Workspace &workspace, const access::Session &by,
                                             const EnrollmentPreview &preview, const EnrollmentTarget &target)
{
    if (auto ok = by.require(access::Permission::Enroll, workspace.clock()); !ok)
        return ok.error();
    const store::AuditAuthor author = by.author();
    if (target.fleet.trimmed().isEmpty())
        return fail(QStringLiteral("name the fleet the devices join"));
    auto outcome = std::make_shared<EnrollmentOutcome>();
    const QDateTime now = workspace.clock().now();
    auto done = workspace.writer().run([&preview, &target, &author, outcome, now](QSqlDatabase &db) -> Result<void> {
        store::CustomerRepository customers(db);
        store::FleetRepository fleets(db);
        std::optional<store::FleetRecord> fleet;
        std::optional<store::CustomerRecord> customer;
        if (!target.customer.isEmpty()) {
            auto found = customers.findByName(target.customer);
            if (!found)
                return found.error();
            customer = found.value();
            if (!customer) {
                auto id = customers.insert({ 0, target.customer, {} }, now);
                if (!id)
                    return id.error();
                customer = store::CustomerRecord { id.value(), target.customer, {} };
            }
        } else {
            auto named = fleets.findByName(target.fleet);
            if (!named)
                return named.error();
            if (named->size() > 1)
                return fail(QStringLiteral("several customers have a fleet named \"%1\"; name the customer")
                                .arg(target.fleet));
            auto all = customers.list();
            if (!all)
                return all.error();
            if (named->size() == 1) {
                fleet = named->first();
                for (const auto &c : all.value()) {
                    if (c.id == fleet->customerId)
                        customer = c;
                }
            } else if (all->size() == 1) {
                customer = all->first();
            } else if (all->isEmpty()) {
                return fail(QStringLiteral("the workspace has no customer yet; name the customer the fleet belongs to"));
            } else {
                QStringList names;
                for (const auto &c : all.value())
                    names.append(c.name);
                return fail(QStringLiteral("the workspace has several customers (%1); name the one the fleet belongs to")
                                .arg(names.join(QStringLiteral(", "))));
            }
        }
        if (!fleet) {
            auto found = fleets.find(customer->id, target.fleet);
            if (!found)
                return found.error();
            fleet = found.value();
        }
        std::optional<qint64> home;
        if (!target.homeOperator.isEmpty()) {
            auto op = store::OperatorRepository(db).findByName(target.homeOperator);
            if (!op)
                return op.error();
            if (!op.value())
                return fail(QStringLiteral("there is no operator %1").arg(target.homeOperator));
            home = op.value()->id;
        }
        if (fleet && home && fleet->homeOperatorId && *fleet->homeOperatorId != *home)
            return fail(QStringLiteral("the fleet %1 already has another home operator; enroll into a new fleet, or change "
                                       "its devices' operator with a campaign")
                            .arg(target.fleet));
        if (fleet && home && !fleet->homeOperatorId) {
            QSqlQuery q(db);
            q.prepare(QStringLiteral("UPDATE fleet SET home_operator_id = ? WHERE id = ?"));
            q.addBindValue(*home);
            q.addBindValue(fleet->id);
            if (!q.exec())
                return fail(QStringLiteral("setting the fleet's home operator failed"));
        }
        if (!fleet) {
            auto id = fleets.insert({ 0, customer->id, target.fleet, home }, now);
            if (!id)
                return id.error();
            fleet = store::FleetRecord { id.value(), customer->id, target.fleet, home };
        }
        const qint64 fleetId = fleet->id;
        auto stored = store::DeviceRepository(db).insertMany(
            qsizetype(preview.accepted.size()),
            [&preview, fleetId](qsizetype i, store::DeviceRecord &d) {
                preview.accepted[std::size_t(i)].fill(d);
                d.fleetId = fleetId;
            },
            now);
        if (!stored)
            return fail(stored.errorMessage() + QStringLiteral("; a device may have been enrolled meanwhile: preview "
                                                               "the file again"));
        const QJsonObject details { { QStringLiteral("source"), preview.source },
                                    { QStringLiteral("accepted"), qint64(preview.accepted.size()) },
                                    { QStringLiteral("rejected"), preview.rejected },
                                    { QStringLiteral("duplicates"), preview.duplicates } };
        store::AuditEntry entry;
        entry.at = now;
        entry.action = QStringLiteral("enroll");
        entry.subject = QStringLiteral("fleet:") + customer->name + u'/' + target.fleet;
        entry.details = QString::fromUtf8(QJsonDocument(details).toJson(QJsonDocument::Compact));
        if (auto appended = store::AuditLog::append(db, entry, author); !appended)
            return appended.error();
        outcome->stored = stored.value();
        outcome->fleetId = fleetId;
        outcome->fleet = target.fleet;
        outcome->customer = customer->name;
        return {};
    });
    if (!done)
        return done.error();
    qCInfo(lcFleet) << "enrolled" << outcome->stored << "devices into" << outcome->customer << "/" << outcome->fleet;
    return *outcome;
}

Result<void> Enrollment::writeRejects(const EnrollmentPreview &preview, const QString &path)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    QStringList header = preview.header;
    header.append(QStringLiteral("error"));
    QByteArray out;
    const auto writeLine = [&out](const QStringList &fields) {
        QStringList quoted;
        for (const QString &f : fields)
            quoted.append(csvQuoted(f));
        out += quoted.join(u',').toUtf8() + "\r\n";
    };
    writeLine(header);
    for (qsizetype i = 0; i < preview.rejectedRows.size(); ++i) {
        QStringList row = preview.rejectedRows.at(i);
        while (row.size() < preview.header.size())
            row.append(QString());
        row = row.mid(0, preview.header.size());
        row.append(preview.rejectedReasons.at(i));
        writeLine(row);
    }
    file.write(out);
    if (!file.commit())
        return fail(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    return {};
}

} // namespace simfleet::fleet
