#include "eimpackage.h"
#include "der.h"
#include "dervalues.h"
#include "profilepackage.h"

#include <algorithm>
#include <array>
#include <limits>

// The tags below follow SGP32Definitions (AUTOMATIC TAGS) as X.680 reads it, each checked
// against asn1c's compilation of the module (tests/interop/tst_rsp_messages_asn1c.sh): a
// SEQUENCE or CHOICE with a tagged component gets no automatic tags, so its untagged components
// keep their universal tags (rollbackFlag '05', processingTerminated '02', the signed data '30').
namespace simfleet::protocol {

namespace {

constexpr quint16 tagPackage = 0xBF51;     // EuiccPackageRequest, and [81] around EuiccPackageResult
constexpr quint16 tagSignature = 0x5F37;   // [APPLICATION 55]
constexpr quint16 tagIdentifier = 0x5A;    // [APPLICATION 26]: eidValue, and the PSMOs' Iccid
constexpr quint16 tagProfileInfoList = 0xBF2D;
constexpr quint16 tagDownloadTrigger = 0xBF54;
constexpr quint16 tagInstallationResult = 0xBF37;
constexpr qsizetype signatureSize = 64;    // r || s of an ECDSA signature on a 256-bit curve
constexpr qsizetype activationCodeLimit = 255;

// Psmo's alternatives (section 2.11.1.1.3): [3] to [7], SEQUENCEs, so constructed.
constexpr quint16 tagEnable = 0xA3;
constexpr quint16 tagDisable = 0xA4;
constexpr quint16 tagDelete = 0xA5;
constexpr quint16 tagGetRat = 0xA6;
constexpr quint16 tagConfigureAutoEnable = 0xA7;

// EuiccResultData's alternatives (section 2.11.2.1): INTEGERs implicitly tagged, CHOICEs
// (listProfileInfoResult, addEimResult, listEimResult) explicitly.
constexpr quint16 tagEnableResult = 0x83;
constexpr quint16 tagDisableResult = 0x84;
constexpr quint16 tagDeleteResult = 0x85;
constexpr quint16 tagRollbackResult = 0x8C;
constexpr quint16 tagProcessingTerminated = 0x02;
constexpr std::array<quint16, 6> otherResultTags { 0xA6, 0x87, 0xA8, 0x89, 0x8A, 0xAB };

Error bad(const char *what, const QString &why)
{
    return fail(QStringLiteral("%1: %2").arg(QLatin1StringView(what), why));
}

QString tagName(quint16 tag)
{
    return QStringLiteral("'%1'").arg(tag, tag > 0xff ? 4 : 2, 16, QLatin1Char('0')).toUpper();
}

Result<qint64> readAnyInteger(QByteArrayView content)
{
    return der::readStrictInteger(content, std::numeric_limits<qint64>::min(), std::numeric_limits<qint64>::max());
}

Result<int> readCode(QByteArrayView content)
{
    auto value = der::readStrictInteger(content, std::numeric_limits<int>::min(), std::numeric_limits<int>::max());
    if (!value)
        return value.error();
    return int(value.value());
}

// An eIM's identifier (eimId [0] UTF8String): any valid UTF-8, but never empty.
Result<QString> readEimId(const der::Element &e)
{
    auto text = der::readUtf8(e.content, e.content.size());
    if (!text)
        return text.error();
    if (text->isEmpty())
        return fail(QStringLiteral("the eimId is empty"));
    return text;
}

Result<QByteArray> readSignature(der::Reader &r, const char *what)
{
    auto signature = r.expect(tagSignature, what);
    if (!signature)
        return signature.error();
    if (signature->content.size() != signatureSize)
        return fail(QStringLiteral("%1 is %2 bytes, not the 64 of r || s").arg(QLatin1StringView(what)).arg(signature->content.size()));
    return signature->content.toByteArray();
}

// The iccid [APPLICATION 26] that enable, disable and delete carry first.
Result<QString> readPsmoIccid(der::Reader &r)
{
    auto iccid = r.expect(tagIdentifier, "iccid");
    if (!iccid)
        return iccid.error();
    return der::readIccid(iccid->content);
}

Result<Psmo> decodePsmo(const der::Element &e)
{
    Psmo out;
    switch (e.tag) {
    case tagEnable:
    case tagDisable:
    case tagDelete: {
        der::Reader r(e.content);
        auto iccid = readPsmoIccid(r);
        if (!iccid)
            return iccid.error();
        out.iccid = iccid.value();
        out.kind = e.tag == tagEnable ? Psmo::Kind::Enable : e.tag == tagDisable ? Psmo::Kind::Disable : Psmo::Kind::Delete;
        if (e.tag == tagEnable) {
            if (auto flag = r.optional(0x05)) {
                if (!flag->content.isEmpty())
                    return fail(QStringLiteral("enable's rollbackFlag is not a NULL"));
                out.rollbackFlag = true;
            }
        }
        if (!r.atEnd())
            return fail(QStringLiteral("a PSMO carries data after its ICCID"));
        return out;
    }
    case tagProfileInfoList: {
        auto request = ProfileInfoListRequest::decode(e.encoded);
        if (!request)
            return request.error();
        out.kind = Psmo::Kind::ListProfileInfo;
        out.listRequest = request.value();
        return out;
    }
    case tagGetRat:
    case tagConfigureAutoEnable:
        out.kind = Psmo::Kind::Other;
        out.otherTag = e.tag;
        out.other = e.encoded.toByteArray();
        return out;
    default:
        return fail(QStringLiteral("a PSMO of tag %1, none of enable, disable, delete, listProfileInfo, getRAT or configureAutoEnable")
                        .arg(tagName(e.tag)));
    }
}

QByteArray encodePsmo(const Psmo &psmo)
{
    const QByteArray iccid = der::tlv(tagIdentifier, iccidToEfIccid(psmo.iccid));
    switch (psmo.kind) {
    case Psmo::Kind::Enable:
        // rollbackFlag is the universal NULL: enable's iccid is tagged, so no automatic tags.
        return der::tlv(tagEnable, psmo.rollbackFlag ? QByteArray(iccid + QByteArray::fromHex("0500")) : iccid);
    case Psmo::Kind::Disable: return der::tlv(tagDisable, iccid);
    case Psmo::Kind::Delete: return der::tlv(tagDelete, iccid);
    case Psmo::Kind::ListProfileInfo: return psmo.listRequest.encode();
    case Psmo::Kind::Other: return psmo.other.isEmpty() ? der::tlv(psmo.otherTag, {}) : psmo.other;
    }
    return {};
}

// eimId [0], counterValue [1], transactionId [2]: the head every signed package, result and
// error starts with.
struct SignedHead
{
    QString eimId;
    qint64 counterValue = 0;
    QByteArray transactionId;
};

Result<SignedHead> readSignedHead(der::Reader &r, bool withEid, QString *eid)
{
    SignedHead head;
    auto eimId = r.expect(0x80, "eimId");
    auto text = eimId ? readEimId(eimId.value()) : Result<QString>(eimId.error());
    if (!text)
        return text.error();
    head.eimId = text.value();
    if (withEid) {
        auto value = r.expect(tagIdentifier, "eidValue");
        auto digits = value ? der::readEid(value->content) : Result<QString>(value.error());
        if (!digits)
            return digits.error();
        *eid = digits.value();
    }
    auto counter = r.expect(0x81, "counterValue");
    auto counterValue = counter ? readAnyInteger(counter->content) : Result<qint64>(counter.error());
    if (!counterValue)
        return fail(QStringLiteral("counterValue: %1").arg(counterValue.errorMessage()));
    head.counterValue = counterValue.value();
    if (auto tid = r.optional(0x82)) {
        auto id = der::readTransactionId(tid->content);
        if (!id)
            return id.error();
        head.transactionId = id.value();
    }
    return head;
}

QByteArray signedHead(const QString &eimId, const QString *eid, qint64 counterValue, const QByteArray &transactionId)
{
    QByteArray out = der::tlv(0x80, eimId.toUtf8());
    if (eid)
        out += der::tlv(tagIdentifier, der::eidToBcd(*eid));
    out += der::integer(counterValue, 0x81);
    if (!transactionId.isEmpty())
        out += der::tlv(0x82, transactionId);
    return out;
}

QByteArray encodeResultData(const EuiccResultData &r)
{
    switch (r.kind) {
    case EuiccResultData::Kind::Enable: return der::integer(r.result, tagEnableResult);
    case EuiccResultData::Kind::Disable: return der::integer(r.result, tagDisableResult);
    case EuiccResultData::Kind::Delete: return der::integer(r.result, tagDeleteResult);
    case EuiccResultData::Kind::Rollback: return der::integer(r.result, tagRollbackResult);
    case EuiccResultData::Kind::ProcessingTerminated: return der::integer(r.result, tagProcessingTerminated);
    case EuiccResultData::Kind::ListProfileInfo:
        // SGP32-ProfileInfoListResponse, explicitly tagged [45], is SGP.22's ProfileInfoListResponse byte for byte.
        return r.listError ? ProfileInfoListResponse::encodeError(r.result) : ProfileInfoListResponse { r.profiles }.encode();
    case EuiccResultData::Kind::Other: return r.other;
    }
    return {};
}

Result<EuiccResultData> decodeResultData(const der::Element &e)
{
    EuiccResultData out;
    switch (e.tag) {
    case tagEnableResult: out.kind = EuiccResultData::Kind::Enable; break;
    case tagDisableResult: out.kind = EuiccResultData::Kind::Disable; break;
    case tagDeleteResult: out.kind = EuiccResultData::Kind::Delete; break;
    case tagRollbackResult: out.kind = EuiccResultData::Kind::Rollback; break;
    case tagProcessingTerminated: out.kind = EuiccResultData::Kind::ProcessingTerminated; break;
    case tagProfileInfoList: {
        out.kind = EuiccResultData::Kind::ListProfileInfo;
        der::Reader choice(e.content);
        auto error = choice.optional(0x81);
        if (error && choice.atEnd()) {
            auto code = readCode(error->content);
            if (!code)
                return fail(QStringLiteral("profileInfoListError: %1").arg(code.errorMessage()));
            out.listError = true;
            out.result = code.value();
            return out;
        }
        auto list = ProfileInfoListResponse::decode(e.encoded);
        if (!list)
            return list.error();
        out.profiles = list->profiles;
        return out;
    }
    default:
        if (std::find(otherResultTags.begin(), otherResultTags.end(), e.tag) == otherResultTags.end())
            return fail(QStringLiteral("a result of tag %1, none of EuiccResultData's alternatives").arg(tagName(e.tag)));
        out.kind = EuiccResultData::Kind::Other;
        out.other = e.encoded.toByteArray();
        return out;
    }
    auto code = readCode(e.content);
    if (!code)
        return fail(QStringLiteral("a result code: %1").arg(code.errorMessage()));
    out.result = code.value();
    return out;
}

Result<EuiccPackageResultData> decodeResultDataSigned(QByteArrayView content)
{
    der::Reader r(content);
    auto head = readSignedHead(r, false, nullptr);
    if (!head)
        return head.error();
    EuiccPackageResultData out { head->eimId, head->counterValue, head->transactionId, 0, {} };
    auto seq = r.expect(0x83, "seqNumber");
    auto seqNumber = seq ? readAnyInteger(seq->content) : Result<qint64>(seq.error());
    if (!seqNumber)
        return fail(QStringLiteral("seqNumber: %1").arg(seqNumber.errorMessage()));
    out.seqNumber = seqNumber.value();
    auto list = r.expect(0x30, "euiccResult");
    if (!list)
        return list.error();
    if (!r.atEnd())
        return fail(QStringLiteral("data after euiccResult"));
    der::Reader items(list->content);
    while (!items.atEnd()) {
        auto item = items.next();
        if (!item)
            return item.error();
        auto result = decodeResultData(item.value());
        if (!result)
            return result.error();
        out.results.append(result.value());
    }
    return out;
}

Result<EuiccPackageErrorData> decodeErrorDataSigned(QByteArrayView content)
{
    der::Reader r(content);
    auto head = readSignedHead(r, false, nullptr);
    if (!head)
        return head.error();
    auto code = r.expect(0x02, "euiccPackageErrorCode");
    auto value = code ? readCode(code->content) : Result<int>(code.error());
    if (!value)
        return fail(QStringLiteral("euiccPackageErrorCode: %1").arg(value.errorMessage()));
    if (!r.atEnd())
        return fail(QStringLiteral("data after euiccPackageErrorCode"));
    return EuiccPackageErrorData { head->eimId, head->counterValue, head->transactionId, value.value() };
}

Result<EuiccPackageErrorUnsigned> decodeErrorUnsigned(QByteArrayView content)
{
    der::Reader r(content);
    auto eimId = r.expect(0x80, "eimId");
    auto text = eimId ? readEimId(eimId.value()) : Result<QString>(eimId.error());
    if (!text)
        return text.error();
    EuiccPackageErrorUnsigned out { text.value(), std::nullopt };
    if (auto token = r.optional(0x84)) {
        auto value = readAnyInteger(token->content);
        if (!value)
            return fail(QStringLiteral("associationToken: %1").arg(value.errorMessage()));
        out.associationToken = value.value();
    }
    if (!r.atEnd())
        return fail(QStringLiteral("data after the eimId and associationToken"));
    return out;
}

// The one element `bytes` holds, with this tag, and nothing after it.
Result<der::Element> whole(QByteArrayView bytes, quint16 tag, const char *type)
{
    der::Reader outer(bytes);
    auto top = outer.expect(tag, type);
    if (!top)
        return top;
    if (!outer.atEnd())
        return fail(QStringLiteral("%1: trailing bytes after it").arg(QLatin1StringView(type)));
    return top;
}

} // namespace

Psmo Psmo::enable(const QString &iccid, bool rollback)
{
    Psmo p;
    p.kind = Kind::Enable;
    p.iccid = iccid;
    p.rollbackFlag = rollback;
    return p;
}

Psmo Psmo::disable(const QString &iccid)
{
    Psmo p;
    p.kind = Kind::Disable;
    p.iccid = iccid;
    return p;
}

Psmo Psmo::remove(const QString &iccid)
{
    Psmo p;
    p.kind = Kind::Delete;
    p.iccid = iccid;
    return p;
}

Psmo Psmo::listProfiles(ProfileInfoListRequest request)
{
    Psmo p;
    p.kind = Kind::ListProfileInfo;
    p.listRequest = std::move(request);
    return p;
}

QByteArray EuiccPackageSigned::encode() const
{
    // euiccPackage is an untagged CHOICE whose alternatives are automatically tagged: psmoList [0].
    // simfleet sends no eCOs, so a package decoded with some re-encodes without them.
    QByteArray list;
    for (const Psmo &p : psmos)
        list += encodePsmo(p);
    return der::sequence(QByteArray(signedHead(eimId, &eid, counterValue, transactionId) + der::tlv(0xA0, list)));
}

Result<EuiccPackageSigned> EuiccPackageSigned::decode(QByteArrayView bytes)
{
    const char *what = "EuiccPackageSigned";
    auto top = whole(bytes, 0x30, what);
    if (!top)
        return top.error();
    der::Reader r(top->content);
    EuiccPackageSigned out;
    auto head = readSignedHead(r, true, &out.eid);
    if (!head)
        return bad(what, head.errorMessage());
    out.eimId = head->eimId;
    out.counterValue = head->counterValue;
    out.transactionId = head->transactionId;
    auto package = r.next();
    if (!package)
        return bad(what, QStringLiteral("euiccPackage: %1").arg(package.errorMessage()));
    if (!r.atEnd())
        return bad(what, QStringLiteral("data after euiccPackage"));
    if (package->tag != 0xA0 && package->tag != 0xA1)
        return bad(what, QStringLiteral("euiccPackage of tag %1 is neither psmoList nor ecoList").arg(tagName(package->tag)));
    der::Reader items(package->content);
    while (!items.atEnd()) {
        auto item = items.next();
        if (!item)
            return bad(what, item.errorMessage());
        if (package->tag == 0xA1) {
            ++out.ecoCount;
            continue;
        }
        auto psmo = decodePsmo(item.value());
        if (!psmo)
            return bad(what, psmo.errorMessage());
        out.psmos.append(psmo.value());
    }
    return out;
}

QByteArray EuiccPackageRequest::signedData(QByteArrayView euiccPackageSigned, qint64 associationToken)
{
    // Section 2.11.1.1: the eIM signs euiccPackageSigned followed by the associationToken data
    // object ([4] INTEGER, '84'), 0 when its configuration has none.
    return euiccPackageSigned.toByteArray() + der::integer(associationToken, 0x84);
}

QByteArray EuiccPackageRequest::encode() const
{
    return der::tlv(tagPackage, QByteArray(content.encode() + der::tlv(tagSignature, eimSignature)));
}

Result<EuiccPackageRequest> EuiccPackageRequest::decode(QByteArrayView bytes)
{
    const char *what = "EuiccPackageRequest";
    auto top = whole(bytes, tagPackage, what);
    if (!top)
        return top.error();
    der::Reader r(top->content);
    auto signedPart = r.expect(0x30, "euiccPackageSigned");
    if (!signedPart)
        return bad(what, signedPart.errorMessage());
    auto content = EuiccPackageSigned::decode(signedPart->encoded);
    if (!content)
        return content.error();
    auto signature = readSignature(r, "eimSignature");
    if (!signature)
        return bad(what, signature.errorMessage());
    if (!r.atEnd())
        return bad(what, QStringLiteral("data after eimSignature"));
    return EuiccPackageRequest { content.value(), signature.value(), signedPart->encoded.toByteArray() };
}

QByteArray EuiccPackageResultData::encode() const
{
    QByteArray list;
    for (const EuiccResultData &r : results)
        list += encodeResultData(r);
    return der::sequence(
        QByteArray(signedHead(eimId, nullptr, counterValue, transactionId) + der::integer(seqNumber, 0x83) + der::sequence(list)));
}

QByteArray EuiccPackageErrorData::encode() const
{
    // euiccPackageErrorCode is untagged among tagged components: the universal INTEGER.
    return der::sequence(QByteArray(signedHead(eimId, nullptr, counterValue, transactionId) + der::integer(code)));
}

QByteArray EuiccPackageResult::signedData(QByteArrayView dataSigned, QByteArrayView eimSignature)
{
    // Section 2.11.2.1 has euiccSignEPR and euiccSignEPE computed over the signed data object
    // "concatenated with" the eimSignature data object of the request. simfleet reads "data
    // object" as it does for associationToken above: the whole TLV ('5F37' 40 r || s), not its
    // value alone, on both sides (eUICC simulation and eIM), so the two always agree.
    return dataSigned.toByteArray() + der::tlv(tagSignature, eimSignature);
}

QByteArray EuiccPackageResult::encode() const
{
    // EuiccPackageResult is an untagged CHOICE of untagged SEQUENCEs: automatic tags [0] to [2],
    // inside the explicit [81] every carrier of it gives it.
    QByteArray chosen;
    if (const auto *data = std::get_if<EuiccPackageResultData>(&content))
        chosen = der::tlv(0xA0, QByteArray(data->encode() + der::tlv(tagSignature, euiccSignature)));
    else if (const auto *error = std::get_if<EuiccPackageErrorData>(&content))
        chosen = der::tlv(0xA1, QByteArray(error->encode() + der::tlv(tagSignature, euiccSignature)));
    else if (const auto *unsignedError = std::get_if<EuiccPackageErrorUnsigned>(&content)) {
        QByteArray fields = der::tlv(0x80, unsignedError->eimId.toUtf8());
        if (unsignedError->associationToken)
            fields += der::integer(*unsignedError->associationToken, 0x84);
        chosen = der::tlv(0xA2, fields);
    }
    return der::tlv(tagPackage, chosen);
}

Result<EuiccPackageResult> EuiccPackageResult::decode(QByteArrayView bytes)
{
    const char *what = "EuiccPackageResult";
    auto top = whole(bytes, tagPackage, what);
    if (!top)
        return top.error();
    der::Reader choice(top->content);
    auto chosen = choice.next();
    if (!chosen)
        return bad(what, chosen.errorMessage());
    if (!choice.atEnd())
        return bad(what, QStringLiteral("more than one alternative"));
    EuiccPackageResult out;
    if (chosen->tag == 0xA2) {
        auto error = decodeErrorUnsigned(chosen->content);
        if (!error)
            return bad("euiccPackageErrorUnsigned", error.errorMessage());
        out.content = error.value();
        return out;
    }
    if (chosen->tag != 0xA0 && chosen->tag != 0xA1)
        return bad(what, QStringLiteral("an alternative of tag %1, none of euiccPackageResultSigned, euiccPackageErrorSigned "
                                        "or euiccPackageErrorUnsigned")
                             .arg(tagName(chosen->tag)));
    const char *alternative = chosen->tag == 0xA0 ? "euiccPackageResultSigned" : "euiccPackageErrorSigned";
    der::Reader r(chosen->content);
    auto data = r.expect(0x30, alternative);
    if (!data)
        return bad(what, data.errorMessage());
    auto signature = readSignature(r, chosen->tag == 0xA0 ? "euiccSignEPR" : "euiccSignEPE");
    if (!signature)
        return bad(alternative, signature.errorMessage());
    if (!r.atEnd())
        return bad(alternative, QStringLiteral("data after the signature"));
    if (chosen->tag == 0xA0) {
        auto result = decodeResultDataSigned(data->content);
        if (!result)
            return bad(alternative, result.errorMessage());
        out.content = result.value();
    } else {
        auto error = decodeErrorDataSigned(data->content);
        if (!error)
            return bad(alternative, error.errorMessage());
        out.content = error.value();
    }
    out.euiccSignature = signature.value();
    out.receivedSigned = data->encoded.toByteArray();
    return out;
}

QByteArray ProfileDownloadTriggerRequest::encode() const
{
    // profileDownloadData [0] is a CHOICE, so explicit; activationCode is its [0].
    QByteArray content;
    if (!activationCode.isEmpty())
        content += der::tlv(0xA0, der::tlv(0x80, activationCode.toUtf8()));
    if (!eimTransactionId.isEmpty())
        content += der::tlv(0x82, eimTransactionId);
    return der::tlv(tagDownloadTrigger, content);
}

Result<ProfileDownloadTriggerRequest> ProfileDownloadTriggerRequest::decode(QByteArrayView bytes)
{
    const char *what = "ProfileDownloadTriggerRequest";
    auto top = whole(bytes, tagDownloadTrigger, what);
    if (!top)
        return top.error();
    der::Reader r(top->content);
    ProfileDownloadTriggerRequest out;
    if (auto data = r.optional(0xA0)) {
        der::Reader choice(data->content);
        auto chosen = choice.next();
        if (!chosen || !choice.atEnd())
            return bad(what, QStringLiteral("profileDownloadData is not one alternative"));
        if (chosen->tag == 0x81 || chosen->tag == 0xA2)
            return bad(what, QStringLiteral("%1 is not supported: simfleet downloads with an activation code")
                                 .arg(chosen->tag == 0x81 ? QStringLiteral("contactDefaultSmdp") : QStringLiteral("contactSmds")));
        if (chosen->tag != 0x80)
            return bad(what, QStringLiteral("profileDownloadData of tag %1 is none of its alternatives").arg(tagName(chosen->tag)));
        auto code = der::readUtf8(chosen->content, activationCodeLimit);
        if (!code)
            return bad(what, QStringLiteral("activationCode: %1").arg(code.errorMessage()));
        if (code->isEmpty())
            return bad(what, QStringLiteral("the activation code is empty"));
        out.activationCode = code.value();
    }
    if (auto tid = r.optional(0x82)) {
        auto id = der::readTransactionId(tid->content);
        if (!id)
            return bad(what, QStringLiteral("eimTransactionId: %1").arg(id.errorMessage()));
        out.eimTransactionId = id.value();
    }
    if (!r.atEnd())
        return bad(what, QStringLiteral("unexpected data after its fields"));
    return out;
}

QByteArray ProfileDownloadTriggerResult::encode() const
{
    // The result CHOICE has a tagged alternative ([55]), so profileDownloadError keeps its
    // universal SEQUENCE tag; errorResponse, alone in it, gets [0].
    QByteArray content;
    if (!eimTransactionId.isEmpty())
        content += der::tlv(0x82, eimTransactionId);
    if (!profileInstallationResult.isEmpty())
        content += profileInstallationResult;
    else
        content += der::sequence(errorResponse.isEmpty() ? QByteArray() : der::tlv(0x80, errorResponse));
    return der::tlv(tagDownloadTrigger, content);
}

Result<ProfileDownloadTriggerResult> ProfileDownloadTriggerResult::decode(QByteArrayView bytes)
{
    const char *what = "ProfileDownloadTriggerResult";
    auto top = whole(bytes, tagDownloadTrigger, what);
    if (!top)
        return top.error();
    der::Reader r(top->content);
    ProfileDownloadTriggerResult out;
    if (auto tid = r.optional(0x82)) {
        auto id = der::readTransactionId(tid->content);
        if (!id)
            return bad(what, QStringLiteral("eimTransactionId: %1").arg(id.errorMessage()));
        out.eimTransactionId = id.value();
    }
    auto chosen = r.next();
    if (!chosen)
        return bad(what, QStringLiteral("profileDownloadTriggerResultData: %1").arg(chosen.errorMessage()));
    if (!r.atEnd())
        return bad(what, QStringLiteral("data after profileDownloadTriggerResultData"));
    if (chosen->tag == tagInstallationResult) {
        out.profileInstallationResult = chosen->encoded.toByteArray();
        return out;
    }
    if (chosen->tag != 0x30)
        return bad(what, QStringLiteral("a result of tag %1, neither profileInstallationResult nor profileDownloadError")
                             .arg(tagName(chosen->tag)));
    der::Reader error(chosen->content);
    if (auto response = error.optional(0x80)) {
        if (response->content.isEmpty())
            return bad(what, QStringLiteral("profileDownloadError's errorResponse is empty"));
        out.errorResponse = response->content.toByteArray();
    }
    if (!error.atEnd())
        return bad(what, QStringLiteral("profileDownloadError holds more than errorResponse"));
    return out;
}

} // namespace simfleet::protocol
