#pragma once

// A remote-provisioning PKI built straight with OpenSSL calls, sharing nothing with simfleet's
// crypto/demopki: what a real certificate issuer and manufacturer would hand over, including
// the malformed kinds trust onboarding must refuse. SGP.22 section 4.5.2.1 gives the profiles.

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <QByteArray>
#include <QString>

#include <ctime>
#include <memory>

namespace simfleet::testpki {

template<auto Free>
struct Deleter
{
    template<typename T>
    void operator()(T *p) const { Free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509_free>>;
using Crl = std::unique_ptr<X509_CRL, Deleter<X509_CRL_free>>;
using Name = std::unique_ptr<X509_NAME, Deleter<X509_NAME_free>>;
using Ext = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;
using Policies = std::unique_ptr<CERTIFICATEPOLICIES, Deleter<CERTIFICATEPOLICIES_free>>;
using Constraints = std::unique_ptr<NAME_CONSTRAINTS, Deleter<NAME_CONSTRAINTS_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using Time = std::unique_ptr<ASN1_TIME, Deleter<ASN1_TIME_free>>;

inline Key newKey()
{
    return Key(EVP_EC_gen("P-256"));
}

struct Issued
{
    Key key;
    Cert cert;
};

struct Spec
{
    const char *commonName = "";
    const char *organization = "";
    const char *policy = nullptr;          // id-rspRole-* OID, or none
    bool ca = false;
    int pathlen = -1;                      // with ca: -1 for no limit
    const char *keyUsage = "critical,digitalSignature";
    const char *eidPrefix = nullptr;       // EUM: permitted directoryName serialNumber
    long notBeforeDays = -1;               // relative to now
    long notAfterDays = 365;
    long serial = 1;
    const char *subjectSerialNumber = nullptr; // an eUICC's EID (SGP.22 section 4.5.2.1.0.3)
};

inline void addText(X509_NAME *name, const char *field, const char *value)
{
    if (value && *value)
        X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8, reinterpret_cast<const unsigned char *>(value), -1, -1, 0);
}

inline bool addConf(X509 *cert, X509V3_CTX *ctx, int nid, const char *value)
{
    Ext ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value));
    return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

// Signs spec with signer's key (self-signed when signer is null); the subject's key is a new one
// unless given (the certificate then holds that key and out.key stays empty).
inline Issued issue(const Spec &spec, const Issued *signer, EVP_PKEY *subjectKey = nullptr)
{
    Issued out { subjectKey ? Key() : newKey(), Cert(X509_new()) };
    X509 *x = out.cert.get();
    X509_set_version(x, X509_VERSION_3);
    ASN1_INTEGER_set(X509_get_serialNumber(x), spec.serial);
    Name subject(X509_NAME_new());
    addText(subject.get(), "C", "FR");
    addText(subject.get(), "O", spec.organization);
    addText(subject.get(), "CN", spec.commonName);
    if (spec.subjectSerialNumber)
        X509_NAME_add_entry_by_txt(subject.get(), "serialNumber", V_ASN1_PRINTABLESTRING,
                                   reinterpret_cast<const unsigned char *>(spec.subjectSerialNumber), -1, -1, 0);
    X509_set_subject_name(x, subject.get());
    X509_set_issuer_name(x, signer ? X509_get_subject_name(signer->cert.get()) : subject.get());
    time_t now = std::time(nullptr);
    Time from(X509_time_adj_ex(nullptr, int(spec.notBeforeDays), 0, &now));
    Time until(X509_time_adj_ex(nullptr, int(spec.notAfterDays), 0, &now));
    X509_set1_notBefore(x, from.get());
    X509_set1_notAfter(x, until.get());
    X509_set_pubkey(x, subjectKey ? subjectKey : out.key.get());

    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, signer ? signer->cert.get() : x, x, nullptr, nullptr, 0);
    const QByteArray basic = spec.ca ? (spec.pathlen >= 0 ? QByteArray("critical,CA:TRUE,pathlen:") + QByteArray::number(spec.pathlen)
                                                           : QByteArray("critical,CA:TRUE"))
                                     : QByteArray("critical,CA:FALSE");
    addConf(x, &ctx, NID_basic_constraints, basic.constData());
    addConf(x, &ctx, NID_key_usage, spec.keyUsage);
    addConf(x, &ctx, NID_subject_key_identifier, "hash");
    if (signer)
        addConf(x, &ctx, NID_authority_key_identifier, "keyid:always");
    if (spec.policy) {
        Policies policies(CERTIFICATEPOLICIES_new());
        POLICYINFO *info = POLICYINFO_new();
        ASN1_OBJECT_free(info->policyid);
        info->policyid = OBJ_txt2obj(spec.policy, 1);
        sk_POLICYINFO_push(policies.get(), info);
        X509_add1_ext_i2d(x, NID_certificate_policies, policies.get(), 1, X509V3_ADD_DEFAULT);
    }
    if (spec.eidPrefix) {
        // permittedSubtrees { directoryName { O = EUM, serialNumber = EID prefix } } (SGP.22
        // section 4.5.2.1.0.2).
        Constraints nc(NAME_CONSTRAINTS_new());
        nc->permittedSubtrees = sk_GENERAL_SUBTREE_new_null();
        GENERAL_SUBTREE *subtree = GENERAL_SUBTREE_new();
        X509_NAME *dir = X509_NAME_new();
        addText(dir, "O", spec.organization);
        X509_NAME_add_entry_by_txt(dir, "serialNumber", V_ASN1_PRINTABLESTRING,
                                   reinterpret_cast<const unsigned char *>(spec.eidPrefix), -1, -1, 0);
        subtree->base->type = GEN_DIRNAME;
        subtree->base->d.directoryName = dir;
        sk_GENERAL_SUBTREE_push(nc->permittedSubtrees, subtree);
        X509_add1_ext_i2d(x, NID_name_constraints, nc.get(), 1, X509V3_ADD_DEFAULT);
    }
    X509_sign(x, signer ? signer->key.get() : out.key.get(), EVP_sha256());
    return out;
}

