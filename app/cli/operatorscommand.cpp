#include "operatorscommand.h"
#include "secretfile.h"

#include "access/session.h"
#include "fleet/activationcodeimport.h"
#include "fleet/fleetqueries.h"
#include "fleet/operatoronboarding.h"
#include "store/operatorrepository.h"
#include "store/workspace.h"

#include <QCommandLineParser>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>

namespace simfleet::cli {

namespace {

QJsonArray listJson(const QList<store::OperatorRecord> &operators)
{
    QJsonArray list;
    for (const store::OperatorRecord &op : operators) {
        const double imsiUse = double(op.imsisAllocated()) / double(op.imsiRangeSize());
        const double iccidUse = double(op.iccidsAllocated()) / double(op.iccidRangeSize());
        const fleet::OperatorSpec spec = fleet::OperatorOnboarding::specOf(op);
        QJsonObject o {
            { QStringLiteral("name"), op.name },
            { QStringLiteral("country"), op.country },
            { QStringLiteral("mcc"), op.mcc },
            { QStringLiteral("mnc"), op.mnc },
            { QStringLiteral("imsi_range"), QJsonObject { { QStringLiteral("size"), op.imsiRangeSize() },
                                                          { QStringLiteral("allocated"), op.imsisAllocated() },
                                                          { QStringLiteral("range"), spec.imsiRange } } },
            { QStringLiteral("iccid_range"), QJsonObject { { QStringLiteral("prefix"), op.iccidPrefix },
                                                           { QStringLiteral("size"), op.iccidRangeSize() },
                                                           { QStringLiteral("allocated"), op.iccidsAllocated() },
                                                           { QStringLiteral("range"), spec.iccidRange } } },
            { QStringLiteral("percent_used"), std::round(std::max(imsiUse, iccidUse) * 1000.0) / 10.0 },
            { QStringLiteral("attestation_max_age_hours"), op.attestationMaxAgeSeconds / 3600 },
            { QStringLiteral("retired"), bool(op.retiredAt) },
        };
        if (!op.spn.isEmpty())
            o.insert(QStringLiteral("spn"), op.spn);
        if (!op.profileServerAddress.isEmpty())
            o.insert(QStringLiteral("profile_server_address"), op.profileServerAddress);
        o.insert(QStringLiteral("profile_template"), op.hasProfileTemplate ? QStringLiteral("own") : QStringLiteral("built-in"));
        list.append(o);
    }
    return list;
}

} // namespace

int OperatorsCommand::run(const QStringList &arguments, CliContext &context)
{
    QCommandLineParser parser;
    const QCommandLineOption name(QStringLiteral("name"), QStringLiteral("add, edit: the operator's name (edit: its new name)."),
                                  QStringLiteral("NAME"));
    const QCommandLineOption country(QStringLiteral("country"), QStringLiteral("add, edit: ISO 3166 two-letter country code."),
                                     QStringLiteral("CC"));
    const QCommandLineOption mcc(QStringLiteral("mcc"), QStringLiteral("add, edit: mobile country code (3 digits)."),
                                 QStringLiteral("MCC"));
    const QCommandLineOption mnc(QStringLiteral("mnc"), QStringLiteral("add, edit: mobile network code (2 or 3 digits)."),
                                 QStringLiteral("MNC"));
    const QCommandLineOption imsiRange(QStringLiteral("imsi-range"),
                                       QStringLiteral("add, edit: first and last IMSI (15 digits, starting with MCC+MNC)."),
                                       QStringLiteral("FIRST-LAST"));
    const QCommandLineOption iccidRange(QStringLiteral("iccid-range"),
                                        QStringLiteral("add, edit: first and last ICCID (19 or 20 digits, 89..., check digit last)."),
                                        QStringLiteral("FIRST-LAST"));
    const QCommandLineOption spn(QStringLiteral("spn"), QStringLiteral("add, edit: service provider name on its profiles."),
                                 QStringLiteral("TEXT"));
    const QCommandLineOption opFile(QStringLiteral("op-file"),
                                    QStringLiteral("add, edit: file holding the OP as 32 hex digits, or - for standard "
                                                   "input. Sealed at once; never printed."),
                                    QStringLiteral("FILE"));
    const QCommandLineOption authCert(QStringLiteral("auth-cert"),
                                      QStringLiteral("set-profile-server: authentication certificate (PEM or DER)."),
                                      QStringLiteral("FILE"));
    const QCommandLineOption authKey(QStringLiteral("auth-key"),
                                     QStringLiteral("set-profile-server: its private key (PEM or PKCS#8 DER); sealed."),
                                     QStringLiteral("FILE"));
    const QCommandLineOption bindingCert(QStringLiteral("binding-cert"),
                                         QStringLiteral("set-profile-server: binding certificate (PEM or DER)."),
                                         QStringLiteral("FILE"));
    const QCommandLineOption bindingKey(QStringLiteral("binding-key"),
                                        QStringLiteral("set-profile-server: its private key (PEM or PKCS#8 DER); sealed."),
                                        QStringLiteral("FILE"));
    const QCommandLineOption address(QStringLiteral("address"),
                                     QStringLiteral("set-profile-server: HOST:PORT of a profile server that runs elsewhere."),
                                     QStringLiteral("HOST:PORT"));
    const QCommandLineOption root(QStringLiteral("root"),
                                  QStringLiteral("set-profile-server: with --address, the root certificate it chains to."),
                                  QStringLiteral("FILE"));
    const QCommandLineOption templateFile(QStringLiteral("file"),
                                          QStringLiteral("set-profile-template: the operator's unpersonalised profile "
                                                         "package (TCA format, DER); sealed."),
                                          QStringLiteral("FILE.der"));
    const QCommandLineOption builtIn(QStringLiteral("built-in"),
                                     QStringLiteral("set-profile-template: back to simfleet's built-in template."));
    const QCommandLineOption importCodes(QStringLiteral("import"),
                                         QStringLiteral("activation-codes: CSV with the columns iccid, activation_code and "
                                                        "optionally eid (SGP.22 activation codes for the operator's own "
                                                        "profile server); the matching IDs are sealed."),
                                         QStringLiteral("FILE.csv"));
    parser.addOptions({ name, country, mcc, mnc, imsiRange, iccidRange, spn, opFile, authCert, authKey, bindingCert,
                        bindingKey, address, root, templateFile, builtIn, importCodes });
    parser.addPositionalArgument(QStringLiteral("action"),
                                 QStringLiteral("list (default), add, edit NAME, retire NAME, set-profile-server NAME, "
                                                "set-profile-template NAME or activation-codes NAME."));
    parser.addPositionalArgument(QStringLiteral("operator"), QStringLiteral("the operator edit, retire, set-profile-server, "
                                                                             "set-profile-template and activation-codes act on."));
    if (const auto done = parseCommandLine(parser, *this, arguments, context, 2))
        return *done;
    const QStringList positional = parser.positionalArguments();
    const QString action = positional.value(0, QStringLiteral("list"));
    if (action != u"list" && action != u"add" && action != u"edit" && action != u"retire"
        && action != u"set-profile-server" && action != u"set-profile-template" && action != u"activation-codes")
        return report(context, this->name(),
                      QStringLiteral("the action is list, add, edit, retire, set-profile-server, set-profile-template or "
                                     "activation-codes, not %1")
                          .arg(action),
                      BadUsage);
    const bool needsOperator = action == u"edit" || action == u"retire" || action == u"set-profile-server"
        || action == u"set-profile-template" || action == u"activation-codes";
    if (action == u"activation-codes" && !parser.isSet(importCodes))
        return report(context, this->name(), QStringLiteral("activation-codes needs --import FILE.csv"), BadUsage);
    if (action == u"set-profile-template" && parser.isSet(templateFile) == parser.isSet(builtIn))
        return report(context, this->name(),
                      QStringLiteral("set-profile-template needs --file FILE.der (the operator's profile) or --built-in, one of them"),
                      BadUsage);
    if (needsOperator != (positional.size() == 2))
        return report(context, this->name(),
                      needsOperator ? QStringLiteral("%1 needs the operator's name: operators %1 NAME").arg(action)
                                    : QStringLiteral("%1 takes no operator name").arg(action),
                      BadUsage);
    const QString target = positional.value(1);
    if (action == u"add") {
        for (const QCommandLineOption *required : { &name, &country, &mcc, &mnc, &imsiRange, &iccidRange, &opFile }) {
            if (!parser.isSet(*required))
                return report(context, this->name(),
                              QStringLiteral("add needs --name, --country, --mcc, --mnc, --imsi-range, --iccid-range "
                                             "and --op-file; --%1 is missing")
                                  .arg(required->names().constFirst()),
                              BadUsage);
        }
    }
    const bool remote = parser.isSet(address) || parser.isSet(root);
    if (action == u"set-profile-server") {
        const bool local = parser.isSet(authCert) || parser.isSet(authKey) || parser.isSet(bindingCert)
            || parser.isSet(bindingKey);
        if (remote == local
            || (local && !(parser.isSet(authCert) && parser.isSet(authKey) && parser.isSet(bindingCert) && parser.isSet(bindingKey)))
            || (remote && !(parser.isSet(address) && parser.isSet(root))))
            return report(context, this->name(),
                          QStringLiteral("set-profile-server needs either --auth-cert, --auth-key, --binding-cert and "
                                         "--binding-key, or --address and --root"),
                          BadUsage);
    }

    // The OP is read before the workspace opens, so a passphrase prompt never competes with it
    // for the terminal; it stays in a wiped buffer and is only ever sealed.
    std::optional<crypto::SecretBytes> opValue;
    if ((action == u"add" || action == u"edit") && parser.isSet(opFile)) {
        auto read = readSecretFile(context, parser.value(opFile), QStringLiteral("--op-file %1").arg(parser.value(opFile)), 16);
        if (!read)
            return report(context, this->name(), read.errorMessage(), RequestFailed);
        opValue = std::move(read).value();
    }

    QByteArray templatePackage;
    if (action == u"set-profile-template" && parser.isSet(templateFile)) {
        auto read = readProfilePackageFile(parser.value(templateFile), QStringLiteral("--file"));
        if (!read)
            return report(context, this->name(), read.errorMessage(), RequestFailed);
        if (read->isEmpty())
            return report(context, this->name(), QStringLiteral("--file %1 is empty; give the operator's profile package").arg(parser.value(templateFile)),
                          RequestFailed);
        templatePackage = read.value();
    }

    int exitCode = Success;
    const auto workspace = openWorkspace(context, this->name(), exitCode);
    if (!workspace)
        return exitCode;

    if (action == u"activation-codes") {
        auto imported = fleet::ActivationCodeImport::importFile(*workspace, *context.session, target, parser.value(importCodes));
        if (!imported)
            return report(context, this->name(), imported.errorMessage(), RequestFailed);
        QJsonArray errors;
        for (const fleet::EnrollmentIssue &issue : imported->issues)
            errors.append(QJsonObject { { QStringLiteral("line"), issue.line },
                                        { QStringLiteral("field"), issue.field },
                                        { QStringLiteral("message"), issue.message } });
        printJson(context, QJsonObject { { QStringLiteral("operator"), imported->operatorName },
                                         { QStringLiteral("rows"), imported->rowsRead },
                                         { QStringLiteral("imported"), imported->imported },
                                         { QStringLiteral("bound_to_devices"), imported->boundToDevices },
                                         { QStringLiteral("rejected"), qint64(imported->issues.size()) },
                                         { QStringLiteral("errors"), errors } });
        return Success;
    }

    Result<void> done;
    if (action == u"add") {
        const fleet::OperatorSpec spec { parser.value(name), parser.value(country), parser.value(mcc), parser.value(mnc),
                                         parser.value(imsiRange), parser.value(iccidRange), parser.value(spn) };
        auto added = fleet::OperatorOnboarding::add(*workspace, *context.session, spec, *opValue);
        done = added ? Result<void>() : Result<void>(added.error());
    } else if (action == u"edit") {
        auto found = store::OperatorRepository(workspace->database()).findByName(target);
        if (!found)
            return report(context, this->name(), found.errorMessage(), RequestFailed);
        if (!found.value())
            return report(context, this->name(),
                          QStringLiteral("there is no operator named %1; `simfleet-cli operators` lists them").arg(target),
                          RequestFailed);
        fleet::OperatorSpec spec = fleet::OperatorOnboarding::specOf(*found.value());
        const std::pair<const QCommandLineOption *, QString *> fields[] = {
            { &name, &spec.name },           { &country, &spec.country },       { &mcc, &spec.mcc },
            { &mnc, &spec.mnc },             { &imsiRange, &spec.imsiRange },   { &iccidRange, &spec.iccidRange },
            { &spn, &spec.spn },
        };
        bool any = opValue.has_value();
        for (const auto &[option, field] : fields) {
            if (parser.isSet(*option)) {
                *field = parser.value(*option);
                any = true;
            }
        }
        if (!any)
            return report(context, this->name(), QStringLiteral("edit changes nothing without an option; give what changes"),
                          BadUsage);
        done = fleet::OperatorOnboarding::edit(*workspace, *context.session, target, spec, opValue ? &*opValue : nullptr);
    } else if (action == u"retire") {
        done = fleet::OperatorOnboarding::retire(*workspace, *context.session, target);
    } else if (action == u"set-profile-template") {
        done = fleet::OperatorOnboarding::setProfileTemplate(*workspace, *context.session, target, templatePackage);
        crypto::wipeBytes(templatePackage); // it may hold the operator's security domain keys
    } else if (action == u"set-profile-server" && remote) {
        auto rootDer = readCertificateFile(parser.value(root), QStringLiteral("--root"));
        if (!rootDer)
            return report(context, this->name(), rootDer.errorMessage(), RequestFailed);
        done = fleet::OperatorOnboarding::setRemoteProfileServer(*workspace, *context.session, target,
                                                                 parser.value(address), rootDer.value());
    } else if (action == u"set-profile-server") {
        fleet::ProfileServerImport server;
        auto a = readCertificateFile(parser.value(authCert), QStringLiteral("--auth-cert"));
        auto b = readCertificateFile(parser.value(bindingCert), QStringLiteral("--binding-cert"));
        auto ak = readPrivateKeyFile(parser.value(authKey), QStringLiteral("--auth-key %1").arg(parser.value(authKey)));
        auto bk = readPrivateKeyFile(parser.value(bindingKey), QStringLiteral("--binding-key %1").arg(parser.value(bindingKey)));
        for (const QString &why : { a.errorMessage(), b.errorMessage(), ak.errorMessage(), bk.errorMessage() }) {
            if (!why.isEmpty())
                return report(context, this->name(), why, RequestFailed);
        }
        server.authCertificate = a.value();
        server.bindingCertificate = b.value();
        server.authKey = std::move(ak).value();
        server.bindingKey = std::move(bk).value();
        done = fleet::OperatorOnboarding::setProfileServer(*workspace, *context.session, target, server);
    }
    if (!done)
        return report(context, this->name(), done.errorMessage(), RequestFailed);

    const auto operators = fleet::FleetQueries(*workspace).operators(*context.session);
    if (!operators)
        return report(context, this->name(), operators.errorMessage(), RequestFailed);
    printJson(context, listJson(operators.value()));
    return Success;
}

} // namespace simfleet::cli
