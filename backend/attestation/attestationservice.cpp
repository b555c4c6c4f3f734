#include "attestationservice.h"
#include "protocol/attestationmessage.h"

#include "access/session.h"
#include "store/devicerepository.h"
#include "attestationlog.h"

#include "core/clock.h"
#include "crypto/random.h"
#include "devices/devicelink.h"
#include "store/attestationrepository.h"
#include "store/auditlog.h"
#include "store/certificaterepository.h"
#include "store/custodyrepository.h"
#include "store/referencevaluerepository.h"
#include "store/storewriter.h"
#include "store/workspace.h"

#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtConcurrent/QtConcurrentMap>

#include <algorithm>
#include <atomic>
#include <future>
#include <memory>
#include <numeric>

namespace simfleet::attestation {

namespace {

// What a verdict means for a device beyond itself, in the verdict's transaction: what its
// evidence showed (its certificate's end, its position) is kept; a contraindicated one on a device holding a subscription quarantines it (its subscription is
// disabled at its next contact, campaigns leave it alone); a stolen or lost device that answered
// was seen; a recovered one that is affirming is back in service (its subscription restored at
// the contact that follows, CustodyService).
Result<void> recordConsequences(QSqlDatabase &db, const DeviceAttestation &o, const QString &heldBecause, const QDateTime &now,
                                const store::AuditAuthor &author)
{
    store::CustodyRepository custody(db);
    const QString subject = QStringLiteral("device:") + o.eid;
    // What the evidence showed of the device: its certificate's end, and where it reported
    // itself (the location claim), for the map and for a sighting below; a fix the device dates
    // in the future counts from now.
    if (o.verdict.certificateNotAfter.isValid()) {
        if (auto ok = store::AttestationRepository(db).recordCertificateEnd(o.deviceId, o.verdict.certificateNotAfter); !ok)
            return ok;
    }
    if (const auto &where = o.verdict.location) {
        if (auto ok = custody.setPosition(o.deviceId, where->latitude, where->longitude, std::min(where->measuredAt, now)); !ok)
            return ok;
    }
    if (o.verdict.tier == TrustTier::Contraindicated) {
        auto quarantined = custody.quarantineIfHolding(o.deviceId, o.verdict.reasonCode, now);
        if (!quarantined)
            return quarantined.error();
        if (quarantined.value()) {
            const auto &where = o.verdict.location;
            if (auto ok = custody.raise(o.deviceId, QStringLiteral("quarantined"), now, o.verdict.message,
                                        where ? std::optional(where->latitude) : std::nullopt,
                                        where ? std::optional(where->longitude) : std::nullopt);
                !ok)
                return ok;
            if (auto ok = store::AuditLog::record(db, now, author, QStringLiteral("device.quarantine"), subject,
                                                  QJsonObject { { QStringLiteral("reason"), o.verdict.reasonCode } });
                !ok)
                return ok;
        }
    }
    if (heldBecause.startsWith(QLatin1StringView("reported-")) && !o.evidence.isEmpty()) {
        auto states = custody.states({ o.deviceId });
        if (!states)
            return states.error();
        if (auto ok = custody.recordSighting(states->value(0), QStringLiteral("answered an attestation"), now, author); !ok)
            return ok;
    }
    if (heldBecause == u"awaiting-attestation" && o.verdict.tier == TrustTier::Affirming) {
        if (auto ok = custody.setCustody(o.deviceId, store::Custody::InService, QStringLiteral("recovered and attested"), now); !ok)
            return ok;
        if (auto ok = store::AuditLog::record(db, now, author, QStringLiteral("device.recovered"), subject,
                                              QJsonObject { { QStringLiteral("verdict"), tierName(o.verdict.tier) } });
            !ok)
            return ok;
    }
    return {};
}

} // namespace

AttestationService::AttestationService(store::Workspace &workspace, devices::DeviceLinkProvider &links,
                                       AttestationOptions options)
    : m_workspace(workspace), m_links(links), m_options(options), m_pool(std::make_unique<QThreadPool>())
{
}

AttestationService::~AttestationService() = default;

// The 192 random bits make a nonce unguessable, which is all freshness asks of it (RFC 9334
// section 10.2; SGP.22's challenges carry 128). The ordered prefix is for the store: the nonce is
// the key of a table that keeps every nonce ever issued, and random keys would put each new one
// on a different page of its index, so that every commit wrote a page per device attested (in a
// 100 000-device change, a fifth of everything the workspace wrote). In issue order they all land
// on the index's last page.
QByteArray AttestationService::issueNonce(const QDateTime &issuedAt)
{
    static std::atomic<quint16> counter { 0 };
    QByteArray nonce = crypto::randomBytes(32);
    const quint64 order = (quint64(issuedAt.toMSecsSinceEpoch()) << 16) | counter.fetch_add(1, std::memory_order_relaxed);
    for (int i = 0; i < 8; ++i)
        nonce[i] = char(order >> (56 - 8 * i));
    return nonce;
}

Result<QSet<qint64>> AttestationService::stillAffirming(const access::Session &by, const QList<qint64> &deviceIds,
                                                        qint64 maxAgeSeconds) const
{
    if (auto ok = by.require(access::Permission::ViewFleet, m_workspace.clock()); !ok)
        return ok.error();
    QSet<qint64> out;
    if (maxAgeSeconds <= 0 || deviceIds.isEmpty())
        return out;
    QSqlDatabase db = m_workspace.database();
    store::AttestationRepository results(db);
    auto latest = results.latestResults(deviceIds);
    if (!latest)
        return latest.error();
    auto eids = store::DeviceRepository(db).withEids(deviceIds);
    if (!eids)
        return eids.error();
    const QDateTime now = m_workspace.clock().now();
    struct Candidate
    {
        qint64 deviceId;
        QString eid;
        const store::AttestationRecord *record;
        QByteArray presented; // the nonce the device signed, not the one the row claims
        bool affirmed = false;
    };
    std::vector<Candidate> candidates;
    QList<QByteArray> presented;
    for (const auto &[id, eid] : eids.value()) {
        const auto found = latest->constFind(id);
        // Only a row that claims a fresh affirming verdict is worth checking; anything else means
        // attesting again anyway.
        if (found == latest->cend() || tierFromName(found->verdict) != TrustTier::Affirming || !found->verifiedAt.isValid()
            || found->verifiedAt > now || found->verifiedAt.secsTo(now) > maxAgeSeconds)
            continue;
        const auto nonce = AttestationVerifier::peekNonce(found->evidence);
        if (!nonce)
            continue;
        candidates.push_back({ id, eid, &found.value(), *nonce });
        presented.append(*nonce);
    }
    if (candidates.empty())
        return out;
    auto issued = results.findNonces(presented);
    if (!issued)
        return issued.error();
    auto verifier = loadVerifier();
    if (!verifier)
        return verifier.error();
    // The device's signature, chain and claims checked again on every core, judged against the
    // time the row says the device answered (its signed clock must agree within the skew
    // allowed) and today's revocation lists.
    QtConcurrent::blockingMap(m_pool.get(), candidates, [&](Candidate &c) {
        const auto lookup = [&](const QByteArray &nonce) -> std::optional<IssuedNonce> {
            const auto n = issued->constFind(nonce);
            if (n == issued->cend() || n->deviceId != c.deviceId)
                return std::nullopt;
            return IssuedNonce { n->nonce, c.eid, n->issuedAt, n->expiresAt, false };
        };
        c.affirmed = verifier->verify(c.eid, c.record->evidence, lookup, now, c.record->verifiedAt).tier == TrustTier::Affirming;
    });
    for (const Candidate &c : candidates) {
        if (c.affirmed)
            out.insert(c.deviceId);
    }
    return out;
}

Result<AttestationVerifier> AttestationService::loadVerifier() const
{
    QSqlDatabase db = m_workspace.database();
    AttestationVerifier verifier;
    const auto certificates = store::CertificateRepository(db).list();
    if (!certificates)
        return certificates.error();
    QList<crypto::Certificate> anchors;
    QList<crypto::Certificate> manufacturers;
    for (const store::CertificateRecord &c : certificates.value()) {
        if (c.role == store::CertificateRoleName::ProfileServer)
            continue;
        auto cert = crypto::Certificate::fromDer(c.der);
        if (!cert)
            return fail(QStringLiteral("the stored certificate of %1 is damaged: %2").arg(c.name, cert.errorMessage()));
        (c.role == store::CertificateRoleName::CertificateIssuer ? anchors : manufacturers).append(cert.value());
    }
    const auto crls = store::RevocationListRepository(db).list();
    if (!crls)
        return crls.error();
    QList<crypto::RevocationList> lists;
    for (const store::RevocationListRecord &r : crls.value()) {
        if (auto crl = crypto::RevocationList::fromDer(r.der))
            lists.append(crl.value());
    }
    // A certificate issuer's current list covers the manufacturers it certified (SGP.22 section
    // 4.5.2.2): a manufacturer on it is not trusted, so its devices' chains lead nowhere.
    const QDateTime now = m_workspace.clock().now();
    QList<crypto::RevocationList> issuerLists;
    for (const crypto::RevocationList &list : lists) {
        if (std::any_of(anchors.cbegin(), anchors.cend(), [&](const crypto::Certificate &a) { return list.checkIssuedBy(a, now).ok(); }))
            issuerLists.append(list);
    }
    const auto revokedByIssuer = [&issuerLists](const crypto::Certificate &manufacturer) {
        return std::any_of(issuerLists.cbegin(), issuerLists.cend(),
                           [&](const crypto::RevocationList &list) { return list.lists(manufacturer); });
    };
    for (const crypto::Certificate &anchor : anchors)
        verifier.addTrustAnchor(anchor);
    for (const crypto::Certificate &manufacturer : manufacturers) {
        if (!revokedByIssuer(manufacturer))
            verifier.addManufacturer(manufacturer);
    }
    for (const crypto::RevocationList &list : lists)
        verifier.addRevocationList(list);
    const auto references = store::ReferenceValueRepository(db).list();
    if (!references)
        return references.error();
    for (const store::ReferenceValueRecord &r : references.value()) {
        ReferenceValue v { r.manufacturer, r.hwmodel, r.swname, r.swversion, {}, r.retiredAt.value_or(QDateTime()), r.oemid };
        for (const auto &[component, digest] : r.measurements)
            v.measurements.append({ component, digest });
        verifier.addReferenceValue(v);
    }
    return verifier;
}

Result<QList<DeviceAttestation>> AttestationService::attest(const access::Session &by,
                                                            const QList<std::pair<qint64, QString>> &devices,
                                                            const Progress &progress)
{
    if (auto ok = by.require(access::Permission::Attest, m_workspace.clock()); !ok)
        return ok.error();
    QList<qint64> ids;
    ids.reserve(devices.size());
    for (const auto &d : devices)
        ids.append(d.first);
    auto outside = store::DeviceRepository(m_workspace.database()).outsideScope(by.scope(), ids);
    if (!outside)
        return outside.error();
    // Out of scope looks exactly like absent (DESIGN.md "Access"): the answer FleetQueries gives
    // for an EID never enrolled, naming the first such device the caller named, never how many.
    if (!outside->isEmpty()) {
        const auto first = std::find_if(devices.cbegin(), devices.cend(),
                                        [&outside](const auto &d) { return d.first == outside->first(); });
        return fail(QStringLiteral("no device with EID %1 is enrolled").arg(first != devices.cend() ? first->second : QString()));
    }
    const store::AuditAuthor author = by.author();
    auto verifier = loadVerifier();
    if (!verifier)
        return verifier.error();
    const Clock &clock = m_workspace.clock();
    const QDateTime issuedAt = clock.now();

    // A fresh nonce per device, stored before any is sent (single use, short-lived).
    QHash<QByteArray, IssuedNonce> issued;
    std::vector<store::NonceRecord> nonces;
    nonces.reserve(std::size_t(devices.size()));
    for (const auto &[id, eid] : devices) {
        IssuedNonce n { issueNonce(issuedAt), eid, issuedAt, issuedAt.addSecs(m_options.nonceLifetimeSeconds), false };
        nonces.push_back({ n.nonce, id, n.issuedAt, n.expiresAt, std::nullopt });
        issued.insert(n.nonce, n);
    }
    auto stored = m_workspace.writer().run([&nonces](QSqlDatabase &db) -> Result<void> {
        store::AttestationRepository repository(db);
        for (const store::NonceRecord &n : nonces) {
            if (auto ok = repository.insertNonce(n); !ok)
                return ok;
        }
        return {};
    });
    if (!stored)
        return stored.error();

    // Ask every device at once; the answers are awaited against one deadline, so silent devices
    // cost one timeout in all, not one each.
    std::vector<std::unique_ptr<devices::DeviceLink>> links;
    std::vector<devices::Answer<QByteArray>> answers;
    links.reserve(std::size_t(devices.size()));
    answers.reserve(std::size_t(devices.size()));
    for (qsizetype i = 0; i < devices.size(); ++i) {
        links.push_back(m_links.linkTo(devices.at(i).second));
        answers.push_back(links.back()->attest(protocol::AttestationRequest { nonces[std::size_t(i)].nonce }.encode()));
    }
    const auto deadline = std::chrono::steady_clock::now() + m_options.answerTimeout;

    QList<DeviceAttestation> outcomes(devices.size());
    struct PendingWrite
    {
        std::future<Result<void>> done;
        qsizetype start;
        std::shared_ptr<QList<DeviceAttestation>> chunk;
    };
    std::vector<PendingWrite> writes;
    for (qsizetype start = 0; start < devices.size(); start += m_options.chunk) {
        const qsizetype end = std::min(devices.size(), start + qsizetype(m_options.chunk));
        std::vector<qsizetype> inChunk(std::size_t(end - start));
        std::iota(inChunk.begin(), inChunk.end(), start);
        // Collected in parallel: a simulated device that answers at once computes its evidence
        // (a signature) on the thread that collects the answer.
        QtConcurrent::blockingMap(m_pool.get(), inChunk, [&](qsizetype i) {
            DeviceAttestation &o = outcomes[i];
            o.deviceId = devices.at(i).first;
            o.eid = devices.at(i).second;
            o.issuedNonce = nonces[std::size_t(i)].nonce;
            const auto remaining = std::max(std::chrono::milliseconds(0),
                                            std::chrono::duration_cast<std::chrono::milliseconds>(
                                                deadline - std::chrono::steady_clock::now()));
            auto answer = devices::awaitAnswer(answers[std::size_t(i)], remaining, o.eid);
            if (!answer) {
                const bool silent = answer.errorMessage().contains(QStringLiteral("did not answer"));
                o.verdict = { TrustTier::None, silent ? QStringLiteral("no-answer") : QStringLiteral("device-error"),
                              silent ? QStringLiteral("The device did not answer within %1 s; check its power and "
                                                      "coverage, then attest it again.")
                                           .arg(double(m_options.answerTimeout.count()) / 1000.0)
                                     : QStringLiteral("The device could not produce evidence: %1.").arg(answer.errorMessage()) };
                return;
            }
            auto response = protocol::AttestationResponse::decode(answer.value());
            if (!response || response->error != protocol::AttestationResponse::ErrorCode::None) {
                o.verdict = { TrustTier::None, QStringLiteral("device-error"),
                              response ? QStringLiteral("The device refused to attest (error %1); try again later.")
                                             .arg(int(response->error))
                                       : QStringLiteral("The device's answer is not an attestation response: %1.")
                                             .arg(response.errorMessage()) };
                return;
            }
            o.evidence = response->evidence;
            o.presentedNonce = AttestationVerifier::peekNonce(o.evidence).value_or(QByteArray());
        });
        QHash<QByteArray, IssuedNonce> known; // nonces presented in this chunk that we did not just issue
        for (qsizetype i = start; i < end; ++i) {
            const QByteArray &presented = outcomes[i].presentedNonce;
            if (!presented.isEmpty() && !issued.contains(presented) && !known.contains(presented)) {
                QSqlDatabase db = m_workspace.database();
                auto found = store::AttestationRepository(db).findNonce(presented);
                if (found && found.value()) {
                    const store::NonceRecord &r = *found.value();
                    const auto owner = std::find_if(devices.cbegin(), devices.cend(),
                                                    [&r](const auto &d) { return d.first == r.deviceId; });
                    known.insert(presented, { r.nonce, owner != devices.cend() ? owner->second : QString(), r.issuedAt,
                                              r.expiresAt, r.usedAt.has_value() });
                }
            }
        }
        const QDateTime now = clock.now();
        const auto lookup = [&issued, &known](const QByteArray &nonce) -> std::optional<IssuedNonce> {
            if (const auto it = issued.constFind(nonce); it != issued.cend())
                return *it;
            if (const auto it = known.constFind(nonce); it != known.cend())
                return *it;
            return std::nullopt;
        };
        std::vector<qsizetype> toVerify;
        for (qsizetype i = start; i < end; ++i) {
            if (!outcomes[i].evidence.isEmpty())
                toVerify.push_back(i);
        }
        // Verification is the CPU-bound part: spread it over the cores.
        QtConcurrent::blockingMap(m_pool.get(), toVerify, [&](qsizetype i) {
            outcomes[i].verdict = verifier->verify(outcomes[i].eid, outcomes[i].evidence, lookup, now);
        });

        auto chunk = std::make_shared<QList<DeviceAttestation>>(outcomes.mid(start, end - start));
        auto done = m_workspace.writer().submit([chunk, now, author](QSqlDatabase &db) -> Result<void> {
            store::AttestationRepository repository(db);
            QList<qint64> chunkIds;
            for (const DeviceAttestation &o : *chunk)
                chunkIds.append(o.deviceId);
            auto held = store::CustodyRepository(db).heldBack(chunkIds);
            if (!held)
                return held.error();
            for (DeviceAttestation &o : *chunk) {
                if (!o.presentedNonce.isEmpty() && AttestationVerifier::consumedNonce(o.verdict)
                    && !repository.markNonceUsed(o.presentedNonce, now).ok())
                    o.verdict = { TrustTier::None, QStringLiteral("nonce-replayed"),
                                  QStringLiteral("The evidence answers a challenge that was already used: a replay. "
                                                 "Attest the device again.") };
                store::AttestationRecord record;
                record.deviceId = o.deviceId;
                record.nonce = o.issuedNonce;
                record.evidence = o.evidence;
                record.verdict = tierName(o.verdict.tier);
                record.reasonCode = o.verdict.reasonCode;
                record.message = o.verdict.message;
                record.verifiedAt = now;
                if (auto ok = repository.insertResult(record); !ok)
                    return ok.error();
                if (auto ok = recordConsequences(db, o, held->value(o.deviceId), now, author); !ok)
                    return ok;
            }
            return {};
        });
        writes.push_back({ std::move(done), start, chunk });
        if (progress)
            progress(end, devices.size());
    }
    // The stored verdicts are the ones returned: a nonce spent meanwhile turned a verdict into a
    // replay inside the writer's transaction.
    for (PendingWrite &w : writes) {
        if (auto ok = w.done.get(); !ok)
            return ok.error();
        for (qsizetype i = 0; i < w.chunk->size(); ++i)
            outcomes[w.start + i].verdict = w.chunk->at(i).verdict;
    }

    QHash<QString, int> tally;
    for (const DeviceAttestation &o : outcomes)
        ++tally[tierName(o.verdict.tier)];
    QJsonObject details { { QStringLiteral("devices"), qint64(devices.size()) } };
    for (auto it = tally.cbegin(); it != tally.cend(); ++it)
        details.insert(it.key(), it.value());
    store::AuditEntry entry;
    entry.at = clock.now();
    entry.action = QStringLiteral("attest");
    entry.subject = devices.size() == 1 ? QStringLiteral("device:") + devices.first().second
                                        : QStringLiteral("devices:%1").arg(devices.size());
    entry.details = QString::fromUtf8(QJsonDocument(details).toJson(QJsonDocument::Compact));
    if (auto ok = m_workspace.writer().run([entry, author](QSqlDatabase &db) -> Result<void> {
            auto seq = store::AuditLog::append(db, entry, author);
            return seq ? Result<void>() : Result<void>(seq.error());
        });
        !ok)
        return ok.error();
    qCInfo(lcAttestation) << "attested" << devices.size() << "devices:" << entry.details;
    return outcomes;
}

} // namespace simfleet::attestation
