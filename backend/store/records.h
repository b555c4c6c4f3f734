#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QString>

#include <optional>

namespace simfleet::store {

// Plain rows as the repositories read and write them. Secrets never appear here in clear:
// sealed columns stay sealed until a service opens them through the SecretVault.

struct CustomerRecord
{
    qint64 id = 0;
    QString name;
    QString useCase; // "metering", "pay-as-you-drive", "tracking" (TR 33.812 use cases), or free text
};

struct FleetRecord
{
    qint64 id = 0;
    qint64 customerId = 0;
    QString name;
    std::optional<qint64> homeOperatorId;
};

enum class SecureElementKind { IntegratedUicc, TrustedEnvironment };

QString secureElementName(SecureElementKind kind);
std::optional<SecureElementKind> secureElementFromName(QStringView name);

struct DeviceRecord
{
    qint64 id = 0;
    QString eid;
    QString imei;
    QString serial;
    QString model;
    SecureElementKind secureElement = SecureElementKind::IntegratedUicc;
    QString label;
    std::optional<double> latitude;
    std::optional<double> longitude;
    qint64 fleetId = 0;
};

// A device with what the device list shows about it.
struct DeviceOverview
{
    DeviceRecord device;
    QString customer;
    QString fleet;
    std::optional<QString> operatorName; // of the enabled profile
    std::optional<QString> iccid;        // of the enabled profile
    std::optional<QString> attestation;  // latest verdict
};

// An operator with its numbering: IMSIs are MCC || MNC || MSIN with the MSIN drawn from
// [msinFirst, msinLast]; ICCIDs are iccidPrefix || serial (zero-padded) || Luhn digit with the
// serial drawn from [iccidFirst, iccidLast]. The *Next fields are the allocation cursors.
struct OperatorRecord
{
    qint64 id = 0;
    QString name;
    QString country;
    QString mcc;
    QString mnc;
    qint64 msinFirst = 0;
    qint64 msinLast = 0;
    qint64 msinNext = 0;
    QString iccidPrefix;
    qint64 iccidFirst = 0;
    qint64 iccidLast = 0;
    qint64 iccidNext = 0;
    int iccidDigits = 19; // with the check digit
    int attestationMaxAgeSeconds = 24 * 3600;
    bool fallbackAllowed = true;
    bool disableAllowed = true; // false: its profiles carry "disable not allowed" (PPR1)
    QString spn;                // service provider name on its profiles; empty: its name
    std::optional<QDateTime> retiredAt; // takes no new profiles once set
    QString profileServerAddress;       // HOST:PORT of a profile server that runs elsewhere
    bool hasProfileTemplate = false;    // its own profile template; false: simfleet's built-in one

    qint64 imsiRangeSize() const { return msinLast - msinFirst + 1; }
    qint64 imsisAllocated() const { return msinNext - msinFirst; }
    qint64 iccidRangeSize() const { return iccidLast - iccidFirst + 1; }
    qint64 iccidsAllocated() const { return iccidNext - iccidFirst; }
};

enum class CertificateRoleName { CertificateIssuer, Manufacturer, ProfileServer };

struct CertificateRecord
{
    qint64 id = 0;
    CertificateRoleName role = CertificateRoleName::CertificateIssuer;
    QString name;
    QByteArray der;
    QByteArray privateKeySealed; // empty when the workspace holds only the certificate
    std::optional<qint64> operatorId;
    QString eidPrefix;
    QDateTime notAfter;
    std::optional<QDateTime> retiredAt; // set when no longer trusted
};

} // namespace simfleet::store
