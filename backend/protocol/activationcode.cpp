#include "activationcode.h"

#include <QList>

namespace simfleet::protocol {

namespace {

// SGP.22 section 4.1: the SM-DP+ address is an FQDN; simfleet also takes HOST:PORT, as
// operators' test servers run on other ports than 443.
bool isAddress(QStringView text)
{
    if (text.isEmpty() || text.size() > 255)
        return false;
    QStringView host = text;
    if (const qsizetype colon = text.lastIndexOf(u':'); colon >= 0) {
        bool ok = false;
        const uint port = text.sliced(colon + 1).toUInt(&ok);
        if (!ok || port == 0 || port > 65535)
            return false;
        host = text.first(colon);
    }
    if (host.isEmpty() || host.startsWith(u'.') || host.endsWith(u'.') || host.startsWith(u'-'))
        return false;
    for (const QChar c : host) {
        if (!(c.isLetterOrNumber() && c.unicode() < 128) && c != u'.' && c != u'-')
            return false;
    }
    return true;
}

// The matching ID (SGP.22 section 4.1.1): letters, digits and '-', as SM-DP+s generate them.
bool isMatchingId(QStringView text)
{
    if (text.isEmpty() || text.size() > 255)
        return false;
    for (const QChar c : text) {
        if (!(c.isLetterOrNumber() && c.unicode() < 128) && c != u'-')
            return false;
    }
    return true;
}

bool isOid(QStringView text)
{
    if (text.isEmpty())
        return true;
    for (const QChar c : text) {
        if (!c.isDigit() && c != u'.')
            return false;
    }
    return !text.startsWith(u'.') && !text.endsWith(u'.') && !text.contains(u"..");
}

} // namespace

Result<ActivationCode> ActivationCode::parse(QStringView text)
{
    QStringView body = text.trimmed();
    if (body.startsWith(u"LPA:", Qt::CaseInsensitive))
        body = body.sliced(4);
    const QList<QStringView> parts = body.split(u'$');
    if (parts.size() < 3 || parts.size() > 5)
        return fail(QStringLiteral("an activation code has 3 to 5 parts separated by '$' (1$SM-DP+ address$matching ID), "
                                   "this one has %1")
                        .arg(parts.size()));
    if (parts.at(0) != u"1")
        return fail(QStringLiteral("activation code format \"%1\" is not one simfleet reads; SGP.22 defines format 1")
                        .arg(parts.at(0).left(8)));
    ActivationCode code;
    if (!isAddress(parts.at(1)))
        return fail(QStringLiteral("the activation code's SM-DP+ address \"%1\" is not a host name (with an optional :PORT)")
                        .arg(parts.at(1).left(64)));
    code.smdpAddress = parts.at(1).toString().toLower();
    if (!isMatchingId(parts.at(2)))
        return fail(QStringLiteral("the activation code's matching ID is empty or holds characters other than letters, "
                                   "digits and '-'"));
    code.matchingId = parts.at(2).toString();
    if (parts.size() > 3) {
        if (!isOid(parts.at(3)))
            return fail(QStringLiteral("the activation code's SM-DP+ OID \"%1\" is not an object identifier").arg(parts.at(3).left(64)));
        code.smdpOid = parts.at(3).toString();
    }
    if (parts.size() > 4) {
        if (parts.at(4) != u"1" && parts.at(4) != u"0" && !parts.at(4).isEmpty())
            return fail(QStringLiteral("the activation code's confirmation code flag is \"%1\"; it is 1 or absent").arg(parts.at(4).left(8)));
        code.confirmationCodeRequired = parts.at(4) == u"1";
    }
    return code;
}

QString ActivationCode::toString() const
{
    QString out = QStringLiteral("1$%1$%2").arg(smdpAddress, matchingId);
    if (!smdpOid.isEmpty() || confirmationCodeRequired)
        out += u'$' + smdpOid;
    if (confirmationCodeRequired)
        out += QStringLiteral("$1");
    return out;
}

} // namespace simfleet::protocol
