#include "referencevaluescommand.h"
#include "fleet/fleetqueries.h"

#include "attestation/referencevaluebook.h"
#include "attestation/referencevaluejson.h"

#include "store/auditlog.h"
#include "store/storewriter.h"
#include "store/workspace.h"
#include "core/clock.h"

#include <QCommandLineParser>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>
#include <QJsonObject>

namespace simfleet::cli {

namespace {

// "bootloader=9f86...,se-os=..." with 64 hex digits (SHA-256) each.
Result<QList<std::pair<QString, QByteArray>>> parseMeasurements(const QString &text)
{
    QList<std::pair<QString, QByteArray>> out;
    for (const QString &item : text.split(u',', Qt::SkipEmptyParts)) {
        const qsizetype eq = item.indexOf(u'=');
        const QString component = item.left(eq).trimmed();
        const QString hex = item.mid(eq + 1).trimmed();
        const QByteArray digest = QByteArray::fromHex(hex.toLatin1());
        if (eq <= 0 || hex.size() != 64 || digest.size() != 32 || digest.toHex() != hex.toLower().toLatin1())
            return fail(QStringLiteral("--measurements wants COMPONENT=SHA256HEX pairs separated by commas; \"%1\" is "
                                       "not one")
                            .arg(item));
        out.append({ component, digest });
    }
    if (out.isEmpty())
        return fail(QStringLiteral("--measurements names no component"));
    return out;
}

Result<QList<store::ReferenceValueRecord>> readImport(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    return attestation::referenceValueJson::parse(file.readAll(), path);
}

} // namespace

int ReferenceValuesCommand::run(const QStringList &arguments, CliContext &context)
{
    QCommandLineParser parser;
    const QCommandLineOption manufacturer(
        QStringLiteral("manufacturer"),
        QStringLiteral("add: the manufacturer, as its (EUM) certificate names it; the values vouch for its devices only."),
        QStringLiteral("NAME"));
    const QCommandLineOption oemid(QStringLiteral("oemid"),
                                   QStringLiteral("add: the oemid claim its devices make (optional); a token naming another "
                                                  "is not matched."),
                                   QStringLiteral("NUMBER"));
    const QCommandLineOption hwmodel(QStringLiteral("hwmodel"), QStringLiteral("add, retire: the hardware model."),
                                     QStringLiteral("MODEL"));
    const QCommandLineOption swname(QStringLiteral("swname"), QStringLiteral("add: the software's name."),
                                    QStringLiteral("NAME"));
    const QCommandLineOption swversion(QStringLiteral("swversion"), QStringLiteral("add, retire: the software version."),
                                       QStringLiteral("VERSION"));
    const QCommandLineOption measurements(QStringLiteral("measurements"),
                                          QStringLiteral("add: COMPONENT=SHA256HEX,... as the manufacturer published them."),
                                          QStringLiteral("LIST"));
    const QCommandLineOption out(QStringLiteral("out"), QStringLiteral("export: the JSON file to write."),
                                 QStringLiteral("FILE.json"));
    parser.addOptions({ manufacturer, oemid, hwmodel, swname, swversion, measurements, out });
    parser.addPositionalArgument(QStringLiteral("action"),
                                 QStringLiteral("list (default), add, retire, export --out FILE.json or import FILE.json."));
    if (const auto done = parseCommandLine(parser, *this, arguments, context, 2))
        return *done;
    const QString action = parser.positionalArguments().value(0, QStringLiteral("list"));
    if (action != u"list" && action != u"add" && action != u"retire" && action != u"export" && action != u"import")
        return report(context, name(),
                      QStringLiteral("the action is list, add, retire, export or import, not %1").arg(action), BadUsage);
    if ((action == u"import") != (parser.positionalArguments().size() == 2))
        return report(context, name(),
                      action == u"import" ? QStringLiteral("import needs the file: reference-values import FILE.json")
                                          : QStringLiteral("unexpected argument %1").arg(parser.positionalArguments().value(1)),
                      BadUsage);
    if (action == u"export" && !parser.isSet(out))
        return report(context, name(), QStringLiteral("export needs --out FILE.json"), BadUsage);
    const bool bulk = action == u"export" || action == u"import";
    if (action != u"list" && !bulk && (!parser.isSet(hwmodel) || !parser.isSet(swversion)))
        return report(context, name(), QStringLiteral("%1 needs --hwmodel and --swversion").arg(action), BadUsage);
    if (action == u"add" && (!parser.isSet(measurements) || !parser.isSet(manufacturer)))
        return report(context, name(), QStringLiteral("add needs --manufacturer and --measurements"), BadUsage);

    // Read and checked whole before the workspace is touched: a bad file changes nothing.
    QList<store::ReferenceValueRecord> toImport;
    if (action == u"import") {
        auto read = readImport(parser.positionalArguments().at(1));
        if (!read)
            return report(context, name(), read.errorMessage(), RequestFailed);
        toImport = read.value();
    }

    int exitCode = Success;
    const auto workspace = openWorkspace(context, name(), exitCode);
    if (!workspace)
        return exitCode;
    if (action == u"import") {
        if (auto done = attestation::ReferenceValueBook::importAll(*workspace, *context.session, toImport); !done)
            return report(context, name(), done.errorMessage(), RequestFailed);
    }
    if (action == u"export") {
        const auto all = fleet::FleetQueries(*workspace).referenceValues(*context.session);
        if (!all)
            return report(context, name(), all.errorMessage(), RequestFailed);
        QList<store::ReferenceValueRecord> current;
        for (const store::ReferenceValueRecord &r : all.value()) {
            if (!r.retiredAt)
                current.append(r);
        }
        const QJsonArray published = attestation::referenceValueJson::published(current);
        QSaveFile file(parser.value(out));
        if (!file.open(QIODevice::WriteOnly) || file.write(QJsonDocument(published).toJson()) < 0 || !file.commit())
            return report(context, name(), QStringLiteral("cannot write %1: %2").arg(parser.value(out), file.errorString()),
                          RequestFailed);
        printJson(context, QJsonObject { { QStringLiteral("exported"), published.size() },
                                         { QStringLiteral("file"), parser.value(out) } });
        return Success;
    }
    const QDateTime now = workspace->clock().now();
    if (action == u"add" || action == u"retire") {
        store::ReferenceValueRecord record;
        if (action == u"add") {
            auto parsed = parseMeasurements(parser.value(measurements));
            if (!parsed)
                return report(context, name(), parsed.errorMessage(), RequestFailed);
            std::optional<qint64> oem;
            if (parser.isSet(oemid)) {
                bool ok = false;
                oem = parser.value(oemid).toLongLong(&ok);
                if (!ok || *oem < 0)
                    return report(context, name(), QStringLiteral("--oemid takes a private enterprise number"), BadUsage);
            }
            record = { 0, parser.value(manufacturer), parser.value(hwmodel), parser.value(swname), parser.value(swversion),
                       parsed.value(), now, std::nullopt, oem };
        }
        const QString model = parser.value(hwmodel);
        const QString version = parser.value(swversion);
        auto done = action == u"add" ? attestation::ReferenceValueBook::add(*workspace, *context.session, record)
                                     : attestation::ReferenceValueBook::retire(*workspace, *context.session, model, version);
        if (!done)
            return report(context, name(), done.errorMessage(), RequestFailed);
    }
    const auto all = fleet::FleetQueries(*workspace).referenceValues(*context.session);
    if (!all)
        return report(context, name(), all.errorMessage(), RequestFailed);
    QJsonArray list;
    for (const store::ReferenceValueRecord &r : all.value())
        list.append(attestation::referenceValueJson::describe(r));
    printJson(context, list);
    return Success;
}

} // namespace simfleet::cli
