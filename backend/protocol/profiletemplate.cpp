#include "profiletemplate.h"
#include "der.h"

#include "crypto/random.h"

namespace simfleet::protocol {

namespace {

using der::Node;

// Tags inside the elements personalising touches (PEDefinitions.asn1, AUTOMATIC TAGS).
constexpr quint16 tagHeader = 0xA0, tagPukCodes = 0xA3, tagAkaParameter = 0xA4, tagSecurityDomain = 0xA6,
                  tagPinCodes = 0xA2, tagMf = 0xB0, tagUsim = 0xB3;
constexpr quint16 headerIccid = 0x83, headerPol = 0x84, headerServices = 0xA5;
constexpr quint16 mfEfIccid = 0xA4;
constexpr quint16 usimEfImsi = 0xA3, usimEfSpn = 0xAD, usimEfAcc = 0xB2, usimEfAd = 0xB5;
constexpr quint16 fillFileOffset = 0x82, fillFileContent = 0x83;
// ServicesList: milenage [4]; what Milenage replaces: tuak128 [5], tuak256 [16], usim-test-algorithm [17].
constexpr quint16 serviceMilenage = 0x84;
constexpr quint16 replacedAlgorithms[] = { 0x85, 0x90, 0x91 };

const char *const mfTemplate = "2.23.143.1.2.1";   // TCA id-MF
const char *const usimTemplate = "2.23.143.1.2.4"; // TCA id-USIM

Node primitive(quint16 tag, QByteArray value = {})
{
    return Node::primitive(tag, std::move(value));
}

// The content of an element der.h writes whole.
Node contentOf(quint16 tag, const QByteArray &encoded)
{
    auto element = der::Reader(encoded).next();
    return primitive(tag, element->content.toByteArray());
}

Node integerNode(qint64 value, quint16 tag)
{
    return contentOf(tag, der::integer(value, tag));
}

Node oidNode(const char *dotted, quint16 tag)
{
    return contentOf(tag, der::objectIdentifier(dotted, tag));
}

Node peHeader(int identification)
{
    return Node::constructedOf(0xA0, { primitive(0x80), integerNode(identification, 0x81) });
}

// File ::= SEQUENCE OF CHOICE { doNotCreate, fileDescriptor, fillFileOffset, fillFileContent }
Node file(quint16 tag, QByteArray content = {})
{
    Node f = Node::constructedOf(tag, {});
    if (!content.isNull())
        f.children.append(primitive(fillFileContent, std::move(content)));
    return f;
}

// The whole content of a file, replacing whatever the template filled in (TCA section 8.3.2).
void replaceContent(Node &file, QByteArray content)
{
    file.children.removeIf([](const Node &entry) { return entry.tag == fillFileOffset || entry.tag == fillFileContent; });
    file.children.append(primitive(fillFileContent, std::move(content)));
}

Node pinConfiguration(int keyReference, const QByteArray &value, std::optional<int> unblocking, int attributes)
{
    Node pin = Node::constructedOf(0x30, { integerNode(keyReference, 0x80), primitive(0x81, value) });
    if (unblocking)
        pin.children.append(integerNode(*unblocking, 0x82));
    if (attributes != 7) // DEFAULT 7
        pin.children.append(integerNode(attributes, 0x83));
    return pin;
}

QByteArray eightDigits(QByteArrayView digits)
{
    return digits.toByteArray().leftJustified(8, char(0xff), true);
}

QByteArray randomDigits(int count)
{
    // Rejection sampling keeps every digit equally likely.
    QByteArray out;
    while (out.size() < count) {
        for (char b : crypto::randomBytes(count)) {
            const quint8 v = quint8(b);
            if (v < 250 && out.size() < count)
                out.append(char('0' + v % 10));
        }
    }
    return out;
}

QList<Node> builtInElements()
{
    int id = 0;
    // ServicesList: usim [1], milenage [4]; the templates it uses: MF and USIM.
    Node header = Node::constructedOf(
        tagHeader, { integerNode(3, 0x80), integerNode(3, 0x81), primitive(0x82, "simfleet M2M USIM"),
                     primitive(headerIccid, QByteArray(10, char(0xff))),
                     Node::constructedOf(headerServices, { primitive(0x81), primitive(serviceMilenage) }),
                     Node::constructedOf(0xA6, { oidNode(mfTemplate, 0x06), oidNode(usimTemplate, 0x06) }) });

    // EF.DIR (ETSI TS 102 221 section 13.1): one application template, the USIM's AID
    // (RID A000000087, application code 1002) and its label.
    const QByteArray dirRecord = QByteArray::fromHex("610f4f07a0000000871002500455534" "94d");
    Node mf = Node::constructedOf(tagMf, { peHeader(++id), oidNode(mfTemplate, 0x81), file(0xA2),
                                           file(mfEfIccid, QByteArray(10, char(0xff))), file(0xA5, dirRecord), file(0xA6) });

    // PUK1 and PUK2 (key references 1 and 129), filled in per device.
    Node puks = Node::constructedOf(
        tagPukCodes, { peHeader(++id),
                       Node::constructedOf(0xA1, { Node::constructedOf(0x30, { integerNode(1, 0x80), primitive(0x81, QByteArray(8, '0')) }),
                                                   Node::constructedOf(0x30, { integerNode(129, 0x80), primitive(0x81, QByteArray(8, '0')) }) }) });
    // PIN1 (global, disabled: pinAttributes 6) and PIN2 in the USIM; pinCodes is a CHOICE, so
    // its tag [1] is explicit around pinconfig [0].
    Node mfPins = Node::constructedOf(
        tagPinCodes, { peHeader(++id), Node::constructedOf(0xA1, { Node::constructedOf(0xA0, { pinConfiguration(1, eightDigits("0000"), 1, 6) }) }) });

    // EF.UST (3GPP TS 31.102 section 4.2.8): GSM access (27), GPRS/PS domain (33), EPS mobility
    // management information (85).
    const QByteArray ust = QByteArray::fromHex("0000000401000000000010");
    // EF.AD: normal operation, MNC length filled in per device.
    Node usim = Node::constructedOf(
        tagUsim, { peHeader(++id), oidNode(usimTemplate, 0x81),
                   Node::constructedOf(0xA2, { Node::constructedOf(0xA1, { primitive(0x84, QByteArray::fromHex("a0000000871002")) }) }),
                   file(usimEfImsi, QByteArray(9, char(0xff))), file(0xA4), file(0xA8, ust),
                   file(usimEfSpn, QByteArray(17, char(0xff))), file(0xAE), file(usimEfAcc, QByteArray(2, 0)),
                   file(usimEfAd, QByteArray::fromHex("00000002")), file(0xB6) });
    Node usimPins = Node::constructedOf(
        tagPinCodes, { peHeader(++id), Node::constructedOf(0xA1, { Node::constructedOf(0xA0, { pinConfiguration(129, eightDigits("0000"), 129, 6) }) }) });

    // algoConfiguration is a CHOICE, so its tag [1] is explicit around algoParameter [1].
    // Defaults (rotation and xoring constants, SQN options) are left out, as DER requires.
    Node aka = Node::constructedOf(
        tagAkaParameter,
        { peHeader(++id),
          Node::constructedOf(0xA1, { Node::constructedOf(0xA1, { integerNode(1, 0x80), primitive(0x81, QByteArray(1, 0)),
                                                                   primitive(0x82, QByteArray(16, 0)), primitive(0x83, QByteArray(16, 0)) }) }) });
    Node end = Node::constructedOf(0xAA, { peHeader(++id) });
    return { header, mf, puks, mfPins, usim, usimPins, aka, end };
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
    const quint16 bits = quint16(1u << imsi.back().digitValue());
    QByteArray out(2, 0);
    out[0] = char(bits >> 8);
    out[1] = char(bits & 0xff);
    return out;
}

// The AlgoParameter of an akaParameter element, when it has one (not a mapping to another's).
Node *algoParameter(Node &aka)
{
    Node *configuration = aka.child(0xA1);
    return configuration ? configuration->child(0xA1) : nullptr;
}

// Wipes the Ki and OPc personalising wrote. Only those: every other value still shares its bytes
// with the template, and a wipe works on the bytes, not on a copy.
void wipeKeys(QList<Node> &elements)
{
    for (Node &e : elements) {
        if (e.tag != tagAkaParameter)
            continue;
        if (Node *parameter = algoParameter(e))
            for (quint16 tag : { quint16(0x82), quint16(0x83) })
                if (Node *secret = parameter->child(tag))
                    crypto::wipeBytes(secret->value);
    }
}

} // namespace

Result<ProfileTemplate> ProfileTemplate::fromPackage(QByteArrayView bytes)
{
    auto package = ProfilePackage::decode(bytes);
    if (!package)
        return package.error();
    bool mf = false, usim = false, keys = false;
    for (const Node &e : package->elements()) {
        if (e.tag == tagMf)
            mf = mf || e.child(mfEfIccid);
        else if (e.tag == tagUsim && !usim)
            usim = e.child(usimEfImsi) && e.child(usimEfAcc);
        else if (e.tag == tagAkaParameter && usim) {
            const Node *configuration = e.child(0xA1);
            keys = keys || (configuration && configuration->child(0xA1));
        }
    }
    if (!mf)
        return fail(QStringLiteral("the profile creates no MF with EF.ICCID, where its ICCID goes; it cannot serve as a template"));
    if (!usim)
        return fail(QStringLiteral("the profile has no USIM with EF.IMSI and EF.ACC; simfleet personalises USIM profiles"));
    if (!keys)
        return fail(QStringLiteral("the profile's USIM has no AKA parameters of its own, where Ki and OPc go"));
    ProfileTemplate t;
    t.m_package = std::move(package).value();
    return t;
}

const ProfileTemplate &ProfileTemplate::builtIn()
{
    static const ProfileTemplate instance = [] {
        ProfileTemplate t;
        t.m_package.elements() = builtInElements();
        t.m_randomUnblockingCodes = true;
        return t;
    }();
    return instance;
}

Result<QList<der::Node>> ProfileTemplate::personalised(const ProfileContent &content) const
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
    if (content.mncDigits != 2 && content.mncDigits != 3)
        return fail(QStringLiteral("an MNC has 2 or 3 digits, not %1").arg(content.mncDigits));

