#include "profilepackage.h"
#include "der.h"

#include <QList>

namespace simfleet::protocol {

namespace {

// ProfileElement alternatives under AUTOMATIC TAGS, in the module's order.
constexpr quint16 tagHeader = 0xA0;       // [0] ProfileHeader
constexpr quint16 tagAkaParameter = 0xA4; // [4] PE-AKAParameter
constexpr quint16 tagEnd = 0xAA;          // [10] PE-End
constexpr quint16 tagUsim = 0xB3;         // [19] PE-USIM

// The USIM file system template (TCA: id-USIM, {2 23 143 1 2 4}).
constexpr QByteArrayView usimTemplate = "2.23.143.1.2.4";
constexpr quint8 profileVersionMajor = 3;
constexpr quint8 profileVersionMinor = 3;

QByteArray peHeader(int identification, bool mandated)
{
    QByteArray content;
    if (mandated)
        content += der::tlv(0x80, {});
    content += der::integer(identification, 0x81);
    return der::tlv(0xA0, content);
}

// File ::= SEQUENCE OF CHOICE { doNotCreate [0], fileDescriptor [1], fillFileOffset [2],
// fillFileContent [3] }: a template file with its content filled in, or left as the template has it.
QByteArray file(quint16 tag, QByteArrayView fillContent = {})
{
    return der::tlv(tag, fillContent.isEmpty() ? QByteArray() : der::tlv(0x83, fillContent));
}

QString digitsOnly(QStringView text, int minimum, int maximum, const char *what, QString *error)
{
    if (text.size() < minimum || text.size() > maximum) {
        *error = QStringLiteral("%1 has %2 digits; it needs %3 to %4").arg(QLatin1StringView(what)).arg(text.size()).arg(minimum).arg(maximum);
        return {};
    }
    for (QChar c : text) {
        if (!c.isDigit() || c.unicode() > '9') {
            *error = QStringLiteral("%1 holds a character that is not a digit").arg(QLatin1StringView(what));
            return {};
        }
    }
    return text.toString();
}

// Access control class from the IMSI's last digit (3GPP TS 22.011 section 4.2).
QByteArray accessControlClass(QStringView imsi)
{
    const int cls = imsi.back().digitValue();
    const quint16 bits = quint16(1u << cls);
    QByteArray out(2, 0);
    out[0] = char(bits >> 8);
    out[1] = char(bits & 0xff);
    return out;
}

qint64 readIntegerOr(QByteArrayView content, qint64 fallback)
{
    auto v = der::readInteger(content);
    return v ? v.value() : fallback;
}

QString decodeBcdSwapped(QByteArrayView bytes)
{
    QString out;
    for (char b : bytes) {
        for (int nibble : { b & 0x0f, (b >> 4) & 0x0f }) {
            if (nibble == 0x0f)
                return out;
            if (nibble > 9)
                return {};
            out.append(QChar(u'0' + nibble));
        }
    }
    return out;
}

} // namespace

QString efIccidToIccid(QByteArrayView bytes)
{
    return decodeBcdSwapped(bytes);
}

QByteArray iccidToEfIccid(QStringView iccid)
{
    QByteArray out(10, char(0xff));
    for (qsizetype i = 0; i < iccid.size() && i < 20; ++i) {
        const int d = iccid[i].digitValue();
        char &b = out[i / 2];
        b = (i % 2 == 0) ? char((b & 0xf0) | d) : char((b & 0x0f) | (d << 4));
    }
    return out;
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

Result<crypto::SecretBytes> encodeProfilePackage(const ProfileContent &content)
{
    QString error;
    const QString iccid = digitsOnly(content.iccid, 19, 20, "the ICCID", &error);
    if (iccid.isEmpty())
        return fail(error);
    const QString imsi = digitsOnly(content.imsi, 14, 15, "the IMSI", &error);
    if (imsi.isEmpty())
        return fail(error);
    if (content.ki.size() != 16 || content.opc.size() != 16)
        return fail(QStringLiteral("Milenage needs a 128-bit Ki and OPc"));

    // PE-Header: the services the eUICC must offer (USIM, Milenage) and the template used.
    const QByteArray services = der::tlv(0xA5, QByteArray(der::tlv(0x81, {}) + der::tlv(0x84, {})));
    QByteArray header = der::integer(profileVersionMajor, 0x80) + der::integer(profileVersionMinor, 0x81)
        + der::tlv(0x82, content.profileType.left(100).toUtf8()) + der::tlv(0x83, iccidToEfIccid(iccid));
    if (content.disableNotAllowed)
        header += der::tlv(0x84, QByteArray(1, char(0x01))); // POL1: b1, disabling not allowed
    header += services + der::tlv(0xA6, der::objectIdentifier(usimTemplate));
    QByteArray package = der::tlv(tagHeader, header);

    // PE-USIM from the template, with what differs per subscription filled in.
    const QByteArray spn = char(0x01) + content.serviceProviderName.left(16).toUtf8().leftJustified(16, char(0xff));
    const QByteArray usim = peHeader(1, true) + der::objectIdentifier(usimTemplate, 0x81) + file(0xA2) // adf-usim
        + file(0xA3, imsiToEfImsi(imsi))                                                              // ef-imsi
        + file(0xA4)                                                                                  // ef-arr
        + file(0xA8)                                                                                  // ef-ust
        + file(0xAD, spn)                                                                             // ef-spn
        + file(0xAE)                                                                                  // ef-est
        + file(0xB2, accessControlClass(imsi))                                                        // ef-acc
        + file(0xB6);                                                                                 // ef-ecc
    package += der::tlv(tagUsim, usim);

    // PE-AKAParameter: algoConfiguration is a CHOICE, so its automatic tag [1] is explicit;
    // algoParameter is its alternative [1]. Defaults (rotation and xoring constants, SQN
    // options) are left out, as DER requires.
    // Every array that holds Ki or OPc is named, sized before it is filled (a growing array leaves
    // its old copy behind, unwiped, in freed memory) and wiped before it goes.
    QByteArray kiElement = der::tlv(0x82, content.ki.view());
    QByteArray opcElement = der::tlv(0x83, content.opc.view());
    const QByteArray milenage = der::integer(1, 0x80) + der::tlv(0x81, QByteArray(1, char(0)));
    QByteArray algo;
    algo.reserve(milenage.size() + kiElement.size() + opcElement.size());
    algo += milenage;
    algo += kiElement;
    algo += opcElement;
    QByteArray algoParameter = der::tlv(0xA1, algo);
    QByteArray algoConfiguration = der::tlv(0xA1, algoParameter);
    const QByteArray akaHeader = peHeader(2, true);
    QByteArray akaBody;
    akaBody.reserve(akaHeader.size() + algoConfiguration.size());
    akaBody += akaHeader;
    akaBody += algoConfiguration;
    QByteArray aka = der::tlv(tagAkaParameter, akaBody);
    const QByteArray end = der::tlv(tagEnd, peHeader(3, true));
    package.reserve(package.size() + aka.size() + end.size());
    package += aka;
    package += end;

    crypto::SecretBytes sealed(package);
    for (QByteArray *held : { &kiElement, &opcElement, &algo, &algoParameter, &algoConfiguration, &akaBody, &aka, &package })
        crypto::wipeBytes(*held);
    return sealed;
}

Result<ProfileContent> decodeProfilePackage(QByteArrayView package)
{
    ProfileContent out;
    der::Reader reader(package);
    const auto bad = [](const QString &why) { return fail(QStringLiteral("the profile package is malformed: %1").arg(why)); };

    // ProfileHeader
    auto header = reader.expect(tagHeader, "ProfileHeader");
    if (!header)
        return bad(header.errorMessage());
    {
        der::Reader h(header->content);
        auto major = h.expect(0x80, "major-version");
        auto minor = major ? h.expect(0x81, "minor-version") : major;
        if (!major || !minor)
            return bad(major ? minor.errorMessage() : major.errorMessage());
        if (readIntegerOr(major->content, -1) != profileVersionMajor)
            return fail(QStringLiteral("the profile package has format version %1; this secure element installs version 3")
                            .arg(readIntegerOr(major->content, -1)));
        if (auto type = h.optional(0x82))
            out.profileType = QString::fromUtf8(type->content);
        auto iccid = h.expect(0x83, "iccid");
        if (!iccid)
            return bad(iccid.errorMessage());
        if (iccid->content.size() != 10)
            return bad(QStringLiteral("the ICCID is %1 bytes, not 10").arg(iccid->content.size()));
        out.iccid = decodeBcdSwapped(iccid->content);
        if (out.iccid.size() < 19)
            return bad(QStringLiteral("the ICCID is not BCD digits"));
        if (auto pol = h.optional(0x84))
            out.disableNotAllowed = !pol->content.isEmpty() && (pol->content[0] & 0x01);
        auto services = h.expect(0xA5, "eUICC-Mandatory-services");
        if (!services)
            return bad(services.errorMessage());
        if (!QByteArrayView(services->content).contains(QByteArrayView("\x84\x00", 2)))
            return fail(QStringLiteral("the profile needs an algorithm other than Milenage, which this secure element does not run"));
    }

    // PE-USIM
    auto usim = reader.expect(tagUsim, "PE-USIM");
    if (!usim)
        return bad(usim.errorMessage());
    {
        der::Reader u(usim->content);
        while (!u.atEnd()) {
            auto e = u.next();
            if (!e)
                return bad(e.errorMessage());
            if (e->tag == 0xA3 || e->tag == 0xAD) { // ef-imsi, ef-spn
                der::Reader f(e->content);
                auto fill = f.expect(0x83, "fillFileContent");
                if (!fill)
                    return bad(fill.errorMessage());
                if (e->tag == 0xAD) {
                    out.serviceProviderName = QString::fromUtf8(fill->content.sliced(1).toByteArray().replace(char(0xff), QByteArray()));
                    continue;
                }
                const QByteArrayView ef = fill->content;
                if (ef.size() < 2 || quint8(ef[0]) != ef.size() - 1 || (ef[1] & 0x07) != 0x01)
                    return bad(QStringLiteral("EF.IMSI is not an IMSI"));
                QString digits(QChar(u'0' + ((ef[1] >> 4) & 0x0f)));
                digits += decodeBcdSwapped(ef.sliced(2));
                if (bool(ef[1] & 0x08) != (digits.size() % 2 == 1))
                    return bad(QStringLiteral("EF.IMSI's parity bit does not match its digits"));
                out.imsi = digits;
            }
        }
        if (out.imsi.size() < 14)
            return bad(QStringLiteral("PE-USIM carries no IMSI"));
    }

    // PE-AKAParameter
    auto aka = reader.expect(tagAkaParameter, "PE-AKAParameter");
    if (!aka)
        return bad(aka.errorMessage());
    {
        der::Reader a(aka->content);
        if (auto h = a.expect(0xA0, "aka-header"); !h)
            return bad(h.errorMessage());
        auto configuration = a.expect(0xA1, "algoConfiguration");
        if (!configuration)
            return bad(configuration.errorMessage());
        der::Reader c(configuration->content);
        auto parameter = c.expect(0xA1, "algoParameter");
        if (!parameter)
            return bad(parameter.errorMessage());
        der::Reader p(parameter->content);
        auto algorithm = p.expect(0x80, "algorithmID");
        auto options = algorithm ? p.expect(0x81, "algorithmOptions") : algorithm;
        auto key = options ? p.expect(0x82, "key") : options;
        auto opc = key ? p.expect(0x83, "opc") : key;
        if (!opc)
            return bad(opc.errorMessage());
        if (readIntegerOr(algorithm->content, 0) != 1)
            return fail(QStringLiteral("the profile's AKA algorithm is not Milenage"));
        if (key->content.size() != 16 || opc->content.size() != 16)
            return bad(QStringLiteral("Ki and OPc must be 16 bytes each"));
        out.ki = crypto::SecretBytes(key->content);
        out.opc = crypto::SecretBytes(opc->content);
    }

    auto end = reader.expect(tagEnd, "PE-End");
    if (!end)
        return bad(end.errorMessage());
    if (!reader.atEnd())
        return bad(QStringLiteral("bytes follow PE-End"));
    return out;
}

} // namespace simfleet::protocol
