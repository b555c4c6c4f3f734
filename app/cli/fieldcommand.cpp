#include "fieldcommand.h"
#include "secretfile.h"

#include "access/session.h"
#include "attestation/referencevaluebook.h"
#include "attestation/referencevaluejson.h"
#include "fleet/enrollment.h"
#include "fleet/fleetqueries.h"
#include "simulation/productionrun.h"
#include "store/workspace.h"

#include <QBuffer>
#include <QCommandLineParser>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace simfleet::cli {

namespace {

bool sameValues(const store::ReferenceValueRecord &a, const store::ReferenceValueRecord &b)
{
    return a.manufacturer == b.manufacturer && a.hwmodel == b.hwmodel && a.swversion == b.swversion;
}

} // namespace

int FieldCommand::run(const QStringList &arguments, CliContext &context)
{
    QCommandLineParser parser;
    const QCommandLineOption certOption(QStringLiteral("manufacturer-cert"),
                                        QStringLiteral("The manufacturer's (EUM) certificate, PEM or DER; the workspace must "
                                                       "trust it (trust add --manufacturer)."),
                                        QStringLiteral("FILE"));
    const QCommandLineOption keyOption(QStringLiteral("manufacturer-key"),
                                       QStringLiteral("Its private key, PEM or PKCS#8 DER: the simulated factory certifies "
                                                      "each device with it. Kept in the field file only."),
                                       QStringLiteral("FILE"));
    const QCommandLineOption countOption(QStringLiteral("count"), QStringLiteral("How many devices (1 to 100000)."),
                                         QStringLiteral("N"));
    const QCommandLineOption modelOption(QStringLiteral("model"), QStringLiteral("Their hardware model."),
                                         QStringLiteral("MODEL"));
    const QCommandLineOption softwareOption(QStringLiteral("software"), QStringLiteral("The software version they run."),
                                            QStringLiteral("VERSION"));
    const QCommandLineOption swnameOption(QStringLiteral("software-name"),
                                          QStringLiteral("The software's name (default: \"MODEL firmware\")."),
                                          QStringLiteral("NAME"));
    const QCommandLineOption oemidOption(QStringLiteral("oemid"),
                                         QStringLiteral("The oemid claim they make (a private enterprise number)."),
                                         QStringLiteral("NUMBER"));
    const QCommandLineOption fleetOption(QStringLiteral("fleet"),
                                         QStringLiteral("Enroll them into this fleet (created if new) and import their "
                                                        "reference values."),
                                         QStringLiteral("NAME"));
    const QCommandLineOption customerOption(QStringLiteral("customer"), QStringLiteral("With --fleet: the owning customer."),
                                            QStringLiteral("NAME"));
    const QCommandLineOption operatorOption(QStringLiteral("operator"),
                                            QStringLiteral("With --fleet: the fleet's home operator."), QStringLiteral("NAME"));
    const QCommandLineOption csvOption(QStringLiteral("csv-out"), QStringLiteral("Write their enrollment CSV here."),
                                       QStringLiteral("FILE.csv"));
    const QCommandLineOption referenceOption(QStringLiteral("reference-out"),
                                             QStringLiteral("Write their reference values here (reference-values import "
                                                            "reads it)."),
                                             QStringLiteral("FILE.json"));
    parser.addOptions({ certOption, keyOption, countOption, modelOption, softwareOption, swnameOption, oemidOption,
                        fleetOption, customerOption, operatorOption, csvOption, referenceOption });
    parser.addPositionalArgument(QStringLiteral("action"), QStringLiteral("create."));
    if (const auto done = parseCommandLine(parser, *this, arguments, context, 1))
        return *done;
    if (parser.positionalArguments().value(0) != u"create")
        return report(context, name(), QStringLiteral("the action is create: field create --manufacturer-cert FILE ..."),
                      BadUsage);
    for (const QCommandLineOption *required : { &certOption, &keyOption, &countOption, &modelOption, &softwareOption }) {
        if (!parser.isSet(*required))
            return report(context, name(),
                          QStringLiteral("field create needs --manufacturer-cert, --manufacturer-key, --count, --model and "
                                         "--software (--%1 is missing)")
                              .arg(required->names().constFirst()),
                          BadUsage);
    }
    if (!parser.isSet(fleetOption) && (parser.isSet(customerOption) || parser.isSet(operatorOption)))
        return report(context, name(), QStringLiteral("--customer and --operator go with --fleet"), BadUsage);
    bool ok = false;
    const int count = parser.value(countOption).toInt(&ok);
    if (!ok || count < 1 || count > simulation::ProductionRun::maximumCount)
        return report(context, name(),
                      QStringLiteral("--count takes a number from 1 to %1").arg(simulation::ProductionRun::maximumCount), BadUsage);
    std::optional<qint64> oemid;
    if (parser.isSet(oemidOption)) {
        oemid = parser.value(oemidOption).toLongLong(&ok);
        if (!ok || *oemid < 0)
            return report(context, name(), QStringLiteral("--oemid takes a private enterprise number"), BadUsage);
    }

    for (const QCommandLineOption *out : { &csvOption, &referenceOption }) {
        if (parser.isSet(*out) && QFile::exists(parser.value(*out)))
            return report(context, name(),
                          QStringLiteral("--%1 %2 exists already; give a new name (a run's files are never overwritten)")
                              .arg(out->names().constFirst(), parser.value(*out)),
                          RequestFailed);
    }
    simulation::ProductionOrder order;
    auto certificate = readCertificateFile(parser.value(certOption), QStringLiteral("--manufacturer-cert"));
    if (!certificate)
        return report(context, name(), certificate.errorMessage(), RequestFailed);
    order.manufacturerCertificate = certificate.value();
    auto key = readPrivateKeyFile(parser.value(keyOption), QStringLiteral("--manufacturer-key"));
    if (!key)
        return report(context, name(), key.errorMessage(), RequestFailed);
    order.manufacturerKey = std::move(key).value();
    order.count = count;
    order.model = parser.value(modelOption);
    order.software = parser.value(softwareOption);
    order.softwareName = parser.value(swnameOption);
    order.oemid = oemid;

    int exitCode = Success;
    const auto workspace = openWorkspace(context, name(), exitCode);
    if (!workspace)
        return exitCode;
    // A run holds a manufacturer's key and vouches for its firmware: an Administrator's to make,
    // checked before any device exists. Enrolling them takes the Enroll permission as well.
    const access::Session &session = *context.session;
    if (auto allowed = session.require(access::Permission::ManageReferenceValues, workspace->clock()); !allowed)
        return report(context, name(), allowed.errorMessage(), RequestFailed);
    if (parser.isSet(fleetOption)) {
        if (auto allowed = session.require(access::Permission::Enroll, workspace->clock()); !allowed)
            return report(context, name(), allowed.errorMessage(), RequestFailed);
        if (parser.isSet(operatorOption)) {
            if (auto op = fleet::FleetQueries(*workspace).operatorNamed(session, parser.value(operatorOption)); !op)
                return report(context, name(), op.errorMessage() + QStringLiteral("; no device was made"), RequestFailed);
        }
    }

    auto run = simulation::ProductionRun::make(*workspace, context.workspacePath, order);
    order.manufacturerKey = {};
    if (!run)
        return report(context, name(), run.errorMessage() + QStringLiteral("; no device was made"), RequestFailed);

    QJsonObject summary { { QStringLiteral("manufacturer"), run->manufacturer },
                          { QStringLiteral("devices"), qint64(run->devices.size()) },
                          { QStringLiteral("first_eid"), run->devices.front().eid },
                          { QStringLiteral("last_eid"), run->devices.back().eid },
                          { QStringLiteral("field"), run->fieldFile } };
    const QByteArray csv = run->enrollmentCsv();
    // The files first: should enrolling fail, they say what was made and are all a retry needs.
    if (parser.isSet(csvOption)) {
        if (auto written = writeNewFile(parser.value(csvOption), csv); !written)
            return report(context, name(), written.errorMessage() + QStringLiteral("; the devices were made"), RequestFailed);
        summary.insert(QStringLiteral("csv"), parser.value(csvOption));
    }
    if (parser.isSet(referenceOption)) {
        const QList<store::ReferenceValueRecord> values { run->referenceValues };
        const QByteArray json = QJsonDocument(attestation::referenceValueJson::published(values)).toJson();
        if (auto written = writeNewFile(parser.value(referenceOption), json); !written)
            return report(context, name(), written.errorMessage() + QStringLiteral("; the devices were made"), RequestFailed);
        summary.insert(QStringLiteral("reference_values"), parser.value(referenceOption));
    }
    if (!parser.isSet(fleetOption)) {
        printJson(context, summary);
        return Success;
    }

    // Their reference values, unless the same model and version were loaded before.
    auto known = fleet::FleetQueries(*workspace).referenceValues(session);
    if (!known)
        return report(context, name(), known.errorMessage(), RequestFailed);
    const bool alreadyKnown = std::any_of(known->cbegin(), known->cend(), [&](const store::ReferenceValueRecord &r) {
        return !r.retiredAt && sameValues(r, run->referenceValues);
    });
    if (!alreadyKnown) {
        if (auto imported = attestation::ReferenceValueBook::importAll(*workspace, session, { run->referenceValues });
            !imported)
            return report(context, name(),
                          QStringLiteral("the devices were made, but their reference values were not imported: %1")
                              .arg(imported.errorMessage()),
                          RequestFailed);
    }
    summary.insert(QStringLiteral("reference_values_imported"), !alreadyKnown);

    QBuffer buffer;
    buffer.setData(csv);
    buffer.open(QIODevice::ReadOnly);
    auto preview = fleet::Enrollment::preview(buffer, workspace->database(), QStringLiteral("the production run"));
    if (!preview)
        return report(context, name(), preview.errorMessage(), RequestFailed);
    if (preview->rejected > 0)
        return report(context, name(),
                      QStringLiteral("the devices were made, but %1 of them cannot be enrolled (%2); nothing was enrolled")
                          .arg(preview->rejected)
                          .arg(preview->issues.isEmpty() ? QString() : preview->issues.constFirst().message),
                      RequestFailed);
    const fleet::EnrollmentTarget target { parser.value(fleetOption), parser.value(customerOption),
                                           parser.value(operatorOption) };
    auto outcome = fleet::Enrollment::commit(*workspace, session, preview.value(), target);
    if (!outcome)
        return report(context, name(),
                      QStringLiteral("the devices were made, but enrolling them failed: %1; nothing was enrolled")
                          .arg(outcome.errorMessage()),
                      RequestFailed);
    summary.insert(QStringLiteral("enrolled"), outcome->stored);
    summary.insert(QStringLiteral("fleet"), outcome->fleet);
    summary.insert(QStringLiteral("customer"), outcome->customer);
    printJson(context, summary);
    return Success;
}

} // namespace simfleet::cli
