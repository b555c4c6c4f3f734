#include "auditcheckpoint.h"
#include "auditauthor.h"
#include "auditlog.h"

#include "crypto/ecdsa.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace simfleet::store {

namespace {

const QString format = QStringLiteral("simfleet-audit-checkpoint/1");

QJsonObject unsignedObject(const AuditCheckpoint &c)
{
    QJsonObject keys;
    for (auto k = c.keys.cbegin(); k != c.keys.cend(); ++k)
        keys.insert(k.key(), QString::fromLatin1(k.value().toHex()));
    return QJsonObject {
        { QStringLiteral("format"), format },
        { QStringLiteral("workspace"), c.workspace },
        { QStringLiteral("entries"), c.entries },
        { QStringLiteral("head"), QString::fromLatin1(c.head.toHex()) },
        { QStringLiteral("at"), c.at.toUTC().toString(Qt::ISODateWithMs) },
        { QStringLiteral("signer"), c.signer },
        { QStringLiteral("keys"), keys },
    };
}

} // namespace

// QJsonObject keeps its keys sorted, so the compact form is the same bytes whoever writes it.
QByteArray AuditCheckpoint::signedBytes() const
{
    return QByteArrayLiteral("simfleet audit checkpoint v1:")
        + QJsonDocument(unsignedObject(*this)).toJson(QJsonDocument::Compact);
}

Result<AuditCheckpoint> AuditCheckpoint::take(const QString &workspace, const AuditVerification &intact,
                                              const AuditAuthor &by, const QDateTime &at)
{
    if (!intact.intact)
        return fail(QStringLiteral("the audit log is not intact (%1); a checkpoint of it would vouch for that").arg(intact.problem));
    if (!by.canSign() || intact.keys.value(by.name) != by.key.publicPoint())
        return fail(QStringLiteral("%1 has no key the audit log knows, so cannot sign a checkpoint; log in again").arg(by.name));
    AuditCheckpoint c;
    c.workspace = workspace;
    c.entries = intact.entries;
    c.head = intact.head;
    c.at = at;
    c.signer = by.name;
    c.keys = intact.keys;
    auto signature = crypto::ecdsaSign(by.key, c.signedBytes(), crypto::SignatureFormat::Raw);
    if (!signature)
        return signature.error();
    c.signature = signature.value();
    return c;
}

QByteArray AuditCheckpoint::toJson() const
{
    QJsonObject o = unsignedObject(*this);
    o.insert(QStringLiteral("signature"), QString::fromLatin1(signature.toHex()));
    return QJsonDocument(o).toJson(QJsonDocument::Indented);
}

Result<AuditCheckpoint> AuditCheckpoint::fromJson(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    const auto refuse = [](const QString &why) {
        return fail(QStringLiteral("this is not a usable audit checkpoint: %1; take a new one with simfleet-cli audit "
                                   "checkpoint --out FILE")
                        .arg(why));
    };
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return refuse(QStringLiteral("it is not JSON (%1)").arg(error.errorString()));
    const QJsonObject o = doc.object();
    if (o.value(QStringLiteral("format")).toString() != format)
        return refuse(QStringLiteral("its format is not %1").arg(format));
    AuditCheckpoint c;
    c.workspace = o.value(QStringLiteral("workspace")).toString();
    c.entries = o.value(QStringLiteral("entries")).toInteger(-1);
    c.head = QByteArray::fromHex(o.value(QStringLiteral("head")).toString().toLatin1());
    c.at = QDateTime::fromString(o.value(QStringLiteral("at")).toString(), Qt::ISODateWithMs);
    c.signer = o.value(QStringLiteral("signer")).toString();
    const QJsonObject keys = o.value(QStringLiteral("keys")).toObject();
    for (auto k = keys.constBegin(); k != keys.constEnd(); ++k)
        c.keys.insert(k.key(), QByteArray::fromHex(k.value().toString().toLatin1()));
    c.signature = QByteArray::fromHex(o.value(QStringLiteral("signature")).toString().toLatin1());
    if (c.entries < 1 || c.head.size() != 32 || !c.at.isValid() || c.signer.isEmpty())
        return refuse(QStringLiteral("a field is missing or malformed"));
    auto signerKey = crypto::EcPublicKey::fromUncompressedPoint(c.keys.value(c.signer));
    if (!signerKey)
        return refuse(QStringLiteral("it holds no key for its signer %1").arg(c.signer));
    if (!crypto::ecdsaVerify(signerKey.value(), c.signedBytes(), c.signature, crypto::SignatureFormat::Raw))
        return refuse(QStringLiteral("its signature does not match: the file was changed after %1 signed it").arg(c.signer));
    return c;
}

} // namespace simfleet::store
