#include "attestcommand.h"
#include "fleet/fleetqueries.h"

#include "access/session.h"

#include "attestation/attestationservice.h"
#include "protocol/entityattestationtoken.h"
#include "crypto/certificate.h"
#include "simulation/simulatedfield.h"
#include "store/workspace.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QSaveFile>

namespace simfleet::cli {

namespace {

Result<void> writeFile(const QString &path, const QByteArray &bytes)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
        return fail(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    return {};
}

// EID.cbor and EID-chain.pem (device certificate first), for an auditor's own tools.
Result<void> exportEvidence(const QString &dir, const attestation::DeviceAttestation &o)
{
    if (o.evidence.isEmpty())
        return {};
    if (auto ok = writeFile(QDir(dir).filePath(o.eid + QStringLiteral(".cbor")), o.evidence); !ok)
        return ok;
    const auto sign1 = protocol::parseCoseSign1(o.evidence);
    if (!sign1)
        return {};
    QByteArray pem;
    for (const QByteArray &der : sign1->x5chain) {
        if (auto cert = crypto::Certificate::fromDer(der))
            pem += cert->toPem();
    }
    return writeFile(QDir(dir).filePath(o.eid + QStringLiteral("-chain.pem")), pem);
}

} // namespace

int AttestCommand::run(const QStringList &arguments, CliContext &context)
{
    QCommandLineParser parser;
    const QCommandLineOption deviceOption(QStringLiteral("device"), QStringLiteral("A device's EID (repeatable)."),
                                          QStringLiteral("EID"));
    const QCommandLineOption fleetOption(QStringLiteral("fleet"), QStringLiteral("Every device of this fleet."),
                                         QStringLiteral("NAME"));
    const QCommandLineOption exportOption(QStringLiteral("export-evidence"),
                                          QStringLiteral("Write each token as EID.cbor and its chain as EID-chain.pem."),
                                          QStringLiteral("DIR"));
    const QCommandLineOption timeoutOption(QStringLiteral("timeout"),
                                           QStringLiteral("Seconds to wait for devices to answer (default 10)."),
                                           QStringLiteral("SECONDS"), QStringLiteral("10"));
    parser.addOptions({ deviceOption, fleetOption, exportOption, timeoutOption });
    if (const auto done = parseCommandLine(parser, *this, arguments, context))
        return *done;
    if (parser.isSet(deviceOption) == parser.isSet(fleetOption))
        return report(context, name(), QStringLiteral("say which devices: --device EID or --fleet NAME"), BadUsage);
    bool timeoutOk = false;
    const double timeout = parser.value(timeoutOption).toDouble(&timeoutOk);
    if (!timeoutOk || !(timeout > 0) || timeout > 600) // !(x > 0): "nan" too
        return report(context, name(), QStringLiteral("--timeout must be a number of seconds from 0 to 600"), BadUsage);
    const QString exportDir = parser.value(exportOption);
    if (!exportDir.isEmpty() && !QDir().mkpath(exportDir))
        return report(context, name(), QStringLiteral("cannot create the folder %1").arg(exportDir), RequestFailed);

    int exitCode = Success;
    const auto workspace = openWorkspace(context, name(), exitCode);
    if (!workspace)
        return exitCode;
    auto field = simulation::SimulatedField::openForWorkspace(workspace->info().path);
    if (!field)
        return report(context, name(), field.errorMessage(), RequestFailed);

    const fleet::FleetQueries queries(*workspace);
    Result<QList<std::pair<qint64, QString>>> targets = fail(QString());
    if (parser.isSet(fleetOption)) {
        const auto fleet = queries.fleetNamed(*context.session, parser.value(fleetOption));
        if (!fleet)
            return report(context, name(), fleet.errorMessage(), RequestFailed);
        targets = queries.devicesInFleet(*context.session, fleet->id);
    } else {
        targets = queries.devicesWithEids(*context.session, parser.values(deviceOption));
    }
    if (!targets)
        return report(context, name(), targets.errorMessage(), RequestFailed);

    attestation::AttestationOptions options;
    options.answerTimeout = std::chrono::milliseconds(qint64(timeout * 1000));
    attestation::AttestationService service(*workspace, *field.value(), options);
    const auto outcomes = service.attest(*context.session, targets.value());
    if (!outcomes)
        return report(context, name(), outcomes.errorMessage(), RequestFailed);
    QJsonArray list;
    for (const attestation::DeviceAttestation &o : outcomes.value()) {
        list.append(QJsonObject { { QStringLiteral("eid"), o.eid },
                                  { QStringLiteral("verdict"), attestation::tierName(o.verdict.tier) },
                                  { QStringLiteral("reason"), o.verdict.reasonCode },
                                  { QStringLiteral("message"), o.verdict.message } });
        if (!exportDir.isEmpty()) {
            if (auto ok = exportEvidence(exportDir, o); !ok)
                return report(context, name(), ok.errorMessage(), RequestFailed);
        }
    }
    printJson(context, list);
    return Success;
}

} // namespace simfleet::cli
