#include "akacommand.h"

#include "core/result.h"
#include "crypto/milenage.h"

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

// The whole rule in one message, so the user sees the fix at once.
Result<QByteArray> parseHexField(const QCommandLineParser &parser, HexField field)
{
    const QString name = QString::fromLatin1(field.option);
    const QString text = parser.value(name).trimmed();
    const auto wrong = [&](const QString &why) {
        return fail(QStringLiteral("--%1 %2; it must be %3 hex digits (%4 bytes)")
                        .arg(name, why)
                        .arg(field.bytes * 2)
                        .arg(field.bytes));
    };
    if (text.isEmpty())
        return wrong(QStringLiteral("is missing"));
    for (QChar c : text) {
        if (!c.isDigit() && !(c.toLower() >= u'a' && c.toLower() <= u'f'))
            return wrong(QStringLiteral("contains a character that is not hex (%1)").arg(c));
    }
    if (text.size() != field.bytes * 2)
        return wrong(QStringLiteral("has %1 hex digits").arg(text.size()));
    return QByteArray::fromHex(text.toLatin1());
}

} // namespace

int AkaCommand::run(const QStringList &arguments, CliContext &context)
{
    QCommandLineParser parser;
    parser.addOptions({
        { QStringLiteral("k"), QStringLiteral("Subscriber key K, 32 hex digits."), QStringLiteral("HEX") },
        { QStringLiteral("op"), QStringLiteral("Operator variant OP, 32 hex digits."), QStringLiteral("HEX") },
        { QStringLiteral("opc"), QStringLiteral("OPc, 32 hex digits (instead of --op)."), QStringLiteral("HEX") },
        { QStringLiteral("rand"), QStringLiteral("Network challenge RAND, 32 hex digits."), QStringLiteral("HEX") },
        { QStringLiteral("sqn"), QStringLiteral("Sequence number SQN, 12 hex digits."), QStringLiteral("HEX") },
        { QStringLiteral("amf"), QStringLiteral("Authentication management field AMF, 4 hex digits."),
          QStringLiteral("HEX") },
    });
    if (const auto done = parseCommandLine(parser, *this, arguments, context))
        return *done;
    const bool hasOp = parser.isSet(QStringLiteral("op"));
    const bool hasOpc = parser.isSet(QStringLiteral("opc"));
    if (hasOp == hasOpc)
        return report(context, name(), QStringLiteral("give exactly one of --op and --opc"), BadUsage);

    auto k = parseHexField(parser, { "k", 16 });
    auto operatorValue = parseHexField(parser, { hasOp ? "op" : "opc", 16 });
    auto rand = parseHexField(parser, { "rand", 16 });
    auto sqn = parseHexField(parser, { "sqn", 6 });
    auto amf = parseHexField(parser, { "amf", 2 });
    for (const QString &problem : { k.errorMessage(), operatorValue.errorMessage(), rand.errorMessage(),
                                    sqn.errorMessage(), amf.errorMessage() }) {
        if (!problem.isEmpty())
            return report(context, name(), problem, RequestFailed);
    }

    const SecretBytes key(k.value());
    const SecretBytes opValue(operatorValue.value());
    k.value().fill('\0');
    operatorValue.value().fill('\0');
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
