#include "profilemetadata.h"
#include "der.h"
#include "profilepackage.h"

namespace simfleet::protocol {

namespace {

constexpr quint16 tagStoreMetadata = 0xBF25;
constexpr quint16 tagIccid = 0x5A;
constexpr quint16 tagServiceProviderName = 0x91;
constexpr quint16 tagProfileName = 0x92;
constexpr quint16 tagNotificationConfiguration = 0xB6;
constexpr quint16 tagProfileOwner = 0xB7;
constexpr quint16 tagServiceSpecificData = 0xBF22;

const QByteArray simfleetOid = QByteArray::fromHex("6981de8cbd94c7b1f2b6959caacbc9f1dbf6b430");

QByteArray fallbackExtension(bool allowed)
{
    // VendorSpecificExtension: SEQUENCE OF SEQUENCE { vendorOid [0], vendorSpecificData [1] },
    // the open type explicitly tagged: here a BOOLEAN, the fallback attribute.
    const QByteArray data = der::tlv(0x01, QByteArray(1, allowed ? char(0xff) : char(0x00)));
    return der::tlv(tagServiceSpecificData, der::sequence(QByteArray(der::tlv(0x80, simfleetOid) + der::tlv(0xA1, data))));
}

} // namespace

QByteArray simfleetObjectIdentifier()
{
    return simfleetOid;
}

QByteArray plmnToMccMnc(QStringView plmn)
{
    const auto digit = [&](qsizetype i) { return i < plmn.size() ? plmn[i].digitValue() & 0x0f : 0x0f; };
    const int mnc3 = plmn.size() == 6 ? digit(5) : 0x0f;
    QByteArray out(3, 0);
    out[0] = char((digit(1) << 4) | digit(0));
    out[1] = char((mnc3 << 4) | digit(2));
    out[2] = char((digit(4) << 4) | digit(3));
    return out;
}

QString mccMncToPlmn(QByteArrayView b)
{
    if (b.size() != 3)
        return {};
    const int digits[] = { b[0] & 0x0f, (b[0] >> 4) & 0x0f, b[1] & 0x0f, b[2] & 0x0f, (b[2] >> 4) & 0x0f, (b[1] >> 4) & 0x0f };
    QString out;
    for (int i = 0; i < 6; ++i) {
        if (i == 5 && digits[i] == 0x0f)
            break;
        if (digits[i] > 9)
            return {};
        out.append(QChar(u'0' + digits[i]));
    }
    return out;
}

QString ProfileMetadata::notificationAddress(NotificationEvent event) const
{
    for (const NotificationConfiguration &c : notifications) {
        if (c.operations & eventBit(event))
            return c.address;
    }
    return {};
}

QByteArray ProfileMetadata::encode() const
{
    const QString name = profileName.isEmpty() ? serviceProviderName : profileName;
    QByteArray content = der::tlv(tagIccid, iccidToEfIccid(iccid)) + der::tlv(tagServiceProviderName, serviceProviderName.left(32).toUtf8())
        + der::tlv(tagProfileName, name.left(64).toUtf8());
    if (!notifications.isEmpty())
        content += encodeNotificationConfigurations(notifications, tagNotificationConfiguration);
    // profileOwner: OperatorId { mccMnc [0] } (automatic tags).
    content += der::tlv(tagProfileOwner, der::tlv(0x80, plmnToMccMnc(plmn)));
    content += fallbackExtension(fallbackAllowed);
    return der::tlv(tagStoreMetadata, content);
}

Result<ProfileMetadata> ProfileMetadata::decode(QByteArrayView bytes)
{
    const auto bad = [](const QString &why) { return fail(QStringLiteral("StoreMetadata: %1").arg(why)); };
    der::Reader outer(bytes);
    auto top = outer.expect(tagStoreMetadata, "StoreMetadataRequest");
    if (!top || !outer.atEnd())
        return bad(QStringLiteral("not one StoreMetadataRequest"));
    der::Reader r(top->content);
    auto iccid = r.expect(tagIccid, "iccid");
    auto spn = iccid ? r.expect(tagServiceProviderName, "serviceProviderName") : iccid;
    auto name = spn ? r.expect(tagProfileName, "profileName") : spn;
    if (!name)
        return bad(name.errorMessage());
    ProfileMetadata m;
    m.iccid = efIccidToIccid(iccid->content);
    m.serviceProviderName = QString::fromUtf8(spn->content);
    m.profileName = QString::fromUtf8(name->content);
    if (iccid->content.size() != 10 || m.iccid.size() < 19)
        return bad(QStringLiteral("the ICCID is not 10 bytes of BCD digits"));
    // What follows is optional; what simfleet needs is the owner, the rest is skipped.
    while (!r.atEnd()) {
        auto e = r.next();
        if (!e)
            return bad(e.errorMessage());
        if (e->tag == tagNotificationConfiguration) {
            auto list = decodeNotificationConfigurations(e->content);
            if (!list)
                return bad(list.errorMessage());
            m.notifications = list.value();
        } else if (e->tag == tagProfileOwner) {
            der::Reader owner(e->content);
            auto mccMnc = owner.expect(0x80, "mccMnc");
            if (!mccMnc)
                return bad(QStringLiteral("the profile owner has no MCC and MNC"));
            m.plmn = mccMncToPlmn(mccMnc->content);
        } else if (e->tag == tagServiceSpecificData) {
            der::Reader list(e->content);
            while (!list.atEnd()) {
                auto entry = list.expect(0x30, "VendorSpecificExtension");
                if (!entry)
                    return bad(entry.errorMessage());
                der::Reader fields(entry->content);
                auto oid = fields.expect(0x80, "vendorOid");
                auto data = oid ? fields.expect(0xA1, "vendorSpecificData") : oid;
                if (!data)
                    return bad(data.errorMessage());
                if (oid->content != simfleetOid)
                    continue; // another vendor's: not ours to read
                der::Reader value(data->content);
                auto flag = value.expect(0x01, "fallback attribute");
                if (!flag || flag->content.size() != 1)
                    return bad(QStringLiteral("simfleet's fallback attribute is not a BOOLEAN"));
                m.fallbackAllowed = flag->content[0] != 0;
            }
        }
    }
    if (m.plmn.size() < 5)
        return bad(QStringLiteral("it names no profile owner (MCC and MNC)"));
    return m;
}

} // namespace simfleet::protocol
