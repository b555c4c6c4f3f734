#include "ipaeuiccdata.h"
#include "der.h"
#include "dervalues.h"

#include <QList>

#include <algorithm>
#include <initializer_list>
#include <limits>

// The tags follow SGP32Definitions (AUTOMATIC TAGS) as X.680 reads it, checked against asn1c's
// compilation of the module (tests/interop/tst_rsp_messages_asn1c.sh). IpaEuiccDataRequest and
// IpaEuiccData have tagged members, so they get no automatic tags: euiccCiPKId keeps the
// universal OCTET STRING ('04'), and every tag written on a SEQUENCE member is implicit
// ('A5', 'A6', 'A8', 'A9'), on a CHOICE explicit (searchCriteria 'A1', notificationsList 'BF2B').
namespace simfleet::protocol {

namespace {

constexpr quint16 tagIpaEuiccData = 0xBF52; // [82]
constexpr quint16 tagTagList = 0x5C;        // [APPLICATION 28]
constexpr quint16 tagKeyIdentifier = 0x04;
constexpr quint16 tagSearchCriteria = 0xA1;
constexpr quint16 tagSeqNumber = 0x80;
constexpr quint16 tagOperation = 0x81;
constexpr quint16 tagEuiccPackageResults = 0x82;

// IpaEuiccDataResponse's alternatives, automatically tagged.
constexpr quint16 tagData = 0xA0;
constexpr quint16 tagError = 0x81;

// IpaEuiccData's members.
constexpr quint16 tagDefaultSmdp = 0x80;
constexpr quint16 tagEuiccInfo1 = 0xBF20;
constexpr quint16 tagEuiccInfo2 = 0xBF22;
constexpr quint16 tagRootSmds = 0x83;
constexpr quint16 tagAssociationToken = 0x84;
constexpr quint16 tagEumCertificate = 0xA5;
constexpr quint16 tagEuiccCertificate = 0xA6;
constexpr quint16 tagIpaCapabilities = 0xA8;
constexpr quint16 tagDeviceInfo = 0xA9;
constexpr quint16 tagNotificationsList = 0xBF2B;

// An address is an FQDN (RFC 1035: at most 253 characters); a little room to spare.
constexpr qsizetype longestAddress = 255;
constexpr int highestEvent = 3; // NotificationEvent's notificationDelete (SGP.22 section 5.7.9)

const char requestType[] = "IpaEuiccDataRequest";
const char responseType[] = "IpaEuiccDataResponse";

Error bad(const char *what, const QString &why)
{
    return fail(QStringLiteral("%1: %2").arg(QLatin1StringView(what), why));
}

QString tagName(quint16 tag)
{
    return QStringLiteral("'%1'").arg(tag, tag > 0xff ? 4 : 2, 16, QLatin1Char('0')).toUpper();
}

// A tag with its constructed bit (bit 6 of the first identifier octet) cleared: the same data
// object whether written primitive or constructed.
quint16 withoutForm(quint16 tag)
{
    return tag > 0xff ? quint16(tag & ~0x2000) : quint16(tag & ~0x20);
}

// tagList: identifier octets one after another (X.690 section 8.1.2), each of one octet, or of
// two where the number is 31 to 127, which is every tag SGP.32 uses.
Result<QList<quint16>> readTagList(QByteArrayView bytes)
{
    QList<quint16> out;
    for (qsizetype i = 0; i < bytes.size();) {
        quint16 tag = quint8(bytes[i++]);
        if ((tag & 0x1f) == 0x1f) {
            if (i >= bytes.size())
                return fail(QStringLiteral("the tag list's last tag %1 is cut short").arg(tagName(tag)));
            const quint8 second = quint8(bytes[i++]);
            if (second & 0x80)
                return fail(QStringLiteral("the tag list holds a tag longer than two octets, which no data object has"));
            if (second < 0x1f)
                return fail(QStringLiteral("the tag list writes a tag number under 31 in the long form (not DER)"));
            tag = quint16((tag << 8) | second);
        }
        out.append(tag);
    }
    return out;
}

// After the members a SEQUENCE knows: extension additions of a later version (the module's
// EXTENSIBILITY IMPLIED, X.680 clause 25) are skipped, but a member it knows is never where
// it does not belong.
struct Member
{
    quint16 tag;
    const char *name;
};

Result<void> skipExtensions(der::Reader &r, std::initializer_list<Member> known, const char *type)
{
    while (!r.atEnd()) {
        auto e = r.next();
        if (!e)
            return bad(type, e.errorMessage());
        const auto member = std::find_if(known.begin(), known.end(),
                                         [&](const Member &m) { return withoutForm(m.tag) == withoutForm(e->tag); });
        if (member == known.end())
            continue;
        if (e->tag == withoutForm(tagIpaCapabilities))
            return bad(type, QStringLiteral("ipaCapabilities tagged '88': it is a SEQUENCE, so its implicit [8] is 'A8' "
                                            "(whatever the comment in SGP.32 section 2.11.2.2 says)"));
        return bad(type, QStringLiteral("%1 %2 is out of order, repeated or in the wrong form (%3 found)")
                             .arg(QLatin1StringView(member->name), tagName(member->tag), tagName(e->tag)));
    }
    return {};
}

Result<QString> readAddress(const der::Element &e, const char *what)
{
    auto text = der::readUtf8(e.content, longestAddress);
    if (!text)
        return bad(what, text.errorMessage());
    return text;
}

// A Certificate (RFC 5280 section 4.1) under an implicit tag: the tag replaces the
// SEQUENCE's, so the content is tbsCertificate, signatureAlgorithm and signatureValue. Returned
// with its '30' back, as crypto::Certificate reads it. The signature is not checked here: the eIM
// verifies the chain before it trusts the eUICC.
Result<QByteArray> readCertificate(const der::Element &e, const char *what)
{
    der::Reader parts(e.content);
    auto tbs = parts.next();
    auto algorithm = tbs ? parts.next() : tbs;
    auto signature = algorithm ? parts.next() : algorithm;
    if (tbs && tbs->tag == 0x30 && parts.atEnd() && !algorithm)
        return bad(what, QStringLiteral("a whole certificate inside %1: the tag is implicit and replaces the certificate's SEQUENCE tag")
                             .arg(tagName(e.tag)));
    if (!signature || tbs->tag != 0x30 || algorithm->tag != 0x30 || signature->tag != 0x03 || !parts.atEnd())
        return bad(what, QStringLiteral("not a certificate (a tbsCertificate, a signatureAlgorithm and a signatureValue)"));
    return der::sequence(e.content);
}

// The certificate's content under the member's tag. Bytes that are not one SEQUENCE are
// written whole inside the tag, which every decoder refuses rather than misreads.
QByteArray tagCertificate(const QByteArray &certificate, quint16 tag)
{
    der::Reader r(certificate);
    auto e = r.next();
    if (e && e->tag == 0x30 && r.atEnd())
        return der::tlv(tag, e->content);
    return der::tlv(tag, certificate);
}

Result<IpaEuiccData> decodeData(QByteArrayView bytes)
{
    der::Reader r(bytes);
    IpaEuiccData out;
    if (auto address = r.optional(tagDefaultSmdp)) {
        auto text = readAddress(address.value(), "defaultSmdpAddress");
        if (!text)
            return text.error();
        out.defaultSmdpAddress = text.value();
    }
    if (auto info = r.optional(tagEuiccInfo1))
        out.euiccInfo1 = info->encoded.toByteArray();
    if (auto info = r.optional(tagEuiccInfo2))
        out.euiccInfo2 = info->encoded.toByteArray();
    if (auto address = r.optional(tagRootSmds)) {
        auto text = readAddress(address.value(), "rootSmdsAddress");
        if (!text)
            return text.error();
        out.rootSmdsAddress = text.value();
    }
    if (auto token = r.optional(tagAssociationToken)) {
        auto value = der::readStrictInteger(token->content, std::numeric_limits<qint64>::min(), std::numeric_limits<qint64>::max());
        if (!value)
            return bad("associationToken", value.errorMessage());
        out.associationToken = value.value();
    }
    if (auto certificate = r.optional(tagEumCertificate)) {
        auto der = readCertificate(certificate.value(), "eumCertificate");
        if (!der)
            return der.error();
        out.eumCertificate = der.value();
    }
    if (auto certificate = r.optional(tagEuiccCertificate)) {
        auto der = readCertificate(certificate.value(), "euiccCertificate");
        if (!der)
            return der.error();
        out.euiccCertificate = der.value();
    }
    if (auto capabilities = r.optional(tagIpaCapabilities))
        out.ipaCapabilities = capabilities->encoded.toByteArray();
    if (auto info = r.optional(tagDeviceInfo))
        out.deviceInfo = info->encoded.toByteArray();
    if (auto list = r.optional(tagNotificationsList))
        out.notificationsList = list->encoded.toByteArray();
    auto rest = skipExtensions(r,
                               { { tagDefaultSmdp, "defaultSmdpAddress" }, { tagEuiccInfo1, "euiccInfo1" },
                                 { tagEuiccInfo2, "euiccInfo2" }, { tagRootSmds, "rootSmdsAddress" },
                                 { tagAssociationToken, "associationToken" }, { tagEumCertificate, "eumCertificate" },
                                 { tagEuiccCertificate, "euiccCertificate" }, { tagIpaCapabilities, "ipaCapabilities" },
                                 { tagDeviceInfo, "deviceInfo" }, { tagNotificationsList, "notificationsList" } },
                               "ipaEuiccData");
    if (!rest)
        return rest.error();
    return out;
}

QByteArray encodeData(const IpaEuiccData &d)
{
    QByteArray out;
    if (!d.defaultSmdpAddress.isEmpty())
        out += der::tlv(tagDefaultSmdp, d.defaultSmdpAddress.toUtf8());
    out += d.euiccInfo1;
    out += d.euiccInfo2;
    if (!d.rootSmdsAddress.isEmpty())
        out += der::tlv(tagRootSmds, d.rootSmdsAddress.toUtf8());
    if (d.associationToken)
        out += der::integer(*d.associationToken, tagAssociationToken);
    if (!d.eumCertificate.isEmpty())
        out += tagCertificate(d.eumCertificate, tagEumCertificate);
    if (!d.euiccCertificate.isEmpty())
        out += tagCertificate(d.euiccCertificate, tagEuiccCertificate);
    out += d.ipaCapabilities;
    out += d.deviceInfo;
    out += d.notificationsList;
    return out;
}

Result<void> readSearchCriteria(const der::Element &criteria, IpaEuiccDataRequest &out)
{
    der::Reader c(criteria.content);
    auto chosen = c.next();
    if (!chosen)
        return bad("searchCriteria", chosen.errorMessage());
    if (!c.atEnd())
        return fail(QStringLiteral("searchCriteria holds more than one alternative"));
    switch (chosen->tag) {
    case tagSeqNumber: {
        // Sequence numbers count up from 0 (SGP.22 section 5.7.9).
        auto number = der::readStrictInteger(chosen->content, 0, std::numeric_limits<qint64>::max());
        if (!number)
            return bad("seqNumber", number.errorMessage());
        out.search = IpaEuiccDataRequest::Search::SeqNumber;
        out.seqNumber = number.value();
        return {};
    }
    case tagOperation: {
        auto events = der::readNamedBits(chosen->content, highestEvent);
        if (!events)
            return bad("profileManagementOperation", events.errorMessage());
        out.search = IpaEuiccDataRequest::Search::ProfileManagementOperation;
        out.notificationEvent = int(events.value());
        return {};
    }
    case tagEuiccPackageResults:
        if (!chosen->content.isEmpty())
            return fail(QStringLiteral("euiccPackageResults is not a NULL"));
        out.search = IpaEuiccDataRequest::Search::EuiccPackageResults;
        return {};
    default:
        return fail(QStringLiteral("searchCriteria of tag %1 is none of seqNumber, profileManagementOperation or euiccPackageResults")
                        .arg(tagName(chosen->tag)));
    }
}

} // namespace

bool IpaEuiccDataRequest::wants(quint16 tag) const
{
    auto tags = readTagList(tagList);
    return tags && std::any_of(tags->cbegin(), tags->cend(), [tag](quint16 t) { return withoutForm(t) == withoutForm(tag); });
}

QByteArray IpaEuiccDataRequest::encode() const
{
    QByteArray content = der::tlv(tagTagList, tagList);
    if (!euiccCiPKId.isEmpty())
        content += der::tlv(tagKeyIdentifier, euiccCiPKId);
    switch (search) {
    case Search::None: break;
    case Search::SeqNumber: content += der::tlv(tagSearchCriteria, der::integer(seqNumber, tagSeqNumber)); break;
    case Search::ProfileManagementOperation:
        content += der::tlv(tagSearchCriteria, der::namedBitsMask(quint32(notificationEvent), tagOperation));
        break;
    case Search::EuiccPackageResults: content += der::tlv(tagSearchCriteria, der::tlv(tagEuiccPackageResults, {})); break;
    }
    return der::tlv(tagIpaEuiccData, content);
}

Result<IpaEuiccDataRequest> IpaEuiccDataRequest::decode(QByteArrayView bytes)
{
    der::Reader outer(bytes);
    auto top = outer.expect(tagIpaEuiccData, requestType);
    if (!top)
        return top.error();
    if (!outer.atEnd())
        return bad(requestType, QStringLiteral("trailing bytes after it"));
    der::Reader r(top->content);
    IpaEuiccDataRequest out;
    auto list = r.expect(tagTagList, "tagList");
    if (!list)
        return bad(requestType, list.errorMessage());
    if (auto tags = readTagList(list->content); !tags)
        return bad(requestType, tags.errorMessage());
    out.tagList = list->content.toByteArray();
    if (auto id = r.optional(tagKeyIdentifier)) {
        if (id->content.isEmpty())
            return bad(requestType, QStringLiteral("euiccCiPKId is empty"));
        out.euiccCiPKId = id->content.toByteArray();
    }
    if (auto criteria = r.optional(tagSearchCriteria)) {
        if (auto read = readSearchCriteria(criteria.value(), out); !read)
            return bad(requestType, read.errorMessage());
    }
    auto rest = skipExtensions(r,
                               { { tagTagList, "tagList" }, { tagKeyIdentifier, "euiccCiPKId" }, { tagSearchCriteria, "searchCriteria" } },
                               requestType);
    if (!rest)
        return rest.error();
    return out;
}

QByteArray IpaEuiccDataResponse::encode() const
{
    if (const auto *data = std::get_if<IpaEuiccData>(&content))
        return der::tlv(tagData, encodeData(*data));
    return der::integer(std::get<int>(content), tagError);
}

Result<IpaEuiccDataResponse> IpaEuiccDataResponse::decode(QByteArrayView bytes)
{
    der::Reader r(bytes);
    auto chosen = r.next();
    if (!chosen)
        return bad(responseType, chosen.errorMessage());
    if (!r.atEnd())
        return bad(responseType, QStringLiteral("trailing bytes after its alternative"));
    if (chosen->tag == tagError) {
        auto code = der::readStrictInteger(chosen->content, std::numeric_limits<int>::min(), std::numeric_limits<int>::max());
        if (!code)
            return bad(responseType, QStringLiteral("ipaEuiccDataError: %1").arg(code.errorMessage()));
        return IpaEuiccDataResponse { int(code.value()) };
    }
    if (chosen->tag != tagData)
        return bad(responseType, QStringLiteral("an alternative of tag %1, neither ipaEuiccData ('A0') nor ipaEuiccDataError ('81')")
                                     .arg(tagName(chosen->tag)));
    auto data = decodeData(chosen->content);
    if (!data)
        return bad(responseType, data.errorMessage());
    return IpaEuiccDataResponse { data.value() };
}

} // namespace simfleet::protocol
