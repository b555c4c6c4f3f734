#include "euiccinfo.h"
#include "der.h"

namespace simfleet::protocol {

namespace {

constexpr quint16 tagEuiccInfo1 = 0xBF20;

// SEQUENCE OF SubjectKeyIdentifier (an OCTET STRING in PKIX1Implicit88, which tags nothing).
QByteArray keyIdList(quint16 tag, const QList<QByteArray> &ids)
{
    QByteArray items;
    for (const QByteArray &id : ids)
        items += der::tlv(0x04, id);
    return der::tlv(tag, items);
}

Result<QList<QByteArray>> readKeyIds(QByteArrayView content)
{
    QList<QByteArray> out;
    der::Reader r(content);
    while (!r.atEnd()) {
        auto id = r.expect(0x04, "SubjectKeyIdentifier");
        if (!id)
            return id.error();
        // SHA-1 (20 bytes) by RFC 5280's first method; a CI may choose another length, never none.
        if (id->content.isEmpty() || id->content.size() > 64)
            return fail(QStringLiteral("a key identifier of %1 bytes").arg(id->content.size()));
        out.append(id->content.toByteArray());
    }
    return out;
}

} // namespace

QByteArray EuiccInfo1::encode() const
{
    // svn [2], euiccCiPKIdListForVerification [9], euiccCiPKIdListForSigning [10].
    return der::tlv(tagEuiccInfo1, QByteArray(der::tlv(0x82, svn) + keyIdList(0xA9, ciKeyIdsForVerification)
                                              + keyIdList(0xAA, ciKeyIdsForSigning)));
}

Result<EuiccInfo1> EuiccInfo1::decode(QByteArrayView bytes)
{
    const auto bad = [](const QString &why) { return fail(QStringLiteral("the eUICC's information (EUICCInfo1): %1").arg(why)); };
    der::Reader outer(bytes);
    auto top = outer.expect(tagEuiccInfo1, "EUICCInfo1");
    if (!top || !outer.atEnd())
        return bad(QStringLiteral("not one EUICCInfo1"));
    der::Reader r(top->content);
    auto svn = r.expect(0x82, "svn");
    auto verification = svn ? r.expect(0xA9, "euiccCiPKIdListForVerification") : svn;
    auto signing = verification ? r.expect(0xAA, "euiccCiPKIdListForSigning") : verification;
    if (!signing || !r.atEnd())
        return bad(signing ? QStringLiteral("trailing data") : signing.errorMessage());
    if (svn->content.size() != 3)
        return bad(QStringLiteral("the SGP.22 version is not 3 bytes"));
    auto forVerification = readKeyIds(verification->content);
    auto forSigning = forVerification ? readKeyIds(signing->content) : forVerification;
    if (!forSigning)
        return bad(forSigning.errorMessage());
    return EuiccInfo1 { svn->content.toByteArray(), forVerification.value(), forSigning.value() };
}

} // namespace simfleet::protocol