    // A copy that shares the template's nodes until one is written (implicit sharing), so only
    // the paths to what changes are copied.
    QList<Node> elements = m_package.elements();
    Node &header = elements.first();
    header.child(headerIccid)->value = iccidToHeaderIccid(iccid);
    Node *pol = header.child(headerPol);
    if (pol || content.disableNotAllowed) {
        // POL1 b1 (SGP.22 section 2.4.5): disabling not allowed; the other rules stay.
        QByteArray rules = pol && !pol->value.isEmpty() ? pol->value : QByteArray(1, 0);
        rules[0] = char(content.disableNotAllowed ? (rules[0] | 0x01) : (rules[0] & ~0x01));
        if (pol) {
            pol->value = rules;
        } else {
            qsizetype at = 0;
            while (header.children.at(at).tag != headerIccid)
                ++at;
            header.children.insert(at + 1, primitive(headerPol, rules));
        }
    }
    Node &services = *header.child(headerServices);
    services.children.removeIf([](const Node &s) { return std::find(std::begin(replacedAlgorithms), std::end(replacedAlgorithms), s.tag) != std::end(replacedAlgorithms); });
    if (!services.child(serviceMilenage)) {
        // SEQUENCE components go in the order the type lists them, which is their tags' order.
        qsizetype at = 0;
        while (at < services.children.size() && services.children.at(at).tag < serviceMilenage)
            ++at;
        services.children.insert(at, primitive(serviceMilenage));
    }

