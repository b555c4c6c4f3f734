#include "profilepackage.h"
#include "der.h"
#include "profiletemplate.h"

#include <QScopeGuard>

#include <array>

namespace simfleet::protocol {

namespace {

// ProfileElement alternatives under AUTOMATIC TAGS, in the module's order: [0] to [15] one byte
// ('A0'..'AF'), [16] to [30] 'B0'..'BE', then two bytes from [31] ('BF1F').
constexpr std::array<const char *, 34> elementKinds {
    "header", "genericFileManagement", "pinCodes", "pukCodes", "akaParameter", "cdmaParameter",
    "securityDomain", "rfm", "application", "nonStandard", "end", "rfu1", "rfu2", "rfu3", "rfu4", "rfu5",
    "mf", "cd", "telecom", "usim", "opt-usim", "isim", "opt-isim", "phonebook", "gsm-access", "csim",
    "opt-csim", "eap", "df-5gs", "df-saip", "df-snpn", "df-5gprose", "iot", "opt-iot",
};

// ServicesList (PEDefinitions.asn1), each a NULL tagged [n] in this order.
constexpr std::array<const char *, 29> serviceNames {
    "contactless", "usim", "isim", "csim", "milenage", "tuak128", "cave", "gba-usim", "gba-isim", "mbms", "eap",
    "javacard", "multos", "multiple-usim", "multiple-isim", "multiple-csim", "tuak256", "usim-test-algorithm",
    "ber-tlv", "dfLink", "cat-tp", "get-identity", "profile-a-x25519", "profile-b-p256", "suciCalculatorApi",
    "dns-resolution", "scp11ac", "scp11c-authorization-mechanism", "s16mode",
};

int elementNumber(quint16 tag)
{
    if (tag >= 0xA0 && tag <= 0xBE)
        return tag - 0xA0;
    if (tag >= 0xBF1F && tag <= 0xBF7F)
        return tag - 0xBF00;
    return -1;
}

QString serviceName(quint16 tag)
{
    const int n = tag >= 0x80 && tag <= 0x9E ? tag - 0x80 : (tag >= 0x9F1F && tag <= 0x9F7F ? tag - 0x9F00 : -1);
    if (n >= 0 && n < int(serviceNames.size()))
        return QString::fromLatin1(serviceNames[size_t(n)]);
    if (n == int(serviceNames.size()))
        return QStringLiteral("eaka");
    return QStringLiteral("service [%1]").arg(n);
}

qint64 integerOr(const der::Node *node, qint64 fallback)
{
    if (!node)
        return fallback;
    auto v = der::readInteger(node->value);
    return v ? v.value() : fallback;
}

QString decodeBcd(QByteArrayView bytes, bool swapped)
{
    QString out;
    for (char b : bytes) {
        const int high = (b >> 4) & 0x0f, low = b & 0x0f;
        for (int nibble : { swapped ? low : high, swapped ? high : low }) {
            if (nibble == 0x0f)
                return out;
            if (nibble > 9)
                return {};
            out.append(QChar(u'0' + nibble));
        }
    }
    return out;
}

QByteArray encodeBcd(QStringView digits, int bytes, bool swapped)
{
    QByteArray out(bytes, char(0xff));
    for (qsizetype i = 0; i < digits.size() && i < bytes * 2; ++i) {
        const int d = digits[i].digitValue();
        char &b = out[i / 2];
        const bool lowNibble = (i % 2 == 0) == swapped;
        b = lowNibble ? char((b & 0xf0) | d) : char((b & 0x0f) | (d << 4));
    }
    return out;
}

} // namespace

QString profileElementKind(quint16 tag)
{
    const int n = elementNumber(tag);
    return n >= 0 && n < int(elementKinds.size()) ? QString::fromLatin1(elementKinds[size_t(n)]) : QString();
}

QByteArray fileContent(const der::Node &file)
{
    // TCA section 8.3.2: fillFileOffset skips bytes from where the previous fill ended.
    QByteArray out;
    qsizetype position = 0;
    for (const der::Node &entry : file.children) {
        if (entry.tag == 0x82) {
            position += integerOr(&entry, 0);
        } else if (entry.tag == 0x83) {
            if (out.size() < position + entry.value.size())
                out.resize(position + entry.value.size(), char(0xff));
            out.replace(position, entry.value.size(), entry.value);
            position += entry.value.size();
        }
    }
    return out;
}

QString efIccidToIccid(QByteArrayView bytes)
{
    return decodeBcd(bytes, true);
}

QByteArray iccidToEfIccid(QStringView iccid)
{
    return encodeBcd(iccid, 10, true);
}

QByteArray iccidToHeaderIccid(QStringView iccid)
{
    return encodeBcd(iccid, 10, false);
}

QString headerIccidToIccid(QByteArrayView bytes)
{
    return decodeBcd(bytes, false);
}

QByteArray imsiToEfImsi(QStringView imsi)
{
    // Byte 1: length of what follows. Byte 2: digit 1 in the high nibble, the low nibble is the
    // identity type (001, IMSI) with b4 set when the number of digits is odd.
    const bool odd = imsi.size() % 2 == 1;
    QByteArray body;
    body.append(char((imsi[0].digitValue() << 4) | (odd ? 0x9 : 0x1)));
    for (qsizetype i = 1; i < imsi.size(); i += 2) {
        const int low = imsi[i].digitValue();
        const int high = i + 1 < imsi.size() ? imsi[i + 1].digitValue() : 0xf;
        body.append(char((high << 4) | low));
    }
    return char(body.size()) + body;
}

QString efImsiToImsi(QByteArrayView ef)
{
    if (ef.size() < 2 || quint8(ef[0]) < 1 || quint8(ef[0]) > ef.size() - 1 || (ef[1] & 0x07) != 0x01)
        return {};
    const int digit1 = (ef[1] >> 4) & 0x0f;
    if (digit1 > 9)
        return {};
    QString digits(QChar(u'0' + digit1));
    digits += decodeBcd(ef.sliced(2, quint8(ef[0]) - 1), true);
    if (bool(ef[1] & 0x08) != (digits.size() % 2 == 1))
        return {};
    return digits;
}

Result<ProfilePackage> ProfilePackage::decode(QByteArrayView package)
{
    const auto bad = [](const QString &why) { return fail(QStringLiteral("the profile package is malformed: %1").arg(why)); };
    auto elements = der::parseAll(package);
    if (!elements)
        return bad(elements.errorMessage());
    ProfilePackage out;
    out.m_elements = std::move(elements).value();
    if (out.m_elements.isEmpty())
        return bad(QStringLiteral("it is empty"));
    for (qsizetype i = 0; i < out.m_elements.size(); ++i) {
        const der::Node &e = out.m_elements.at(i);
        const QString kind = profileElementKind(e.tag);
        if (kind.isEmpty() || !e.constructed())
            return bad(QStringLiteral("element %1 (tag %2) is no profile element this format defines")
                           .arg(i + 1)
                           .arg(e.tag, 2, 16, QChar(u'0')));
        if ((i == 0) != (kind == u"header"))
            return bad(i == 0 ? QStringLiteral("it does not begin with the ProfileHeader")
                              : QStringLiteral("element %1 is a second ProfileHeader").arg(i + 1));
        if ((i == out.m_elements.size() - 1) != (kind == u"end"))
            return bad(kind == u"end" ? QStringLiteral("elements follow PE-End") : QStringLiteral("it does not end with PE-End"));
        // Every element but the header opens with its PEHeader (TCA section 8.1.2).
        if (i > 0 && (e.children.isEmpty() || e.children.first().tag != 0xA0 || !e.children.first().child(0x81)))
            return bad(QStringLiteral("%1 (element %2) lacks its PE header").arg(kind).arg(i + 1));
    }
    const der::Node &header = out.m_elements.first();
    const der::Node *iccid = header.child(0x83);
    if (!header.child(0x80) || !header.child(0x81) || !iccid || !header.child(0xA5) || !header.child(0xA6))
        return bad(QStringLiteral("the ProfileHeader lacks its version, ICCID, mandatory services or template list"));
    if (iccid->value.size() != 10)
        return bad(QStringLiteral("the header's ICCID is %1 bytes, not 10").arg(iccid->value.size()));
    return out;
}

QByteArray ProfilePackage::encode() const
{
    qsizetype size = 0;
    for (const der::Node &e : m_elements)
        size += e.encodedSize();
    QByteArray out;
    out.reserve(size);
    for (const der::Node &e : m_elements)
        e.encodeInto(out);
    return out;
}

ProfilePackageSummary ProfilePackage::summary() const
{
    ProfilePackageSummary s;
    if (m_elements.isEmpty())
        return s;
    const der::Node &header = m_elements.first();
    s.majorVersion = int(integerOr(header.child(0x80), 0));
    s.minorVersion = int(integerOr(header.child(0x81), 0));
    if (const der::Node *type = header.child(0x82))
        s.profileType = QString::fromUtf8(type->value);
    if (const der::Node *iccid = header.child(0x83))
        s.iccid = headerIccidToIccid(iccid->value);
    if (const der::Node *services = header.child(0xA5))
        for (const der::Node &service : services->children)
            s.mandatoryServices.append(serviceName(service.tag));
    for (const der::Node &e : m_elements) {
        ProfileElementSummary element;
        element.kind = profileElementKind(e.tag);
        if (element.kind != u"header" && !e.children.isEmpty()) {
            element.mandated = e.children.first().child(0x80) != nullptr;
            element.identification = int(integerOr(e.children.first().child(0x81), 0));
        }
        s.elements.append(element);
    }
    return s;
}

Result<crypto::SecretBytes> encodeProfilePackage(const ProfileContent &content)
{
    return ProfileTemplate::builtIn().personalise(content);
}

Result<ProfileContent> decodeProfilePackage(QByteArrayView encoded)
{
    auto decoded = ProfilePackage::decode(encoded);
    if (!decoded)
        return decoded.error();
    ProfilePackage package = std::move(decoded).value();
    QList<der::Node> &elements = package.elements();
    // The tree holds its own copy of Ki and OPc: wiped however this ends.
    const auto wipe = qScopeGuard([&elements] {
        for (der::Node &e : elements)
            if (e.tag == 0xA4)
                if (der::Node *configuration = e.child(0xA1))
                    if (der::Node *parameter = configuration->child(0xA1))
                        for (quint16 tag : { quint16(0x82), quint16(0x83) })
                            if (der::Node *secret = parameter->child(tag))
                                crypto::wipeBytes(secret->value);
    });
    const auto bad = [](const QString &why) { return fail(QStringLiteral("the profile package is malformed: %1").arg(why)); };
    const der::Node &header = elements.first();
    ProfileContent out;
    const qint64 major = integerOr(header.child(0x80), -1);
    if (major != 2 && major != 3)
        return fail(QStringLiteral("the profile package has format version %1; this secure element installs versions 2 and 3")
                        .arg(major));
    if (const der::Node *type = header.child(0x82))
        out.profileType = QString::fromUtf8(type->value);
    out.iccid = headerIccidToIccid(header.child(0x83)->value);
    if (out.iccid.size() < 19)
        return bad(QStringLiteral("the header's ICCID is not 19 or 20 BCD digits"));
    if (const der::Node *pol = header.child(0x84))
        out.disableNotAllowed = !pol->value.isEmpty() && (pol->value[0] & 0x01);
    // The AKA algorithms this secure element runs: Milenage only (DESIGN.md "Credentials").
    const der::Node *services = header.child(0xA5);
    if (!services->child(0x84))
        return fail(QStringLiteral("the profile does not name Milenage among its mandatory services; this secure element runs no other AKA algorithm"));
    for (quint16 unsupported : { quint16(0x85), quint16(0x86), quint16(0x90), quint16(0x91) })
        if (services->child(unsupported))
            return fail(QStringLiteral("the profile needs %1, which this secure element does not run").arg(serviceName(unsupported)));

    bool haveMf = false, haveUsim = false, haveKeys = false;
    for (const der::Node &e : elements) {
        if (e.tag == 0xB0) { // mf: EF.ICCID must say what the header says
            haveMf = true;
            const der::Node *efIccid = e.child(0xA4);
            if (!efIccid)
                return bad(QStringLiteral("the MF has no EF.ICCID"));
            const QByteArray iccid = fileContent(*efIccid);
            if (!iccid.isEmpty() && efIccidToIccid(iccid) != out.iccid)
                return bad(QStringLiteral("EF.ICCID holds %1, the header %2").arg(efIccidToIccid(iccid), out.iccid));
        } else if (e.tag == 0xB3 && !haveUsim) { // usim: the first one is the one this device runs
            if (!haveMf)
                return bad(QStringLiteral("the USIM comes before the MF it lives in"));
            haveUsim = true;
            const der::Node *efImsi = e.child(0xA3);
            out.imsi = efImsi ? efImsiToImsi(fileContent(*efImsi)) : QString();
            if (out.imsi.size() < 6)
                return bad(QStringLiteral("EF.IMSI holds no IMSI"));
            if (const der::Node *spn = e.child(0xAD)) {
                const QByteArray name = fileContent(*spn);
                if (name.size() > 1)
                    out.serviceProviderName = QString::fromUtf8(name.sliced(1).replace(char(0xff), QByteArray()));
            }
            if (const der::Node *ad = e.child(0xB5)) {
                const QByteArray bytes = fileContent(*ad);
                if (bytes.size() >= 4 && ((bytes[3] & 0x0f) == 2 || (bytes[3] & 0x0f) == 3))
                    out.mncDigits = bytes[3] & 0x0f;
            }
        } else if (e.tag == 0xA4 && haveUsim && !haveKeys) { // akaParameter of the USIM
            const der::Node *configuration = e.child(0xA1);
            const der::Node *parameter = configuration ? configuration->child(0xA1) : nullptr;
            if (!parameter)
                return fail(QStringLiteral("the USIM's AKA parameters map to another application's; this secure element needs its own"));
            const der::Node *key = parameter->child(0x82);
            const der::Node *opc = parameter->child(0x83);
            if (integerOr(parameter->child(0x80), 0) != 1)
                return fail(QStringLiteral("the profile's AKA algorithm is not Milenage"));
            if (!key || !opc || key->value.size() != 16 || opc->value.size() != 16)
                return bad(QStringLiteral("Ki and OPc must be 16 bytes each"));
            out.ki = crypto::SecretBytes(key->value);
            out.opc = crypto::SecretBytes(opc->value);
            haveKeys = true;
        }
    }
    if (!haveMf)
        return bad(QStringLiteral("it creates no MF"));
    if (!haveUsim)
        return bad(QStringLiteral("it has no USIM"));
    if (!haveKeys)
        return bad(QStringLiteral("the USIM has no AKA parameters"));
    return out;
}

} // namespace simfleet::protocol
