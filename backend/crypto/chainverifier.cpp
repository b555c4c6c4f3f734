#include "chainverifier.h"
#include "cryptoerror.h"
#include "osslhandles.h"

#include <QHash>
#include <QMutex>

#include <openssl/evp.h>
#include <openssl/x509.h>

namespace simfleet::crypto {

namespace {

bool hasOnlyPermittedSubtrees(X509 *cert)
{
    ossl::NameConstraints nc(
        static_cast<NAME_CONSTRAINTS *>(X509_get_ext_d2i(cert, NID_name_constraints, nullptr, nullptr)));
    return nc && !nc->excludedSubtrees;
}

// What the EID check needs of a manufacturer certificate. Every device chain runs through the
// same few manufacturer certificates, so it is decoded once per certificate (by its SHA-256) and
// kept with the verifier's store instead of twice per verification. Kept here rather than as
// OpenSSL ex_data on the certificate: a certificate freed after OpenSSL's own clean-up at exit
// would skip the ex_data free callback and leak what it held.
struct ManufacturerFacts
{
    bool onlyPermittedSubtrees = false;
    std::optional<QString> eidPrefix;
    QString organization;
};

class ManufacturerFactsCache
{
public:
    ManufacturerFacts factsOf(X509 *manufacturer)
    {
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int length = 0;
        const bool digested = X509_digest(manufacturer, EVP_sha256(), digest, &length) == 1;
        const QByteArray key(reinterpret_cast<const char *>(digest), digested ? qsizetype(length) : 0);
        if (digested) {
            QMutexLocker lock(&m_mutex);
            if (const auto known = m_facts.constFind(key); known != m_facts.constEnd())
                return *known;
        }
        const Certificate cert = Certificate::share(manufacturer);
        ManufacturerFacts facts;
        facts.onlyPermittedSubtrees = hasOnlyPermittedSubtrees(manufacturer);
        facts.eidPrefix = cert.permittedEidPrefix();
        facts.organization = cert.subject().organization;
        if (digested) {
            QMutexLocker lock(&m_mutex);
            // Chains are built from trusted manufacturers, but a token may present others: bounded.
            if (m_facts.size() >= 1024)
                m_facts.clear();
            m_facts.insert(key, facts);
        }
        return facts;
    }

private:
    QMutex m_mutex;
    QHash<QByteArray, ManufacturerFacts> m_facts;
};

struct VerifyState
{
    QString eidRangeError;
    ManufacturerFactsCache *facts = nullptr;
};

Result<void> eidInRange(const DistinguishedName &device, const std::optional<QString> &prefix,
                        const QString &manufacturerOrganization, const Certificate &manufacturer)
{
    if (!prefix)
        return fail(QStringLiteral("manufacturer certificate %1 states no EID range").arg(manufacturer.subjectText()));
    if (device.serialNumber.isEmpty())
        return fail(QStringLiteral("device certificate carries no EID in its subject serialNumber"));
    if (!device.serialNumber.startsWith(*prefix))
        return fail(QStringLiteral("EID %1 lies outside the range %2… that manufacturer %3 may certify")
                        .arg(device.serialNumber, *prefix, manufacturerOrganization));
    if (device.organization != manufacturerOrganization)
        return fail(QStringLiteral("device certificate names manufacturer \"%1\" but was issued by \"%2\"")
                        .arg(device.organization, manufacturerOrganization));
    return {};
}

// OpenSSL compares directoryName constraints as a byte prefix of the whole encoded name, so it
// reports every EID as outside "serialNumber = 89049032". SGP.22 means a digit prefix of the
// EID: this callback replaces OpenSSL's verdict with that check, for that error only.
int verifyCallback(int ok, X509_STORE_CTX *ctx)
{
    if (ok || X509_STORE_CTX_get_error(ctx) != X509_V_ERR_PERMITTED_VIOLATION)
        return ok;
    auto *state = static_cast<VerifyState *>(X509_STORE_CTX_get_app_data(ctx));
    STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(ctx);
    const int depth = X509_STORE_CTX_get_error_depth(ctx);
    const Certificate subject = Certificate::share((sk_X509_value(chain, depth)));
    bool checkedAny = false;
    for (int j = depth + 1; j < sk_X509_num(chain); ++j) {
        X509 *ancestor = sk_X509_value(chain, j);
        if (X509_get_ext_by_NID(ancestor, NID_name_constraints, -1) < 0)
            continue;
        const ManufacturerFacts facts = state->facts->factsOf(ancestor);
        if (!facts.onlyPermittedSubtrees)
            return 0;
        if (auto inRange = eidInRange(subject.subject(), facts.eidPrefix, facts.organization, Certificate::share(ancestor));
            !inRange) {
            state->eidRangeError = inRange.errorMessage();
            return 0;
        }
        checkedAny = true;
    }
    if (checkedAny)
        X509_STORE_CTX_set_error(ctx, X509_V_OK);
    return checkedAny ? 1 : 0;
}

QString describe(int error, const Certificate &cert)
{
    const QString who = cert.isNull() ? QStringLiteral("a certificate") : cert.subjectText();
    switch (error) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
        return QStringLiteral("certificate of %1 expired on %2")
            .arg(who, cert.notAfter().toString(Qt::ISODate));
    case X509_V_ERR_CERT_NOT_YET_VALID:
        return QStringLiteral("certificate of %1 is not valid before %2")
            .arg(who, cert.notBefore().toString(Qt::ISODate));
    case X509_V_ERR_CERT_REVOKED:
        return QStringLiteral("certificate of %1 is revoked").arg(who);
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        return QStringLiteral("certificate of %1 does not chain to a trusted certificate issuer").arg(who);
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
        return QStringLiteral("signature on the certificate of %1 does not verify").arg(who);
    case X509_V_ERR_UNABLE_TO_GET_CRL:
        return QStringLiteral("no revocation list from the issuer of %1; import its CRL").arg(who);
    case X509_V_ERR_CRL_HAS_EXPIRED:
        return QStringLiteral("the revocation list covering %1 is out of date; import a newer CRL").arg(who);
    case X509_V_ERR_INVALID_CA:
        return QStringLiteral("%1 is used as a certificate authority but is not one").arg(who);
    case X509_V_ERR_PATH_LENGTH_EXCEEDED:
        return QStringLiteral("chain through %1 is longer than its issuer allows").arg(who);
    default:
        return QStringLiteral("certificate of %1 is not valid: %2")
            .arg(who, QString::fromUtf8(X509_verify_cert_error_string(error)));
    }
}

} // namespace

