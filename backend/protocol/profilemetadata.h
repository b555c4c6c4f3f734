#pragma once

#include "core/result.h"
#include "notifications.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace simfleet::protocol {

// What the device records about a profile it installs: ES8+.StoreMetadata (SGP.22 section
// 5.5.3, StoreMetadataRequest, tag 'BF25'). The home network travels as the profile owner
// (OperatorId.mccMnc, 3GPP TS 24.008 coding); whether the device may fall back to this profile
// (SGP.22 v3's fallback attribute, which the v2.5 module lacks) travels in
// serviceSpecificDataStoredInEuicc under simfleet's own OID. Where the eUICC sends the
// notifications of later operations on the profile travels as notificationConfigurationInfo
// (SGP.22 section 3.5: the profile server names itself there).
struct ProfileMetadata
{
    QString iccid;
    QString serviceProviderName;
    QString profileName; // empty: the service provider name
    QString plmn;        // MCC || MNC of the profile's home network
    bool fallbackAllowed = true;
    QList<NotificationConfiguration> notifications;

    // The address the notification of this operation goes to; empty: the profile asks for none.
    QString notificationAddress(NotificationEvent event) const;
    QByteArray encode() const;
    static Result<ProfileMetadata> decode(QByteArrayView bytes);
};

// simfleet's own object identifier, 2.25.147609096063405301030514975907168229936 (UUID-based,
// ITU-T X.667), as DER content octets: its vendor-specific data and the dpOid of the profiles
// it makes carry it.
QByteArray simfleetObjectIdentifier();

// MCC and MNC in the three bytes of 3GPP TS 24.008 section 10.5.1.3 (a two-digit MNC has 'F').
QByteArray plmnToMccMnc(QStringView plmn);
QString mccMncToPlmn(QByteArrayView bytes);

} // namespace simfleet::protocol