    QByteArray spn(17, char(0xff)); // EF.SPN (TS 31.102 section 4.2.12): display condition, then the name
    spn[0] = 0x01;
    const QByteArray name = content.serviceProviderName.left(16).toUtf8().left(16);
    spn.replace(1, name.size(), name);
    for (Node &e : elements) {
        if (e.tag == tagMf) {
            if (Node *f = e.child(mfEfIccid))
                replaceContent(*f, iccidToEfIccid(iccid));
        } else if (e.tag == tagUsim) {
            if (Node *f = e.child(usimEfImsi))
                replaceContent(*f, imsiToEfImsi(imsi));
            if (Node *f = e.child(usimEfAcc))
                replaceContent(*f, accessControlClass(imsi));
            if (Node *f = e.child(usimEfSpn))
                replaceContent(*f, spn);
            // EF.AD byte 4, where the file has one (it is optional in older USIMs).
            if (Node *ad = e.child(usimEfAd); ad && fileContent(*ad).size() >= 4) {
                QByteArray bytes = fileContent(*ad);
                bytes[3] = char((bytes[3] & 0xf0) | content.mncDigits);
                replaceContent(*ad, bytes);
            }
        } else if (e.tag == tagPukCodes && m_randomUnblockingCodes) {
            if (Node *list = e.child(0xA1))
                for (Node &puk : list->children)
                    if (Node *value = puk.child(0x81))
                        value->value = randomDigits(8);
        }
    }
    // Ki and OPc last, once nothing else changes, so the nodes holding them are not copied again.
    for (Node &e : elements) {
        if (e.tag != tagAkaParameter)
            continue;
        Node *parameter = algoParameter(e);
        if (!parameter)
            continue;
        if (Node *algorithm = parameter->child(0x80))
            *algorithm = integerNode(1, 0x80); // milenage(1)
        if (Node *key = parameter->child(0x82))
            key->value = content.ki.view().toByteArray();
        if (Node *opc = parameter->child(0x83))
            opc->value = content.opc.view().toByteArray();
    }
    return elements;
}

