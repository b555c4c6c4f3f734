#include "operatoronboarding.h"

#include "access/session.h"
#include "core/clock.h"
#include "crypto/certificate.h"
#include "crypto/chainverifier.h"
#include "crypto/eckey.h"
#include "crypto/sha256.h"
#include "identity/checkdigits.h"
#include "identity/iccid.h"
#include "profiles/credentialissuer.h"
#include "profiles/profileserver.h"
#include "protocol/profiletemplate.h"
#include "store/auditlog.h"
#include "store/certificaterepository.h"
#include "store/referencevaluerepository.h"
#include "store/operatorrepository.h"
#include "store/records.h"
#include "store/secretvault.h"
#include "store/storewriter.h"
#include "store/workspace.h"

#include <QJsonObject>
#include <QSqlError>
#include <QSqlQuery>

namespace simfleet::fleet {

namespace {

using identity::isAllDigits;

// E.118: 89, a country code (1 to 3 digits, never starting with 0) and the issuer's number;
// the seven digits together identify the issuer, and a range stays within one.
constexpr qsizetype issuerDigits = 7;

struct Range
{
    QString first;
    QString last;
};

Result<Range> splitRange(const QString &text, const char *option)
{
    const QStringList parts = text.trimmed().split(u'-');
    if (parts.size() != 2 || parts.at(0).isEmpty() || parts.at(1).isEmpty())
        return fail(QStringLiteral("%1 takes FIRST-LAST, two numbers joined by a dash; \"%2\" is not that")
                        .arg(QLatin1StringView(option), text));
    return Range { parts.at(0).trimmed(), parts.at(1).trimmed() };
}

QString padded(qint64 value, qsizetype digits)
{
    return QStringLiteral("%1").arg(value, int(digits), 10, QLatin1Char('0'));
}

QString imsiText(const store::OperatorRecord &op, qint64 msin)
{
    return op.mcc + op.mnc + padded(msin, 15 - op.mcc.size() - op.mnc.size());
}

QString iccidPayload(const store::OperatorRecord &op, qint64 serial)
{
    return op.iccidPrefix + padded(serial, op.iccidDigits - 1 - op.iccidPrefix.size());
}

QString iccidText(const store::OperatorRecord &op, qint64 serial)
{
    auto iccid = identity::Iccid::fromPayload(iccidPayload(op, serial));
    return iccid ? iccid->toString() : iccidPayload(op, serial);
}

// Ranges compared as numbers: IMSIs all have 15 digits; ICCIDs of the same length compare by
// their digits before the check digit (ICCIDs of different lengths never collide).
bool overlaps(quint64 a0, quint64 a1, quint64 b0, quint64 b1)
{
    return a0 <= b1 && b0 <= a1;
}

Result<void> checkAgainstOthers(const store::OperatorRecord &op, const QList<store::OperatorRecord> &all)
{
    const quint64 imsiLow = imsiText(op, op.msinFirst).toULongLong();
    const quint64 imsiHigh = imsiText(op, op.msinLast).toULongLong();
    const quint64 iccidLow = iccidPayload(op, op.iccidFirst).toULongLong();
    const quint64 iccidHigh = iccidPayload(op, op.iccidLast).toULongLong();
    for (const store::OperatorRecord &other : all) {
        if (other.id == op.id)
            continue;
        if (other.name.compare(op.name, Qt::CaseInsensitive) == 0)
            return fail(QStringLiteral("there is already an operator named %1; pick another name, or edit that one")
                            .arg(other.name));
        if (overlaps(imsiLow, imsiHigh, imsiText(other, other.msinFirst).toULongLong(),
                     imsiText(other, other.msinLast).toULongLong()))
            return fail(QStringLiteral("the IMSI range overlaps %1's (%2-%3); give a range outside it")
                            .arg(other.name, imsiText(other, other.msinFirst), imsiText(other, other.msinLast)));
        if (other.iccidDigits == op.iccidDigits
            && overlaps(iccidLow, iccidHigh, iccidPayload(other, other.iccidFirst).toULongLong(),
                        iccidPayload(other, other.iccidLast).toULongLong()))
            return fail(QStringLiteral("the ICCID range overlaps %1's (%2-%3); give a range outside it")
                            .arg(other.name, iccidText(other, other.iccidFirst), iccidText(other, other.iccidLast)));
        if (other.mcc == op.mcc && other.mnc == op.mnc)
            return fail(QStringLiteral("MCC %1 MNC %2 is %3's network already; an operator's network code is its own, "
                                       "so grow %3's ranges instead")
                            .arg(op.mcc, op.mnc, other.name));
    }
    return {};
}

// Never the OP or a key: what an Administrator described, as the audit log keeps it.
QJsonObject auditJson(const OperatorSpec &s)
{
    return { { QStringLiteral("name"), s.name },           { QStringLiteral("country"), s.country },
             { QStringLiteral("mcc"), s.mcc },             { QStringLiteral("mnc"), s.mnc },
             { QStringLiteral("imsi_range"), s.imsiRange }, { QStringLiteral("iccid_range"), s.iccidRange },
             { QStringLiteral("spn"), s.spn } };
}

Result<crypto::Certificate> parseCertificate(QByteArrayView bytes, const QString &what)
{
    const bool pem = bytes.trimmed().startsWith("-----BEGIN");
    auto cert = pem ? crypto::Certificate::fromPem(bytes) : crypto::Certificate::fromDer(bytes);
    if (!cert)
        return fail(QStringLiteral("%1 is not an X.509 certificate in PEM or DER (%2); give the certificate file")
                        .arg(what, cert.errorMessage()));
    return cert;
}

Result<crypto::EcPrivateKey> parseKey(const crypto::SecretBytes &bytes, const QString &what)
{
    auto key = crypto::EcPrivateKey::fromFileContents(bytes);
    if (!key)
        return fail(QStringLiteral("%1 is not a P-256 private key in PEM or PKCS#8 DER; give the key file").arg(what));
    return key;
}

struct CheckedPair
{
    crypto::Certificate certificate;
    crypto::SecretBytes pkcs8;
};

Result<CheckedPair> checkPair(QByteArrayView certificate, const crypto::SecretBytes &key, const char *purpose,
                              const QDateTime &now)
{
    const QString certWhat = QStringLiteral("--%1-cert").arg(QLatin1StringView(purpose));
    const QString keyWhat = QStringLiteral("--%1-key").arg(QLatin1StringView(purpose));
    auto cert = parseCertificate(certificate, certWhat);
    if (!cert)
        return cert.error();
    auto parsed = parseKey(key, keyWhat);
    if (!parsed)
        return parsed.error();
    if (!(parsed->publicKey() == cert->publicKey()))
        return fail(QStringLiteral("%1 does not belong to %2 (their public keys differ); give the key the certificate "
                                   "was issued for")
                        .arg(keyWhat, certWhat));
    if (cert->notAfter() < now)
        return fail(QStringLiteral("%1 expired on %2; give a current certificate").arg(certWhat, storedTime(cert->notAfter())));
    if (const auto role = cert->role(); role && *role != crypto::CertificateRole::ProfileServer)
        return fail(QStringLiteral("%1 is not a profile server certificate (its policy names another role); give the "
                                   "SM-DP+ certificate")
                        .arg(certWhat));
    return CheckedPair { cert.value(), parsed->toPkcs8() };
}

QJsonObject certificateJson(const crypto::Certificate &c)
{
    return { { QStringLiteral("subject"), c.subjectText() },
             { QStringLiteral("sha256"), QString::fromLatin1(crypto::sha256(c.toDer()).toHex()) },
             { QStringLiteral("not_after"), storedTime(c.notAfter()) } };
}

QJsonObject serverJson(QSqlDatabase &db, qint64 operatorId)
{
    QJsonObject out;
    QSqlQuery q(db);
    q.prepare(QStringLiteral("SELECT name, der FROM certificate WHERE role = 'profile-server' AND operator_id = ? ORDER BY id"));
    q.addBindValue(operatorId);
    if (q.exec()) {
        while (q.next())
            out.insert(q.value(0).toString(), QString::fromLatin1(crypto::sha256(q.value(1).toByteArray()).toHex()));
    }
    QSqlQuery r(db);
    r.prepare(QStringLiteral("SELECT profile_server_address FROM operator WHERE id = ?"));
    r.addBindValue(operatorId);
    if (r.exec() && r.next() && !r.value(0).isNull())
        out.insert(QStringLiteral("address"), r.value(0).toString());
    return out;
}

// Devices accept a profile server only if its certificates chain to the certificate issuer they
// trust (SGP.22 section 3.1.2.2): one that does not would fail every download, so it is refused
// here. A workspace that holds no certificate issuer yet has nothing to check against.
Result<void> checkIssuedByTrustedIssuer(store::Workspace &workspace, const crypto::Certificate &leaf, const char *purpose,
                                        const QDateTime &now)
{
    auto issuers = store::CertificateRepository(workspace.database()).list(store::CertificateRoleName::CertificateIssuer);
    if (!issuers)
        return issuers.error();
    if (issuers->isEmpty())
        return {};
    crypto::ChainVerifier trust;
    for (const store::CertificateRecord &c : issuers.value()) {
        if (auto cert = crypto::Certificate::fromDer(c.der))
            trust.addTrustAnchor(cert.value());
    }
    if (auto chain = trust.verifyAt(leaf, {}, now); !chain)
        return fail(QStringLiteral("--%1-cert does not chain to a certificate issuer this workspace trusts (%2), so devices "
                                   "would refuse it; give the certificate the workspace's certificate issuer signed")
                        .arg(QLatin1StringView(purpose), chain.errorMessage()));
    // The issuer's list covers the profile servers it certified (SGP.22 section 4.5.2.2).
    auto revoked = store::RevocationListRepository(workspace.database()).listNaming(leaf);
    if (!revoked)
        return revoked.error();
    if (revoked.value())
        return fail(QStringLiteral("--%1-cert is revoked: the revocation list of %2 names it; ask the operator for its "
                                   "current certificate")
                        .arg(QLatin1StringView(purpose), leaf.issuerText()));
    return {};
}

} // namespace

static Result<store::OperatorRecord> findOperator(store::Workspace &workspace, const QString &name)
{
    auto found = store::OperatorRepository(workspace.database()).findByName(name);
    if (!found)
        return found.error();
    if (!found.value())
        return fail(QStringLiteral("there is no operator named %1; `simfleet-cli operators` lists them").arg(name));
    return *found.value();
}

static Result<void> requireUnlocked(const store::Workspace &workspace)
{
    if (!workspace.vault().isUnlocked())
        return fail(QStringLiteral("the workspace is locked; open it with its passphrase (or as a user with a key slot) "
                                   "to store secrets"));
    return {};
}

// The operator an Administrator changes, once the role (and, for what stores a secret, the data
// key) are there.
Result<store::OperatorRecord> operatorToChange(store::Workspace &workspace, const access::Session &by,
                                               const QString &name, NeedsKey needsKey)
{
    if (auto ok = by.require(access::Permission::ManageOperators, workspace.clock()); !ok)
        return ok.error();
    if (needsKey == NeedsKey::Yes)
        if (auto ok = requireUnlocked(workspace); !ok)
            return ok.error();
    return findOperator(workspace, name);
}

OperatorSpec OperatorOnboarding::specOf(const store::OperatorRecord &op)
{
    return { op.name,
             op.country,
             op.mcc,
             op.mnc,
             imsiText(op, op.msinFirst) + u'-' + imsiText(op, op.msinLast),
             iccidText(op, op.iccidFirst) + u'-' + iccidText(op, op.iccidLast),
             op.spn };
}

Result<store::OperatorRecord> operatorFromSpec(const OperatorSpec &spec)
{
    store::OperatorRecord op;
    op.name = spec.name.trimmed();
    if (op.name.isEmpty())
        return fail(QStringLiteral("an operator needs a name; give --name"));
    op.country = spec.country.trimmed().toUpper();
    if (op.country.size() != 2 || !op.country.at(0).isLetter() || !op.country.at(1).isLetter()
        || op.country.at(0).unicode() > 'Z' || op.country.at(1).unicode() > 'Z')
        return fail(QStringLiteral("--country takes the ISO 3166 two-letter code (SE, DE, GB), not \"%1\"").arg(spec.country));
    op.mcc = spec.mcc.trimmed();
    if (op.mcc.size() != 3 || !isAllDigits(op.mcc))
        return fail(QStringLiteral("--mcc takes the 3-digit mobile country code, not \"%1\"").arg(spec.mcc));
    op.mnc = spec.mnc.trimmed();
    if ((op.mnc.size() != 2 && op.mnc.size() != 3) || !isAllDigits(op.mnc))
        return fail(QStringLiteral("--mnc takes the 2- or 3-digit mobile network code, not \"%1\"").arg(spec.mnc));
    op.spn = spec.spn.trimmed();
    if (op.spn.size() > 16)
        return fail(QStringLiteral("--spn holds at most 16 characters (TS 31.102 EF SPN); shorten it"));

    auto imsis = splitRange(spec.imsiRange, "--imsi-range");
    if (!imsis)
        return imsis.error();
    const QString home = op.mcc + op.mnc;
    for (const QString &imsi : { imsis->first, imsis->last }) {
        if (imsi.size() != 15 || !isAllDigits(imsi))
            return fail(QStringLiteral("the IMSI range takes two 15-digit IMSIs; %1 is not one").arg(imsi));
        if (!imsi.startsWith(home))
            return fail(QStringLiteral("the IMSI range must start with the operator's MCC+MNC %1, and %2 does not; give "
                                       "IMSIs of this network or correct --mcc/--mnc")
                            .arg(home, imsi));
    }
    op.msinFirst = imsis->first.mid(home.size()).toLongLong();
    op.msinLast = imsis->last.mid(home.size()).toLongLong();
    if (op.msinLast < op.msinFirst)
        return fail(QStringLiteral("the IMSI range ends (%1) before it starts (%2); give FIRST-LAST with LAST >= FIRST")
                        .arg(imsis->last, imsis->first));

    auto iccids = splitRange(spec.iccidRange, "--iccid-range");
    if (!iccids)
        return iccids.error();
    for (const QString &text : { iccids->first, iccids->last }) {
        if (text.size() != 19 && text.size() != 20)
            return fail(QStringLiteral("the ICCID range takes ICCIDs of 19 or 20 digits with their check digit; %1 has %2")
                            .arg(text)
                            .arg(text.size()));
        if (auto iccid = identity::Iccid::parse(text); !iccid)
            return fail(QStringLiteral("%1 is not a valid ICCID: %2; give ICCIDs as the issuer printed them")
                            .arg(text, iccid.errorMessage()));
        if (text.at(2) == u'0')
            return fail(QStringLiteral("%1 has no valid issuer identifier (after 89 comes a country code, which never "
                                       "starts with 0); check the ICCID")
                            .arg(text));
    }
    if (iccids->first.size() != iccids->last.size())
        return fail(QStringLiteral("the first and last ICCID have different lengths; give both with the same number of digits"));
    if (iccids->first.first(issuerDigits) != iccids->last.first(issuerDigits))
        return fail(QStringLiteral("the first and last ICCID belong to different issuers (%1, %2); a range stays within "
                                   "one issuer identifier")
                        .arg(iccids->first.first(issuerDigits), iccids->last.first(issuerDigits)));
    op.iccidDigits = int(iccids->first.size());
    op.iccidPrefix = iccids->first.first(issuerDigits);
    const qsizetype serialDigits = op.iccidDigits - 1 - issuerDigits;
    op.iccidFirst = iccids->first.mid(issuerDigits, serialDigits).toLongLong();
    op.iccidLast = iccids->last.mid(issuerDigits, serialDigits).toLongLong();
    if (op.iccidLast < op.iccidFirst)
        return fail(QStringLiteral("the ICCID range ends (%1) before it starts (%2); give FIRST-LAST with LAST >= FIRST")
                        .arg(iccids->last, iccids->first));
    op.msinNext = op.msinFirst;
    op.iccidNext = op.iccidFirst;
    if (auto ok = store::checkNumbering(op); !ok)
        return ok.error();
    return op;
}

Result<qint64> OperatorOnboarding::add(store::Workspace &workspace, const access::Session &by, const OperatorSpec &spec,
                                       const crypto::SecretBytes &opValue)
{
    if (auto ok = by.require(access::Permission::ManageOperators, workspace.clock()); !ok)
        return ok.error();
    if (auto ok = requireUnlocked(workspace); !ok)
        return ok.error();
    if (opValue.size() != 16)
        return fail(QStringLiteral("the OP must be 16 bytes (32 hex digits)"));
    auto op = operatorFromSpec(spec);
    if (!op)
        return op.error();
    auto all = store::OperatorRepository(workspace.database()).list();
    if (!all)
        return all.error();
    if (auto ok = checkAgainstOthers(op.value(), all.value()); !ok)
        return ok.error();
    const QDateTime now = workspace.clock().now();
    const store::AuditAuthor author = by.author();
    const store::SecretVault &vault = workspace.vault();
    const store::OperatorRecord record = op.value();
    const OperatorSpec after = specOf(record);
    qint64 id = 0;
    auto done = workspace.writer().run([&](QSqlDatabase &db) -> Result<void> {
        store::OperatorRepository operators(db);
        auto inserted = operators.insert(record, now);
        if (!inserted)
            return inserted.error();
        id = inserted.value();
        // Bound to this row and column: the sealed OP does not open anywhere else.
        auto sealed = vault.seal({ "operator", id, "op_sealed" }, opValue);
        if (!sealed)
            return sealed.error();
        if (auto ok = operators.setSealedOp(id, sealed.value()); !ok)
            return ok;
        return store::AuditLog::record(db, now, author, QStringLiteral("operator.add"),
                                       QStringLiteral("operator:%1").arg(record.name),
                                       { { QStringLiteral("after"), auditJson(after) },
                                         { QStringLiteral("op"), QStringLiteral("sealed") } });
    });
    if (!done)
        return done.error();
    return id;
}

Result<void> OperatorOnboarding::edit(store::Workspace &workspace, const access::Session &by, const QString &name,
                                      const OperatorSpec &changed, const crypto::SecretBytes *newOp)
{
    auto found = operatorToChange(workspace, by, name, NeedsKey::No);
    if (!found)
        return found.error();
    const store::OperatorRecord before = found.value();
    const OperatorSpec beforeSpec = specOf(before);
    if (newOp) {
        if (auto ok = requireUnlocked(workspace); !ok)
            return ok;
        if (newOp->size() != 16)
            return fail(QStringLiteral("the OP must be 16 bytes (32 hex digits)"));
    }
    // A country stored before codes were required (the demo's names) stays as it is unless changed.
    OperatorSpec checked = changed;
    const bool countryKept = changed.country == before.country;
    if (countryKept)
        checked.country = QStringLiteral("XX");
    auto op = operatorFromSpec(checked);
    if (!op)
        return op.error();
    store::OperatorRecord after = op.value();
    after.id = before.id;
    if (countryKept)
        after.country = before.country;
    const qint64 msinsIssued = before.msinNext - before.msinFirst;
    const qint64 iccidsIssued = before.iccidNext - before.iccidFirst;
    if (msinsIssued > 0 || iccidsIssued > 0) {
        const QString beforeImsiFirst = beforeSpec.imsiRange.section(u'-', 0, 0);
        const QString beforeIccidFirst = beforeSpec.iccidRange.section(u'-', 0, 0);
        if (after.mcc != before.mcc || after.mnc != before.mnc
            || changed.imsiRange.section(u'-', 0, 0).trimmed() != beforeImsiFirst
            || changed.iccidRange.section(u'-', 0, 0).trimmed() != beforeIccidFirst)
            return fail(QStringLiteral("%1 has issued numbers from its ranges already; only the range ends can move, "
                                       "so keep the MCC, MNC and first IMSI and ICCID")
                            .arg(before.name));
    }
    // Re-expressed in the new prefix, the cursors point at the same next numbers.
    after.msinNext = after.msinFirst + msinsIssued;
    after.iccidNext = after.iccidFirst + iccidsIssued;
    if (after.msinNext > after.msinLast + 1 || after.iccidNext > after.iccidLast + 1)
        return fail(QStringLiteral("%1 has issued %2 IMSIs and %3 ICCIDs already; a range cannot end before the numbers "
                                   "it gave out")
                        .arg(before.name)
                        .arg(msinsIssued)
                        .arg(iccidsIssued));
    auto all = store::OperatorRepository(workspace.database()).list();
    if (!all)
        return all.error();
    if (auto ok = checkAgainstOthers(after, all.value()); !ok)
        return ok;
    const OperatorSpec afterSpec = specOf(after);
    const QDateTime now = workspace.clock().now();
    const store::AuditAuthor author = by.author();
    const store::SecretVault &vault = workspace.vault();
    return workspace.writer().run([&](QSqlDatabase &db) -> Result<void> {
        QSqlQuery q(db);
        // The cursors must still be where they were read: a campaign issuing meanwhile is not overrun.
        q.prepare(QStringLiteral("UPDATE operator SET name = ?, country = ?, mcc = ?, mnc = ?, msin_first = ?, msin_last = ?,"
                                 " msin_next = ?, iccid_prefix = ?, iccid_first = ?, iccid_last = ?, iccid_next = ?,"
                                 " iccid_digits = ?, spn = ? WHERE id = ? AND msin_next = ? AND iccid_next = ?"));
        for (const QVariant &v : { QVariant(after.name), QVariant(after.country), QVariant(after.mcc), QVariant(after.mnc),
                                   QVariant(after.msinFirst), QVariant(after.msinLast), QVariant(after.msinNext),
                                   QVariant(after.iccidPrefix), QVariant(after.iccidFirst), QVariant(after.iccidLast),
                                   QVariant(after.iccidNext), QVariant(after.iccidDigits), QVariant(after.spn.isNull() ? QStringLiteral("") : after.spn),
                                   QVariant(before.id), QVariant(before.msinNext), QVariant(before.iccidNext) })
            q.addBindValue(v);
        if (!q.exec())
            return fail(QStringLiteral("saving %1 failed: %2").arg(before.name, q.lastError().text()));
        if (q.numRowsAffected() != 1)
            return fail(QStringLiteral("%1 issued numbers while this edit was prepared; run the edit again").arg(before.name));
        QJsonObject details { { QStringLiteral("before"), auditJson(beforeSpec) },
                              { QStringLiteral("after"), auditJson(afterSpec) } };
        if (newOp) {
            auto sealed = vault.seal({ "operator", before.id, "op_sealed" }, *newOp);
            if (!sealed)
                return sealed.error();
            if (auto ok = store::OperatorRepository(db).setSealedOp(before.id, sealed.value()); !ok)
                return ok;
            details.insert(QStringLiteral("op"), QStringLiteral("replaced"));
        }
        return store::AuditLog::record(db, now, author, QStringLiteral("operator.edit"),
                                       QStringLiteral("operator:%1").arg(before.name), details);
    });
}

Result<void> OperatorOnboarding::retire(store::Workspace &workspace, const access::Session &by, const QString &name)
{
    auto found = operatorToChange(workspace, by, name, NeedsKey::No);
    if (!found)
        return found.error();
    const store::OperatorRecord op = found.value();
    if (op.retiredAt)
        return fail(QStringLiteral("%1 was retired on %2 already; nothing to do").arg(op.name, storedTime(*op.retiredAt)));
    const QDateTime now = workspace.clock().now();
    const store::AuditAuthor author = by.author();
    return workspace.writer().run([&](QSqlDatabase &db) -> Result<void> {
        // Counted in the same transaction as the retirement, so a download cannot slip in between.
        QSqlQuery count(db);
        count.prepare(QStringLiteral("SELECT COUNT(*), COUNT(DISTINCT device_id) FROM profile WHERE operator_id = ?"
                                     " AND state <> 'deleted'"));
        count.addBindValue(op.id);
        if (!count.exec() || !count.next())
            return fail(QStringLiteral("counting %1's profiles failed: %2").arg(op.name, count.lastError().text()));
        const qint64 held = count.value(0).toLongLong();
        if (held > 0)
            return fail(QStringLiteral("%1 cannot be retired while %2 devices hold %3 of its profiles; move them to another "
                                       "operator with a subscription change (simfleet-cli change), then retire it")
                            .arg(op.name)
                            .arg(count.value(1).toLongLong())
                            .arg(held));
        QSqlQuery q(db);
        q.prepare(QStringLiteral("UPDATE operator SET retired_at = ? WHERE id = ? AND retired_at IS NULL"));
        q.addBindValue(storedTime(now));
        q.addBindValue(op.id);
        if (!q.exec() || q.numRowsAffected() != 1)
            return fail(QStringLiteral("retiring %1 failed: %2").arg(op.name, q.lastError().text()));
        return store::AuditLog::record(db, now, author, QStringLiteral("operator.retire"),
                                       QStringLiteral("operator:%1").arg(op.name),
                                       { { QStringLiteral("before"), QJsonObject { { QStringLiteral("retired"), false } } },
                                         { QStringLiteral("after"), QJsonObject { { QStringLiteral("retired"), true } } } });
    });
}

Result<void> OperatorOnboarding::setProfileServer(store::Workspace &workspace, const access::Session &by,
                                                  const QString &name, const ProfileServerImport &server)
{
    auto found = operatorToChange(workspace, by, name, NeedsKey::Yes);
    if (!found)
        return found.error();
    const store::OperatorRecord op = found.value();
    const QDateTime now = workspace.clock().now();
    auto auth = checkPair(server.authCertificate, server.authKey, "auth", now);
    if (!auth)
        return auth.error();
    auto binding = checkPair(server.bindingCertificate, server.bindingKey, "binding", now);
    if (!binding)
        return binding.error();
    if (auto ok = checkIssuedByTrustedIssuer(workspace, auth->certificate, "auth", now); !ok)
        return ok;
    if (auto ok = checkIssuedByTrustedIssuer(workspace, binding->certificate, "binding", now); !ok)
        return ok;
    const store::AuditAuthor author = by.author();
    const store::SecretVault &vault = workspace.vault();
    return workspace.writer().run([&](QSqlDatabase &db) -> Result<void> {
        const QJsonObject before = serverJson(db, op.id);
        QSqlQuery drop(db);
        drop.prepare(QStringLiteral("DELETE FROM certificate WHERE role = 'profile-server' AND operator_id = ?"));
        drop.addBindValue(op.id);
        QSqlQuery local(db);
        local.prepare(QStringLiteral("UPDATE operator SET profile_server_address = NULL, profile_server_root = NULL WHERE id = ?"));
        local.addBindValue(op.id);
        if (!drop.exec() || !local.exec())
            return fail(QStringLiteral("replacing %1's profile server failed: %2")
                            .arg(op.name, drop.lastError().text() + local.lastError().text()));
        store::CertificateRepository certificates(db);
        const std::pair<const CheckedPair *, const char *> pairs[] = { { &binding.value(), profiles::profileServerBindingSuffix },
                                                                       { &auth.value(), profiles::profileServerAuthSuffix } };
        for (const auto &[pair, suffix] : pairs) {
            store::CertificateRecord record;
            record.role = store::CertificateRoleName::ProfileServer;
            record.name = op.name + QLatin1StringView(suffix);
            record.der = pair->certificate.toDer();
            record.operatorId = op.id;
            record.notAfter = pair->certificate.notAfter();
            auto id = certificates.insert(record);
            if (!id)
                return id.error();
            auto sealed = vault.seal({ "certificate", id.value(), "private_key_sealed" }, pair->pkcs8);
            if (!sealed)
                return sealed.error();
            if (auto ok = certificates.setPrivateKeySealed(id.value(), sealed.value()); !ok)
                return ok;
        }
        return store::AuditLog::record(db, now, author, QStringLiteral("operator.profile-server"),
                                       QStringLiteral("operator:%1").arg(op.name),
                                       { { QStringLiteral("before"), before },
                                         { QStringLiteral("after"),
                                           QJsonObject { { QStringLiteral("authentication"), certificateJson(auth->certificate) },
                                                         { QStringLiteral("binding"), certificateJson(binding->certificate) },
                                                         { QStringLiteral("keys"), QStringLiteral("sealed") } } } });
    });
}

Result<void> OperatorOnboarding::setProfileTemplate(store::Workspace &workspace, const access::Session &by,
                                                    const QString &name, const QByteArray &package)
{
    auto found = operatorToChange(workspace, by, name, NeedsKey::Yes);
    if (!found)
        return found.error();
    const store::OperatorRecord op = found.value();
    QJsonObject after { { QStringLiteral("template"), QStringLiteral("built-in") } };
    if (!package.isEmpty()) {
        auto made = protocol::ProfileTemplate::fromPackage(package);
        if (!made)
            return fail(QStringLiteral("the file is no profile template simfleet can use: %1").arg(made.errorMessage()));
        // A template must become a profile this operator's devices install: try it on the
        // operator's next numbers before it is stored.
        auto example = profiles::CredentialIssuer::example(op);
        if (!example)
            return example.error();
        if (auto tried = made->personalise(example.value()); !tried || !protocol::decodeProfilePackage(tried->view()))
            return fail(QStringLiteral("personalised, the template makes no profile a device installs: %1")
                            .arg(tried ? protocol::decodeProfilePackage(tried->view()).errorMessage() : tried.errorMessage()));
        const protocol::ProfilePackageSummary summary = made->summary();
        after = { { QStringLiteral("template"), QStringLiteral("own") },
                  { QStringLiteral("profile_type"), summary.profileType },
                  { QStringLiteral("format_version"), QStringLiteral("%1.%2").arg(summary.majorVersion).arg(summary.minorVersion) },
                  { QStringLiteral("elements"), int(summary.elements.size()) },
                  { QStringLiteral("bytes"), int(package.size()) },
                  { QStringLiteral("sha256"), QString::fromLatin1(crypto::sha256(package).toHex()) } };
    }
    const QJsonObject before { { QStringLiteral("template"), op.hasProfileTemplate ? QStringLiteral("own") : QStringLiteral("built-in") } };
    const QDateTime now = workspace.clock().now();
    const store::AuditAuthor author = by.author();
    const store::SecretVault &vault = workspace.vault();
    return workspace.writer().run([&](QSqlDatabase &db) -> Result<void> {
        QByteArray sealed;
        if (!package.isEmpty()) {
            auto s = vault.seal({ "operator", op.id, "profile_template_sealed" }, crypto::SecretBytes(package));
            if (!s)
                return s.error();
            sealed = s.value();
        }
        if (auto ok = store::OperatorRepository(db).setSealedProfileTemplate(op.id, sealed); !ok)
            return ok;
        return store::AuditLog::record(db, now, author, QStringLiteral("operator.profile-template"),
                                       QStringLiteral("operator:%1").arg(op.name),
                                       { { QStringLiteral("before"), before }, { QStringLiteral("after"), after } });
    });
}

Result<QByteArray> OperatorOnboarding::exportProfileTemplate(store::Workspace &workspace, const access::Session &by,
                                                             const QString &name)
{
    auto found = operatorToChange(workspace, by, name, NeedsKey::No);
    if (!found)
        return found.error();
    if (found->hasProfileTemplate) // opening it takes the data key
        if (auto ok = requireUnlocked(workspace); !ok)
            return ok.error();
    auto profileTemplate = profiles::profileTemplateOf(workspace, found.value());
    if (!profileTemplate)
        return profileTemplate.error();
    auto example = profiles::CredentialIssuer::example(found.value());
    if (!example)
        return example.error();
    return profileTemplate->withoutSecrets(example.value());
}

Result<void> OperatorOnboarding::setRemoteProfileServer(store::Workspace &workspace, const access::Session &by,
                                                        const QString &name, const QString &address,
                                                        const QByteArray &rootCertificate)
{
    auto found = operatorToChange(workspace, by, name, NeedsKey::No);
    if (!found)
        return found.error();
    const store::OperatorRecord op = found.value();
    const qsizetype colon = address.lastIndexOf(u':');
    bool portOk = false;
    const int port = colon > 0 ? address.mid(colon + 1).toInt(&portOk) : 0;
    if (colon <= 0 || !portOk || port < 1 || port > 65535 || address.contains(u' ') || address.contains(u'/'))
        return fail(QStringLiteral("--address takes HOST:PORT (smdp.example.net:443), not \"%1\"").arg(address));
    auto root = parseCertificate(rootCertificate, QStringLiteral("--root"));
    if (!root)
        return root.error();
    const QDateTime now = workspace.clock().now();
    if (root->notAfter() < now)
        return fail(QStringLiteral("--root expired on %1; give the current root").arg(storedTime(root->notAfter())));
    const store::AuditAuthor author = by.author();
    return workspace.writer().run([&](QSqlDatabase &db) -> Result<void> {
        const QJsonObject before = serverJson(db, op.id);
        QSqlQuery q(db);
        q.prepare(QStringLiteral("UPDATE operator SET profile_server_address = ?, profile_server_root = ? WHERE id = ?"));
        q.addBindValue(address);
        q.addBindValue(root->toDer());
        q.addBindValue(op.id);
        if (!q.exec())
            return fail(QStringLiteral("saving %1's profile server failed: %2").arg(op.name, q.lastError().text()));
        return store::AuditLog::record(db, now, author, QStringLiteral("operator.profile-server"),
                                       QStringLiteral("operator:%1").arg(op.name),
                                       { { QStringLiteral("before"), before },
                                         { QStringLiteral("after"),
                                           QJsonObject { { QStringLiteral("address"), address },
                                                         { QStringLiteral("root"), certificateJson(root.value()) } } } });
    });
}

} // namespace simfleet::fleet
