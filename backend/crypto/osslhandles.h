#pragma once

// Private to backend/crypto: RAII holders for every OpenSSL object the layer touches.
// Public headers only forward-declare OpenSSL types; .cpp files include this.

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/bio.h>
#include <openssl/param_build.h>

#include <QByteArray>

#include <memory>

namespace simfleet::crypto::ossl {

template<auto FreeFn>
struct Deleter
{
    template<typename T>
    void operator()(T *p) const { FreeFn(p); }
};

template<typename T, auto FreeFn>
using Handle = std::unique_ptr<T, Deleter<FreeFn>>;

using CipherCtx = Handle<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>;
using Cipher = Handle<EVP_CIPHER, EVP_CIPHER_free>;
using MdCtx = Handle<EVP_MD_CTX, EVP_MD_CTX_free>;
using Md = Handle<EVP_MD, EVP_MD_free>;
using Mac = Handle<EVP_MAC, EVP_MAC_free>;
using MacCtx = Handle<EVP_MAC_CTX, EVP_MAC_CTX_free>;
using Kdf = Handle<EVP_KDF, EVP_KDF_free>;
using KdfCtx = Handle<EVP_KDF_CTX, EVP_KDF_CTX_free>;
using PKey = Handle<EVP_PKEY, EVP_PKEY_free>;
using PKeyCtx = Handle<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using Bn = Handle<BIGNUM, BN_free>;
using BnCtx = Handle<BN_CTX, BN_CTX_free>;
using EcdsaSig = Handle<ECDSA_SIG, ECDSA_SIG_free>;
using EcGroup = Handle<EC_GROUP, EC_GROUP_free>;
using EcPoint = Handle<EC_POINT, EC_POINT_free>;
using ParamBld = Handle<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>;
using Params = Handle<OSSL_PARAM, OSSL_PARAM_free>;
using Bio = Handle<BIO, BIO_free_all>;
using X509Ptr = Handle<X509, X509_free>;
using X509Name = Handle<X509_NAME, X509_NAME_free>;
using X509Store = Handle<X509_STORE, X509_STORE_free>;
using X509StoreCtx = Handle<X509_STORE_CTX, X509_STORE_CTX_free>;
using X509Crl = Handle<X509_CRL, X509_CRL_free>;
using X509Revoked = Handle<X509_REVOKED, X509_REVOKED_free>;
using X509Extension = Handle<X509_EXTENSION, X509_EXTENSION_free>;
using Asn1Integer = Handle<ASN1_INTEGER, ASN1_INTEGER_free>;
using Asn1Time = Handle<ASN1_TIME, ASN1_TIME_free>;
using NameConstraints = Handle<NAME_CONSTRAINTS, NAME_CONSTRAINTS_free>;

inline void freeCertStack(STACK_OF(X509) *s) { sk_X509_pop_free(s, X509_free); }
using X509Stack = Handle<STACK_OF(X509), freeCertStack>;

// DER encoding through an OpenSSL i2d_* function (length query, then encode).
template<typename T, typename I2d>
QByteArray derBytes(T *object, I2d i2d)
{
    const int len = object ? i2d(object, nullptr) : 0;
    if (len <= 0)
        return {};
    QByteArray out(len, Qt::Uninitialized);
    auto *p = reinterpret_cast<unsigned char *>(out.data());
    i2d(object, &p);
    return out;
}

// Everything written to a memory BIO, e.g. by PEM_write_bio_*.
QByteArray memoryBioContents(BIO *bio);

// Fetched once per process: fetching an algorithm on every call is the main overhead a
// wrapper can add over bare OpenSSL (see tests/bench/bench_crypto).
const EVP_MD *sha256();
const EVP_CIPHER *aes128Cbc();
const EVP_CIPHER *aes256Cbc();
const EVP_CIPHER *aes128Ecb();
const EVP_CIPHER *aes256Gcm();

} // namespace simfleet::crypto::ossl
