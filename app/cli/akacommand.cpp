#include "akacommand.h"
#include "secretfile.h"

#include "core/result.h"
#include "crypto/milenage.h"
#include "crypto/secretbytes.h"

#include <QCommandLineParser>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

namespace simfleet::cli {

namespace {

using crypto::SecretBytes;

struct HexField
{
    const char *option;
    int bytes;
};

Result<QByteArray> parseHexField(const QCommandLineParser &parser, HexField field)
{
    const QString name = QString::fromLatin1(field.option);
    const QByteArray text = parser.value(name).trimmed().toLatin1();
    if (auto ok = checkHex(text, QStringLiteral("--") + name, field.bytes); !ok)
        return ok.error();
    return QByteArray::fromHex(text);
}

// Ki, OP or OPc: from --NAME-file (a file, or - for standard input) or, with a warning, from
// --NAME on the command line.
Result<crypto::SecretBytes> secretField(const QCommandLineParser &parser, HexField field, bool &stdinTaken,
                                        CliContext &context, const QString &command)
{
    const QString name = QString::fromLatin1(field.option);
    const QString fileOption = name + QStringLiteral("-file");
    if (parser.isSet(fileOption)) {
        if (parser.isSet(name))
            return fail(QStringLiteral("give --%1 or --%2, not both").arg(name, fileOption));
        const QString path = parser.value(fileOption);
        if (path == u"-") {
            if (stdinTaken)
                return fail(QStringLiteral("only one key can come from standard input; put the other in a file"));
            stdinTaken = true;
        }
        return readSecretFile(context, path, QStringLiteral("--%1 %2").arg(fileOption, path), field.bytes);
    }
    if (parser.isSet(name))
        context.err << "simfleet-cli " << command << ": warning: --" << name
                    << " on the command line can be read by other users of this machine (ps) and stays in the shell's"
                       " history; give it with --"
                    << fileOption << " FILE, or --" << fileOption << " - to read standard input" << Qt::endl;
    QByteArray text = parser.value(name).trimmed().toLatin1();
    Result<crypto::SecretBytes> out = fail(QString());
    if (auto ok = checkHex(text, QStringLiteral("--") + name, field.bytes); !ok) {
        out = ok.error();
    } else {
        bool parsed = false;
        out = crypto::SecretBytes::fromHex(text, &parsed);
    }
    crypto::wipeBytes(text); // the parser's own copy cannot be reached
    return out;
}

} // namespace

int AkaCommand::run(const QStringList &arguments, CliContext &context)
{
    QCommandLineParser parser;
    // Keys on the command line are visible to every user of the machine (ps, /proc) and stay in
    // the shell's history: the -file forms read them from a file or standard input instead.
    parser.addOptions({
        { QStringLiteral("k-file"),
          QStringLiteral("Read the subscriber key K (32 hex digits) from FILE, or from standard input with -."),
          QStringLiteral("FILE") },
        { QStringLiteral("op-file"), QStringLiteral("Read the operator variant OP from FILE (- for standard input)."),
          QStringLiteral("FILE") },
        { QStringLiteral("opc-file"), QStringLiteral("Read OPc from FILE (- for standard input), instead of OP."),
          QStringLiteral("FILE") },
        { QStringLiteral("k"),
          QStringLiteral("Subscriber key K, 32 hex digits. Unsafe: other users see it in ps and it stays in the "
                         "shell's history; prefer --k-file."),
          QStringLiteral("HEX") },
        { QStringLiteral("op"), QStringLiteral("Operator variant OP, 32 hex digits (unsafe as --k is; prefer --op-file)."),
          QStringLiteral("HEX") },
        { QStringLiteral("opc"), QStringLiteral("OPc, 32 hex digits, instead of OP (unsafe as --k is; prefer --opc-file)."),
          QStringLiteral("HEX") },
        { QStringLiteral("rand"), QStringLiteral("Network challenge RAND, 32 hex digits."), QStringLiteral("HEX") },
        { QStringLiteral("sqn"), QStringLiteral("Sequence number SQN, 12 hex digits."), QStringLiteral("HEX") },
        { QStringLiteral("amf"), QStringLiteral("Authentication management field AMF, 4 hex digits."),
          QStringLiteral("HEX") },
    });
    if (const auto done = parseCommandLine(parser, *this, arguments, context))
        return *done;
    const bool hasOp = parser.isSet(QStringLiteral("op")) || parser.isSet(QStringLiteral("op-file"));
    const bool hasOpc = parser.isSet(QStringLiteral("opc")) || parser.isSet(QStringLiteral("opc-file"));
    if (hasOp == hasOpc)
        return report(context, name(), QStringLiteral("give exactly one of --op and --opc"), BadUsage);

    bool stdinTaken = false;
    auto k = secretField(parser, { "k", 16 }, stdinTaken, context, name());
    auto operatorValue = secretField(parser, { hasOp ? "op" : "opc", 16 }, stdinTaken, context, name());
    auto rand = parseHexField(parser, { "rand", 16 });
    auto sqn = parseHexField(parser, { "sqn", 6 });
    auto amf = parseHexField(parser, { "amf", 2 });
    for (const QString &problem : { k.errorMessage(), operatorValue.errorMessage(), rand.errorMessage(),
                                    sqn.errorMessage(), amf.errorMessage() }) {
        if (!problem.isEmpty())
            return report(context, name(), problem, RequestFailed);
    }

    const SecretBytes &key = k.value();
    const SecretBytes &opValue = operatorValue.value();
    auto milenage = hasOp ? crypto::Milenage::withOp(key, opValue) : crypto::Milenage::withOpc(key, opValue);
    if (!milenage)
        return report(context, name(), milenage.errorMessage(), RequestFailed);
    auto v = milenage->compute(rand.value(), sqn.value(), amf.value());
    if (!v)
        return report(context, name(), v.errorMessage(), RequestFailed);

    // The user supplied K and OP and asked for what they answer: printing is the purpose here.
    const auto hex = [](const QByteArray &b) { return QString::fromLatin1(b.toHex()); };
    const auto secretHex = [](const SecretBytes &s) { return QString::fromLatin1(crypto::revealAsHex(s)); };
    const QJsonObject json {
        { QStringLiteral("opc"), secretHex(milenage->opc()) },
        { QStringLiteral("mac_a"), hex(v->macA) },
        { QStringLiteral("mac_s"), hex(v->macS) },
        { QStringLiteral("res"), hex(v->res) },
        { QStringLiteral("ck"), secretHex(v->ck) },
        { QStringLiteral("ik"), secretHex(v->ik) },
        { QStringLiteral("ak"), hex(v->ak) },
        { QStringLiteral("ak_star"), hex(v->akStar) },
        { QStringLiteral("autn"), hex(v->autn) },
    };
    context.out << QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Compact)) << Qt::endl;
    return Success;
}

} // namespace simfleet::cli