struct ChainVerifier::Store
{
    ossl::X509Store store;
    ManufacturerFactsCache facts;
};

ChainVerifier::ChainVerifier() = default;
ChainVerifier::~ChainVerifier() = default;

ChainVerifier::ChainVerifier(const ChainVerifier &other)
    : m_anchors(other.m_anchors), m_crls(other.m_crls), m_revocation(other.m_revocation), m_time(other.m_time)
{
    QMutexLocker lock(&other.m_storeMutex);
    m_store = other.m_store; // same trust material: the built store can be shared
}

ChainVerifier &ChainVerifier::operator=(const ChainVerifier &other)
{
    m_anchors = other.m_anchors;
    m_crls = other.m_crls;
    m_revocation = other.m_revocation;
    m_time = other.m_time;
    std::shared_ptr<Store> store;
    {
        QMutexLocker lock(&other.m_storeMutex);
        store = other.m_store;
    }
    QMutexLocker lock(&m_storeMutex);
    m_store = std::move(store);
    return *this;
}

void ChainVerifier::addTrustAnchor(const Certificate &anchor)
{
    m_anchors.append(anchor);
    QMutexLocker lock(&m_storeMutex);
    m_store.reset();
}

void ChainVerifier::addRevocationList(const RevocationList &list)
{
    m_crls.append(list);
    QMutexLocker lock(&m_storeMutex);
    m_store.reset();
}

Result<QList<Certificate>> ChainVerifier::verifyAt(const Certificate &leaf, const QList<Certificate> &intermediates,
                                                   const QDateTime &time) const
{
    if (leaf.isNull())
        return fail(QStringLiteral("no certificate to verify"));
    if (m_anchors.isEmpty())
        return fail(QStringLiteral("no trusted certificate issuer is configured"));
    if (!time.isValid())
        return fail(QStringLiteral("chain verification needs the current time"));

    std::shared_ptr<Store> shared;
    {
        QMutexLocker lock(&m_storeMutex);
        shared = m_store;
    }
    if (!shared) {
        shared = std::make_shared<Store>();
        shared->store.reset(X509_STORE_new());
        if (!shared->store)
            return fail(takeOpenSslError("chain verification setup failed"));
        for (const Certificate &anchor : m_anchors)
            X509_STORE_add_cert(shared->store.get(), anchor.handle());
        for (const RevocationList &crl : m_crls)
            X509_STORE_add_crl(shared->store.get(), crl.handle());
        QMutexLocker lock(&m_storeMutex);
        m_store = shared;
    }
    X509_STORE *store = shared->store.get();
    ossl::X509Stack untrusted(sk_X509_new_null());
    ossl::X509StoreCtx ctx(X509_STORE_CTX_new());
    if (!untrusted || !ctx)
        return fail(takeOpenSslError("chain verification setup failed"));
    for (const Certificate &c : intermediates) {
        if (!X509_up_ref(c.handle()) || !sk_X509_push(untrusted.get(), c.handle()))
            return fail(takeOpenSslError("chain verification setup failed"));
    }

    if (X509_STORE_CTX_init(ctx.get(), store, leaf.handle(), untrusted.get()) != 1)
        return fail(takeOpenSslError("chain verification setup failed"));
    unsigned long flags = X509_V_FLAG_X509_STRICT;
    if (m_revocation == RevocationCheck::Leaf)
        flags |= X509_V_FLAG_CRL_CHECK;
    else if (m_revocation == RevocationCheck::WholeChain)
        flags |= X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL;
    X509_STORE_CTX_set_flags(ctx.get(), flags);
    X509_STORE_CTX_set_time(ctx.get(), 0, time_t(time.toSecsSinceEpoch()));
    VerifyState state;
    state.facts = &shared->facts;
    X509_STORE_CTX_set_app_data(ctx.get(), &state);
    X509_STORE_CTX_set_verify_cb(ctx.get(), verifyCallback);

    if (X509_verify_cert(ctx.get()) != 1) {
        clearOpenSslErrors();
        if (!state.eidRangeError.isEmpty())
            return fail(state.eidRangeError);
        X509 *current = X509_STORE_CTX_get_current_cert(ctx.get());
        const Certificate cert = current ? Certificate::share((current)) : Certificate();
        return fail(describe(X509_STORE_CTX_get_error(ctx.get()), cert));
    }

    QList<Certificate> path;
    STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(ctx.get());
    for (int i = 0; i < sk_X509_num(chain); ++i)
        path.append(Certificate::share((sk_X509_value(chain, i))));
    return path;
}

Result<void> checkEidInManufacturerRange(const Certificate &device, const Certificate &manufacturer)
{
    return eidInRange(device.subject(), manufacturer.permittedEidPrefix(), manufacturer.subject().organization, manufacturer);
}

} // namespace simfleet::crypto
