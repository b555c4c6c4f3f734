#include "trustbook.h"

#include "access/session.h"
#include "core/clock.h"
#include "crypto/chainverifier.h"
#include "crypto/revocationlist.h"
#include "crypto/rolecheck.h"
#include "store/auditlog.h"
#include "store/certificaterepository.h"
#include "store/referencevaluerepository.h"
#include "store/storewriter.h"
#include "store/workspace.h"

#include <QJsonObject>

namespace simfleet::attestation {

namespace {

QString hex(const QByteArray &bytes)
{
    return QString::fromLatin1(bytes.toHex(':')).toUpper();
}

QString day(const QDateTime &t)
{
    return t.toUTC().toString(Qt::ISODate);
}

// A certificate file as an issuer or manufacturer is added: readable, and holding that SGP.22 role.
Result<crypto::Certificate> readCertificate(QByteArrayView contents, const QString &what, crypto::RspRole role)
{
    auto cert = crypto::Certificate::fromFileContents(contents);
    if (!cert)
        return fail(QStringLiteral("the %1 file is not a readable certificate: %2").arg(what, cert.errorMessage()));
    if (auto ok = crypto::checkRspRole(cert.value(), role); !ok)
        return ok.error();
    return cert;
}

Result<void> checkValidNow(const crypto::Certificate &cert, const QDateTime &now)
{
    if (now >= cert.notAfter())
        return fail(QStringLiteral("%1 expired on %2; ask its owner for the renewed certificate")
                        .arg(cert.subjectText(), day(cert.notAfter())));
    if (now < cert.notBefore())
        return fail(QStringLiteral("%1 is not valid before %2; add it from then on")
                        .arg(cert.subjectText(), day(cert.notBefore())));
    return {};
}

struct Trusted
{
    store::CertificateRecord record;
    crypto::Certificate certificate;
};

Result<QList<Trusted>> currentTrust(QSqlDatabase db)
{
    auto records = store::CertificateRepository(db).list();
    if (!records)
        return records.error();
    QList<Trusted> out;
    for (const store::CertificateRecord &r : records.value()) {
        if (r.role == store::CertificateRoleName::ProfileServer)
            continue;
        auto cert = crypto::Certificate::fromDer(r.der);
        if (!cert)
            return fail(QStringLiteral("the stored certificate of %1 is damaged: %2").arg(r.name, cert.errorMessage()));
        out.append({ r, cert.value() });
    }
    return out;
}

Result<bool> alreadyTrusted(const QList<Trusted> &trusted, const crypto::Certificate &cert)
{
    for (const Trusted &t : trusted) {
        if (t.certificate == cert)
            return fail(QStringLiteral("%1 is already trusted; nothing was changed").arg(cert.subjectText()));
    }
    return false;
}

TrustedCertificate describe(const store::CertificateRecord &record, const crypto::Certificate &cert,
                            const QHash<QString, crypto::RevocationList> &lists, const QDateTime &now)
{
    TrustedCertificate t { record.id, record.role, cert, record.name, record.eidPrefix, {}, {}, {} };
    const auto crl = lists.constFind(cert.subjectText());
    if (crl == lists.cend() || !crl->checkIssuedBy(cert, crl->thisUpdate()))
        return t;
    t.revocationThisUpdate = crl->thisUpdate();
    t.revocationNextUpdate = crl->nextUpdate();
    if (now >= crl->nextUpdate())
        t.alert = QStringLiteral("The revocation list of %1 ran out on %2; import its current list, since until then "
                                 "revoked certificates under it cannot be told apart.")
                      .arg(cert.subjectText(), day(crl->nextUpdate()));
    else if (now.addDays(TrustBook::revocationAlertDays) >= crl->nextUpdate())
        t.alert = QStringLiteral("The revocation list of %1 runs out on %2; import the next one before then.")
                      .arg(cert.subjectText(), day(crl->nextUpdate()));
    return t;
}

store::CertificateRecord recordFor(store::CertificateRoleName role, const crypto::Certificate &cert)
{
    store::CertificateRecord r;
    r.role = role;
    // Reference values and verdicts name a manufacturer by its organization (DESIGN.md
    // "Attestation"), so that is its name here too.
    const crypto::DistinguishedName subject = cert.subject();
    r.name = role == store::CertificateRoleName::Manufacturer && !subject.organization.isEmpty() ? subject.organization
        : !subject.commonName.isEmpty()                                                          ? subject.commonName
                                                                                                 : cert.subjectText();
    r.der = cert.toDer();
    r.eidPrefix = cert.permittedEidPrefix().value_or(QString());
    r.notAfter = cert.notAfter();
    return r;
}

QJsonObject auditDetails(const crypto::Certificate &cert)
{
    QJsonObject details { { QStringLiteral("key_id"), hex(cert.keyIdentifier()) },
                          { QStringLiteral("sha256"), QString::fromLatin1(cert.sha256Fingerprint().toHex()) },
                          { QStringLiteral("not_after"), day(cert.notAfter()) } };
    if (const auto prefix = cert.permittedEidPrefix())
        details.insert(QStringLiteral("eid_prefix"), *prefix);
    return details;
}

Result<TrustedCertificate> storeCertificate(store::Workspace &workspace, const access::Session &by,
                                 const store::CertificateRecord &record, const crypto::Certificate &cert)
{
    const QDateTime now = workspace.clock().now();
    const store::AuditAuthor author = by.author();
    qint64 id = 0;
    auto stored = workspace.writer().run([&](QSqlDatabase &db) -> Result<void> {
        auto inserted = store::CertificateRepository(db).insert(record);
        if (!inserted)
            return inserted.error();
        id = inserted.value();
        return store::AuditLog::record(db, now, author, QStringLiteral("trust.add"),
                                       QStringLiteral("certificate:") + cert.subjectText(), auditDetails(cert));
    });
    if (!stored)
        return stored.error();
    store::CertificateRecord saved = record;
    saved.id = id;
    return describe(saved, cert, {}, now);
}

// Two EID ranges given as prefixes overlap when one begins the other.
bool overlaps(const QString &a, const QString &b)
{
    return a.startsWith(b) || b.startsWith(a);
}

} // namespace

bool TrustBook::isTestCertificateIssuer(const crypto::Certificate &issuer)
{
    const crypto::DistinguishedName subject = issuer.subject();
    return subject.organizationalUnit == u"TESTCERT" || subject.organization == u"RSPTEST";
}

Result<TrustedCertificate> TrustBook::addIssuer(store::Workspace &workspace, const access::Session &by,
                                                QByteArrayView fileContents)
{
    if (auto ok = by.require(access::Permission::ManageTrust, workspace.clock()); !ok)
        return ok.error();
    auto cert = readCertificate(fileContents, QStringLiteral("issuer"), crypto::RspRole::CertificateIssuer);
    if (!cert)
        return cert.error();
    // A CI is a root (SGP.22 section 4.5.2.1.0.1): it names and signs itself.
    crypto::ChainVerifier self;
    self.addTrustAnchor(cert.value());
    if (cert->subjectText() != cert->issuerText() || !self.verifyAt(cert.value(), {}, cert->notBefore().addSecs(1)))
        return fail(QStringLiteral("%1 is not a root: a certificate issuer's certificate is signed by its own key; add "
                                   "the root, not a certificate it issued")
                        .arg(cert->subjectText()));
    if (auto ok = checkValidNow(cert.value(), workspace.clock().now()); !ok)
        return ok.error();
    auto trusted = currentTrust(workspace.database());
    if (!trusted)
        return trusted.error();
    if (auto dup = alreadyTrusted(trusted.value(), cert.value()); !dup)
        return dup.error();
    return storeCertificate(workspace, by, recordFor(store::CertificateRoleName::CertificateIssuer, cert.value()), cert.value());
}

Result<TrustedCertificate> TrustBook::addManufacturer(store::Workspace &workspace, const access::Session &by,
                                                      QByteArrayView fileContents)
{
    if (auto ok = by.require(access::Permission::ManageTrust, workspace.clock()); !ok)
        return ok.error();
    auto cert = readCertificate(fileContents, QStringLiteral("manufacturer"), crypto::RspRole::Manufacturer);
    if (!cert)
        return cert.error();
    const QDateTime now = workspace.clock().now();
    if (auto ok = checkValidNow(cert.value(), now); !ok)
        return ok.error();
    auto trusted = currentTrust(workspace.database());
    if (!trusted)
        return trusted.error();
    if (auto dup = alreadyTrusted(trusted.value(), cert.value()); !dup)
        return dup.error();

    crypto::ChainVerifier issuers;
    for (const Trusted &t : trusted.value()) {
        if (t.record.role == store::CertificateRoleName::CertificateIssuer)
            issuers.addTrustAnchor(t.certificate);
    }
    if (auto chain = issuers.verifyAt(cert.value(), {}, now); !chain) {
        const bool noIssuer = chain.errorMessage().contains(QStringLiteral("does not chain"))
            || chain.errorMessage().contains(QStringLiteral("no trusted certificate issuer"));
        if (!noIssuer)
            return fail(QStringLiteral("%1 does not verify against the trusted issuers: %2")
                            .arg(cert->subjectText(), chain.errorMessage()));
        return fail(QStringLiteral("%1 is not signed by a certificate issuer this workspace trusts (it names %2 as its "
                                   "issuer); add that issuer first with trust add --issuer, if you trust it")
                        .arg(cert->subjectText(), cert->issuerText()));
    }
    // The CI's list covers the manufacturers it certified (SGP.22 section 4.5.2.2).
    auto revoked = store::RevocationListRepository(workspace.database()).listNaming(cert.value());
    if (!revoked)
        return revoked.error();
    if (const auto &crl = revoked.value())
        return fail(QStringLiteral("%1 is revoked: its issuer's revocation list of %2 names it; it cannot be trusted")
                        .arg(cert->subjectText(), day(crl->thisUpdate())));

    const QString prefix = cert->permittedEidPrefix().value_or(QString());
    for (const Trusted &t : trusted.value()) {
        if (t.record.role != store::CertificateRoleName::Manufacturer)
            continue;
        const QString other = t.certificate.permittedEidPrefix().value_or(t.record.eidPrefix);
        if (!other.isEmpty() && overlaps(prefix, other))
            return fail(QStringLiteral("the EID range %1 of %2 overlaps the range %3 of %4, a manufacturer already "
                                       "trusted; one EID must belong to one manufacturer, so retire the other first "
                                       "if it was replaced")
                            .arg(prefix, cert->subjectText(), other, t.certificate.subjectText()));
    }
    return storeCertificate(workspace, by, recordFor(store::CertificateRoleName::Manufacturer, cert.value()), cert.value());
}

Result<ImportedRevocationList> TrustBook::addRevocationList(store::Workspace &workspace, const access::Session &by,
                                                            QByteArrayView fileContents)
{
    if (auto ok = by.require(access::Permission::ManageTrust, workspace.clock()); !ok)
        return ok.error();
    auto crl = crypto::RevocationList::fromFileContents(fileContents);
    if (!crl)
        return fail(QStringLiteral("the file is not a readable revocation list: %1").arg(crl.errorMessage()));
    const QString issuer = crl->issuerText();
    auto trusted = currentTrust(workspace.database());
    if (!trusted)
        return trusted.error();
    const Trusted *signer = nullptr;
    bool named = false;
    for (const Trusted &t : trusted.value()) {
        if (t.certificate.subjectText() != issuer)
            continue;
        named = true;
        if (crl->checkIssuedBy(t.certificate, crl->thisUpdate())) {
            signer = &t;
            break;
        }
    }
    if (!named)
        return fail(QStringLiteral("the revocation list names %1 as its issuer, which is neither a trusted certificate "
                                   "issuer nor a trusted manufacturer; add that certificate first")
                        .arg(issuer));
    if (!signer)
        return fail(QStringLiteral("the revocation list's signature does not verify with the key of %1: it was altered "
                                   "or not issued by it, so it was not imported; fetch it again from its publisher")
                        .arg(issuer));
    const QDateTime now = workspace.clock().now();
    if (now >= crl->nextUpdate())
        return fail(QStringLiteral("the revocation list of %1 ran out on %2 (its next update); import the current one")
                        .arg(issuer, day(crl->nextUpdate())));
    if (now < crl->thisUpdate())
        return fail(QStringLiteral("the revocation list of %1 is dated %2, in the future; check the clock of this "
                                   "computer or of its publisher")
                        .arg(issuer, day(crl->thisUpdate())));
    auto lists = store::RevocationListRepository(workspace.database()).newestByIssuer();
    if (!lists)
        return lists.error();
    if (const auto known = lists->constFind(issuer); known != lists->cend() && known->thisUpdate() >= crl->thisUpdate())
        return fail(QStringLiteral("a revocation list of %1 issued %2 is already imported, and this one (issued %3) is "
                                   "not newer; the newest list wins, so nothing was changed")
                        .arg(issuer, day(known->thisUpdate()), day(crl->thisUpdate())));

    const store::AuditAuthor author = by.author();
    const store::RevocationListRecord record { 0, issuer, crl->toDer(), crl->thisUpdate(), crl->nextUpdate() };
    auto stored = workspace.writer().run([&](QSqlDatabase &db) -> Result<void> {
        if (auto added = store::RevocationListRepository(db).add(record, now); !added)
            return added.error();
        return store::AuditLog::record(db, now, author, QStringLiteral("trust.add"), QStringLiteral("crl:") + issuer,
                                       { { QStringLiteral("this_update"), day(crl->thisUpdate()) },
                                         { QStringLiteral("next_update"), day(crl->nextUpdate()) } });
    });
    if (!stored)
        return stored.error();
    return ImportedRevocationList { issuer, crl->thisUpdate(), crl->nextUpdate() };
}

Result<QList<TrustedCertificate>> TrustBook::list(store::Workspace &workspace, const access::Session &by)
{
    if (auto ok = by.require(access::Permission::ViewFleet, workspace.clock()); !ok)
        return ok.error();
    auto trusted = currentTrust(workspace.database());
    if (!trusted)
        return trusted.error();
    auto lists = store::RevocationListRepository(workspace.database()).newestByIssuer();
    if (!lists)
        return lists.error();
    const QDateTime now = workspace.clock().now();
    QList<TrustedCertificate> out;
    for (const Trusted &t : trusted.value())
        out.append(describe(t.record, t.certificate, lists.value(), now));
    return out;
}

Result<TrustedCertificate> TrustBook::retire(store::Workspace &workspace, const access::Session &by,
                                             const QByteArray &keyIdentifier)
{
    if (auto ok = by.require(access::Permission::ManageTrust, workspace.clock()); !ok)
        return ok.error();
    auto trusted = currentTrust(workspace.database());
    if (!trusted)
        return trusted.error();
    const auto found = std::find_if(trusted->cbegin(), trusted->cend(), [&](const Trusted &t) {
        return t.certificate.keyIdentifier() == keyIdentifier;
    });
    if (found == trusted->cend())
        return fail(QStringLiteral("no trusted issuer or manufacturer has the key id %1; trust list shows the key ids")
                        .arg(hex(keyIdentifier)));
    const Trusted target = *found;
    const QDateTime now = workspace.clock().now();
    const store::AuditAuthor author = by.author();
    auto stored = workspace.writer().run([&](QSqlDatabase &db) -> Result<void> {
        auto retired = store::CertificateRepository(db).retire(target.record.id, now);
        if (!retired)
            return retired.error();
        if (!retired.value())
            return fail(QStringLiteral("%1 was retired meanwhile").arg(target.certificate.subjectText()));
        return store::AuditLog::record(db, now, author, QStringLiteral("trust.retire"),
                                       QStringLiteral("certificate:") + target.certificate.subjectText(),
                                       auditDetails(target.certificate));
    });
    if (!stored)
        return stored.error();
    TrustedCertificate out = describe(target.record, target.certificate, {}, now);
    return out;
}

Result<QString> TrustBook::testWorkspaceNotice(store::Workspace &workspace)
{
    auto trusted = currentTrust(workspace.database());
    if (!trusted)
        return trusted.error();
    for (const Trusted &t : trusted.value()) {
        if (t.record.role == store::CertificateRoleName::CertificateIssuer && isTestCertificateIssuer(t.certificate))
            return QStringLiteral("This is a test workspace: it trusts the GSMA SGP.26 test certificate issuer %1, whose "
                                  "keys are published, so its verdicts prove nothing about real devices.")
                .arg(t.certificate.subjectText());
    }
    return QString();
}

} // namespace simfleet::attestation