inline Issued certificateIssuer(const char *name, long serial = 1)
{
    Spec s;
    s.commonName = name;
    s.organization = "Trustline Test Root";
    s.policy = "2.23.146.1.2.1.0";
    s.ca = true;
    s.keyUsage = "critical,keyCertSign,cRLSign";
    s.notAfterDays = 3650;
    s.serial = serial;
    return issue(s, nullptr);
}

inline Spec manufacturerSpec(const char *organization, const char *eidPrefix, long serial)
{
    Spec s;
    s.commonName = "EUM";
    s.organization = organization;
    s.policy = "2.23.146.1.2.1.2";
    s.ca = true;
    s.pathlen = 0;
    s.keyUsage = "critical,keyCertSign";
    s.eidPrefix = eidPrefix;
    s.notAfterDays = 1825;
    s.serial = serial;
    return s;
}

inline QByteArray der(const Issued &i)
{
    unsigned char *buf = nullptr;
    const int len = i2d_X509(i.cert.get(), &buf);
    QByteArray out(reinterpret_cast<const char *>(buf), len);
    OPENSSL_free(buf);
    return out;
}

inline QByteArray pem(const Issued &i)
{
    Bio bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_X509(bio.get(), i.cert.get());
    char *data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    return QByteArray(data, int(len));
}

inline QByteArray privateKeyPem(const Issued &i)
{
    Bio bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_PrivateKey(bio.get(), i.key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    char *data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    return QByteArray(data, int(len));
}

// A CRL in signer's name listing the given serials; signed with signingKey (signer's own unless
// a test wants a bad signature). DER.
inline QByteArray revocationList(const Issued &signer, EVP_PKEY *signingKey, std::initializer_list<long> serials,
                                 long thisUpdateDays = 0, long nextUpdateDays = 30)
{
    Crl crl(X509_CRL_new());
    X509_CRL_set_version(crl.get(), 1);
    X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(signer.cert.get()));
    time_t now = std::time(nullptr) - 60;
    Time thisUpdate(X509_time_adj_ex(nullptr, int(thisUpdateDays), 0, &now));
    Time nextUpdate(X509_time_adj_ex(nullptr, int(nextUpdateDays), 0, &now));
    X509_CRL_set1_lastUpdate(crl.get(), thisUpdate.get());
    X509_CRL_set1_nextUpdate(crl.get(), nextUpdate.get());
    for (long serial : serials) {
        X509_REVOKED *r = X509_REVOKED_new();
        ASN1_INTEGER *n = ASN1_INTEGER_new();
        ASN1_INTEGER_set(n, serial);
        X509_REVOKED_set_serialNumber(r, n);
        ASN1_INTEGER_free(n);
        X509_REVOKED_set_revocationDate(r, thisUpdate.get());
        X509_CRL_add0_revoked(crl.get(), r);
    }
    X509_CRL_sort(crl.get());
    X509_CRL_sign(crl.get(), signingKey ? signingKey : signer.key.get(), EVP_sha256());
    unsigned char *buf = nullptr;
    const int len = i2d_X509_CRL(crl.get(), &buf);
    QByteArray out(reinterpret_cast<const char *>(buf), len);
    OPENSSL_free(buf);
    return out;
}

} // namespace simfleet::testpki