Result<crypto::SecretBytes> ProfileTemplate::personalise(const ProfileContent &content) const
{
    auto made = personalised(content);
    if (!made)
        return made.error();
    QList<Node> elements = std::move(made).value();
    qsizetype size = 0;
    for (const Node &e : elements)
        size += e.encodedSize();
    QByteArray package;
    package.reserve(size); // written once: no regrowth leaves a copy of Ki behind
    for (const Node &e : elements)
        e.encodeInto(package);
    crypto::SecretBytes sealed(package);
    crypto::wipeBytes(package);
    wipeKeys(elements);
    return sealed;
}

Result<QByteArray> ProfileTemplate::withoutSecrets(const ProfileContent &content) const
{
    auto made = personalised(content);
    if (!made)
        return made.error();
    QList<Node> elements = std::move(made).value();
    const auto zero = [](Node *n) {
        if (n)
            n->value.fill(0);
    };
    for (Node &e : elements) {
        if (e.tag == tagAkaParameter) {
            if (Node *parameter = algoParameter(e)) {
                zero(parameter->child(0x82));
                zero(parameter->child(0x83));
            }
        } else if (e.tag == tagPinCodes || e.tag == tagPukCodes) {
            // pinconfig [0] inside the explicit CHOICE tag [1] for PINs; the list itself for PUKs.
            Node *list = e.child(0xA1);
            if (list && e.tag == tagPinCodes)
                list = list->child(0xA0);
            if (list)
                for (Node &code : list->children)
                    zero(code.child(0x81));
        } else if (e.tag == tagSecurityDomain) {
            // keyList [2]: each KeyObject's keyCompontents, each component's keyData [6].
            if (Node *keys = e.child(0xA2))
                for (Node &key : keys->children)
                    if (Node *components = key.child(0x30))
                        for (Node &component : components->children)
                            zero(component.child(0x86));
        }
    }
    QByteArray out;
    for (const Node &e : elements)
        out += e.encode();
    return out;
}

} // namespace simfleet::protocol
