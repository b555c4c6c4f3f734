#include "trustcommand.h"
#include "secretfile.h"

#include "attestation/trustbook.h"
#include "store/workspace.h"

#include <QCommandLineParser>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QTextStream>

namespace simfleet::cli {

namespace {

QString keyId(const crypto::Certificate &cert)
{
    return QString::fromLatin1(cert.keyIdentifier().toHex(':')).toUpper();
}

QJsonValue isoTime(const std::optional<QDateTime> &t)
{
    return t ? QJsonValue(t->toUTC().toString(Qt::ISODate)) : QJsonValue(QJsonValue::Null);
}

QJsonObject toJson(const attestation::TrustedCertificate &t)
{
    const bool manufacturer = t.role == store::CertificateRoleName::Manufacturer;
    QJsonObject out { { QStringLiteral("kind"), manufacturer ? QStringLiteral("manufacturer") : QStringLiteral("certificate-issuer") },
                      { QStringLiteral("name"), t.name },
                      { QStringLiteral("subject"), t.certificate.subjectText() },
                      { QStringLiteral("key_id"), keyId(t.certificate) },
                      { QStringLiteral("valid_from"), isoTime(t.certificate.notBefore()) },
                      { QStringLiteral("valid_to"), isoTime(t.certificate.notAfter()) },
                      { QStringLiteral("eid_range"), manufacturer ? QJsonValue(t.eidPrefix) : QJsonValue(QJsonValue::Null) },
                      { QStringLiteral("crl_this_update"), isoTime(t.revocationThisUpdate) },
                      { QStringLiteral("crl_next_update"), isoTime(t.revocationNextUpdate) },
                      { QStringLiteral("alert"), t.alert.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(t.alert) } };
    if (!manufacturer)
        out.insert(QStringLiteral("test_issuer"), attestation::TrustBook::isTestCertificateIssuer(t.certificate));
    return out;
}

// "F5:41:72..." as trust list prints it, or the same without colons.
std::optional<QByteArray> parseKeyId(const QString &text)
{
    QString digits = text;
    digits.remove(u':');
    const QByteArray bytes = QByteArray::fromHex(digits.toLatin1());
    if (digits.isEmpty() || digits.size() % 2 || bytes.toHex() != digits.toLower().toLatin1())
        return std::nullopt;
    return bytes;
}

} // namespace

int TrustCommand::run(const QStringList &arguments, CliContext &context)
{
    QCommandLineParser parser;
    const QCommandLineOption issuer(QStringLiteral("issuer"),
                                    QStringLiteral("add: a certificate issuer's (CI) root certificate, PEM or DER."),
                                    QStringLiteral("FILE"));
    const QCommandLineOption manufacturer(
        QStringLiteral("manufacturer"),
        QStringLiteral("add: a manufacturer's (EUM) certificate, PEM or DER; it must chain to a trusted issuer."),
        QStringLiteral("FILE"));
    const QCommandLineOption crl(QStringLiteral("crl"),
                                 QStringLiteral("add: a revocation list of a trusted issuer or manufacturer, PEM or DER."),
                                 QStringLiteral("FILE"));
    const QCommandLineOption keyIdOption(QStringLiteral("key-id"),
                                         QStringLiteral("retire: the key id of the issuer or manufacturer, as trust list "
                                                        "shows it."),
                                         QStringLiteral("HEX"));
    parser.addOptions({ issuer, manufacturer, crl, keyIdOption });
    parser.addPositionalArgument(QStringLiteral("action"), QStringLiteral("list (default), add or retire."));
    if (const auto done = parseCommandLine(parser, *this, arguments, context, 1))
        return *done;
    const QString action = parser.positionalArguments().value(0, QStringLiteral("list"));
    if (action != u"list" && action != u"add" && action != u"retire")
        return report(context, name(), QStringLiteral("the action is list, add or retire, not %1").arg(action), BadUsage);
    const int files = int(parser.isSet(issuer)) + int(parser.isSet(manufacturer)) + int(parser.isSet(crl));
    if (action == u"add" && files != 1)
        return report(context, name(), QStringLiteral("add takes one of --issuer, --manufacturer or --crl with a file"),
                      BadUsage);
    if (action != u"add" && files != 0)
        return report(context, name(), QStringLiteral("--issuer, --manufacturer and --crl go with add"), BadUsage);
    std::optional<QByteArray> keyId;
    if (action == u"retire") {
        if (!parser.isSet(keyIdOption))
            return report(context, name(), QStringLiteral("retire needs --key-id HEX (trust list shows it)"), BadUsage);
        keyId = parseKeyId(parser.value(keyIdOption));
        if (!keyId)
            return report(context, name(),
                          QStringLiteral("--key-id takes hex digits, with or without colons, as trust list shows them"),
                          BadUsage);
    } else if (parser.isSet(keyIdOption)) {
        return report(context, name(), QStringLiteral("--key-id goes with retire"), BadUsage);
    }

    QByteArray contents;
    if (action == u"add") {
        const QString path = parser.value(parser.isSet(issuer) ? issuer : parser.isSet(manufacturer) ? manufacturer : crl);
        auto read = readCertificateFile(path, QStringLiteral("the file"));
        if (!read)
            return report(context, name(), read.errorMessage(), RequestFailed);
        contents = read.value();
    }

    int exitCode = Success;
    const auto workspace = openWorkspace(context, name(), exitCode);
    if (!workspace)
        return exitCode;
    using attestation::TrustBook;
    if (action == u"add" && parser.isSet(crl)) {
        auto added = TrustBook::addRevocationList(*workspace, *context.session, contents);
        if (!added)
            return report(context, name(), added.errorMessage(), RequestFailed);
        printJson(context, QJsonObject { { QStringLiteral("kind"), QStringLiteral("crl") },
                                         { QStringLiteral("issuer"), added->issuer },
                                         { QStringLiteral("this_update"), isoTime(added->thisUpdate) },
                                         { QStringLiteral("next_update"), isoTime(added->nextUpdate) } });
        return Success;
    }
    if (action != u"list") {
        auto changed = action == u"retire"   ? TrustBook::retire(*workspace, *context.session, *keyId)
            : parser.isSet(issuer) ? TrustBook::addIssuer(*workspace, *context.session, contents)
                                   : TrustBook::addManufacturer(*workspace, *context.session, contents);
        if (!changed)
            return report(context, name(), changed.errorMessage(), RequestFailed);
        QJsonObject json = toJson(changed.value());
        json.insert(QStringLiteral("retired"), action == u"retire");
        printJson(context, json);
        if (action == u"add" && parser.isSet(issuer) && TrustBook::isTestCertificateIssuer(changed->certificate))
            context.err << "simfleet-cli trust: this workspace now trusts a GSMA SGP.26 test issuer, whose keys are "
                           "published: it is a test workspace."
                        << Qt::endl;
        return Success;
    }
    auto all = TrustBook::list(*workspace, *context.session);
    if (!all)
        return report(context, name(), all.errorMessage(), RequestFailed);
    QJsonArray list;
    for (const attestation::TrustedCertificate &t : all.value()) {
        list.append(toJson(t));
        if (!t.alert.isEmpty())
            context.err << "simfleet-cli trust: " << t.alert << Qt::endl;
    }
    printJson(context, list);
    return Success;
}

} // namespace simfleet::cli
