#include "productionrun.h"

#include "eim/eimidentity.h"
#include "simulatedfield.h"

#include "core/clock.h"
#include "crypto/chainverifier.h"
#include "crypto/eckey.h"
#include "crypto/random.h"
#include "crypto/sha256.h"
#include "fleet/csvreader.h"
#include "identity/eid.h"
#include "identity/imei.h"
#include "store/certificaterepository.h"
#include "store/workspace.h"

#include <QFileInfo>
#include <QtEndian>

#include <cmath>
#include <limits>

namespace simfleet::simulation {

namespace {

constexpr int eidPayloadDigits = 30; // SGP.02 / ITU-T E.118: 30 digits, then 2 check digits

struct TrustedManufacturer
{
    store::CertificateRecord record;
    crypto::Certificate issuer;
};

// The manufacturer as the workspace trusts it, and the certificate issuer that signed it: the
// CI whose key the run's devices carry to authenticate profile servers.
Result<TrustedManufacturer> trustedManufacturer(const store::Workspace &workspace, const crypto::Certificate &eum)
{
    store::CertificateRepository certificates(workspace.database());
    auto manufacturers = certificates.list(store::CertificateRoleName::Manufacturer);
    if (!manufacturers)
        return manufacturers.error();
    TrustedManufacturer out;
    const QByteArray der = eum.toDer();
    const auto found = std::find_if(manufacturers->cbegin(), manufacturers->cend(),
                                    [&](const store::CertificateRecord &c) { return c.der == der; });
    if (found == manufacturers->cend())
        return fail(QStringLiteral("%1 is not a manufacturer this workspace trusts; add its certificate first with "
                                   "trust add --manufacturer (an Administrator)")
                        .arg(eum.subjectText()));
    out.record = *found;
    auto issuers = certificates.list(store::CertificateRoleName::CertificateIssuer);
    if (!issuers)
        return issuers.error();
    for (const store::CertificateRecord &c : issuers.value()) {
        auto ci = crypto::Certificate::fromDer(c.der);
        if (!ci)
            continue;
        crypto::ChainVerifier trust;
        trust.addTrustAnchor(ci.value());
        if (trust.verifyAt(eum, {}, workspace.clock().now())) {
            out.issuer = ci.value();
            return out;
        }
    }
    return fail(QStringLiteral("%1 no longer chains to a certificate issuer this workspace trusts; add its issuer "
                               "again or trust a current manufacturer certificate")
                    .arg(eum.subjectText()));
}

QString eidAt(const QString &prefix, qint64 individual)
{
    const QString payload = prefix + QStringLiteral("%1").arg(individual, eidPayloadDigits - int(prefix.size()), 10, QLatin1Char('0'));
    return identity::Eid::fromPayload(payload).value().toString();
}

// A type allocation code of the manufacturer's own, stable across runs: "35" (a BABT-allocated
// reporting body) and six digits from its certificate.
QString typeAllocationCode(const crypto::Certificate &eum)
{
    const QByteArray digest = crypto::sha256(eum.toDer());
    const quint32 n = qFromBigEndian<quint32>(digest.constData()) % 1000000u;
    return QStringLiteral("35%1").arg(n, 6, 10, QLatin1Char('0'));
}

} // namespace

Result<ProductionRun> ProductionRun::make(const store::Workspace &workspace, const QString &workspacePath,
                                          const ProductionOrder &order)
{
    if (order.count < 1 || order.count > maximumCount)
        return fail(QStringLiteral("a production run makes 1 to %1 devices, not %2").arg(maximumCount).arg(order.count));
    if (order.model.trimmed().isEmpty() || order.software.trimmed().isEmpty())
        return fail(QStringLiteral("a production run needs the devices' model and software version"));
    auto eum = crypto::Certificate::fromFileContents(order.manufacturerCertificate);
    if (!eum)
        return fail(QStringLiteral("the manufacturer certificate is not an X.509 certificate in PEM or DER (%1); give the "
                                   "EUM certificate file")
                        .arg(eum.errorMessage()));
    auto key = crypto::EcPrivateKey::fromFileContents(order.manufacturerKey);
    if (!key)
        return fail(QStringLiteral("the manufacturer key is not a P-256 private key in PEM or PKCS#8 DER; give the EUM's "
                                   "key file"));
    if (!(key->publicKey() == eum->publicKey()))
        return fail(QStringLiteral("the manufacturer key does not belong to %1 (their public keys differ); give the key "
                                   "the certificate was issued for")
                        .arg(eum->subjectText()));
    auto trusted = trustedManufacturer(workspace, eum.value());
    if (!trusted)
        return trusted.error();
    const QString prefix = eum->permittedEidPrefix().value_or(trusted->record.eidPrefix);
    if (prefix.isEmpty() || prefix.size() >= eidPayloadDigits)
        return fail(QStringLiteral("%1 names no EID range its devices could be numbered from (SGP.22 section 4.5.2.1 "
                                   "puts it in the name constraints)")
                        .arg(eum->subjectText()));

    ProductionRun run;
    run.manufacturer = trusted->record.name;
    run.fieldFile = SimulatedField::pathForWorkspace(workspacePath);
    const bool fieldExists = QFileInfo::exists(run.fieldFile);
    std::unique_ptr<SimulatedField> field;
    if (fieldExists) {
        auto opened = SimulatedField::open(run.fieldFile, &workspace.clock());
        if (!opened)
            return opened.error();
        field = std::move(opened).value();
    }

    const QString swname = order.softwareName.trimmed().isEmpty() ? order.model.trimmed() + QStringLiteral(" firmware")
                                                                   : order.softwareName.trimmed();
    const QString tac = typeAllocationCode(eum.value());
    // The next free numbers of the range: EIDs the field already holds are skipped.
    const qint64 capacity = prefix.size() >= eidPayloadDigits - 18 ? qint64(std::pow(10.0, eidPayloadDigits - prefix.size())) - 1
                                                                   : std::numeric_limits<qint64>::max();
    qint64 individual = 0;
    while (run.devices.size() < std::size_t(order.count)) {
        if (++individual > capacity)
            return fail(QStringLiteral("the EID range %1 of %2 has no room for %3 more devices")
                            .arg(prefix, run.manufacturer).arg(order.count));
        const QString eid = eidAt(prefix, individual);
        if (field && field->device(eid))
            continue;
        FieldDevice d;
        d.eid = eid;
        const QString imeiBody = tac + QStringLiteral("%1").arg(individual % 1000000, 6, 10, QLatin1Char('0'));
        d.imei = identity::Imei::parse(imeiBody)
                     .value()
                     .toString();
        d.manufacturer = run.manufacturer;
        d.hwmodel = order.model.trimmed();
        d.hwversion = QStringLiteral("1");
        d.swname = swname;
        d.swversion = order.software.trimmed();
        d.secureElement = store::SecureElementKind::IntegratedUicc;
        run.devices.push_back(d);
    }

    const FieldManufacturer manufacturer { run.manufacturer, prefix, order.oemid.value_or(0),
                                           crypto::CertifiedKey { eum.value(), key.value() } };
    if (field) {
        if (auto ok = field->addDevices(manufacturer, run.devices); !ok)
            return ok.error();
    } else {
        auto created = SimulatedField::create(run.fieldFile, crypto::randomBytes(32), trusted->issuer, { manufacturer },
                                              run.devices, &workspace.clock());
        if (!created)
            return created.error();
        // The factory configures the eUICCs with the workspace's eIM when it has one (SGP.32's
        // initial eIM configuration); without one they are configured when it is made.
        if (auto eim = eim::EimIdentity::ofWorkspace(workspace)) {
            if (auto ok = created.value()->associateEim(eim->eimId(), eim->publicKey().subjectPublicKeyInfo()); !ok)
                return ok.error();
        }
    }

    store::ReferenceValueRecord &r = run.referenceValues;
    r.manufacturer = run.manufacturer;
    r.hwmodel = order.model.trimmed();
    r.swname = swname;
    r.swversion = order.software.trimmed();
    r.oemid = order.oemid;
    r.addedAt = workspace.clock().now();
    for (const protocol::Measurement &m : SimulatedDevice::firmwareMeasurements(r.hwmodel, r.swversion))
        r.measurements.append({ m.component, m.digest });
    return run;
}

QByteArray ProductionRun::enrollmentCsv() const
{
    QString csv = QStringLiteral("eid,imei,serial,model,secure_element,label\n");
    qint64 n = 0;
    for (const FieldDevice &d : devices) {
        ++n;
        const QStringList fields { d.eid,
                                   d.imei,
                                   QStringLiteral("SN-%1").arg(d.eid.right(10)),
                                   d.hwmodel,
                                   store::secureElementName(d.secureElement),
                                   QStringLiteral("%1 %2").arg(d.hwmodel).arg(n) };
        QStringList quoted;
        for (const QString &f : fields)
            quoted.append(fleet::csvQuoted(f));
        csv += quoted.join(u',') + u'\n';
    }
    return csv.toUtf8();
}

} // namespace simfleet::simulation
