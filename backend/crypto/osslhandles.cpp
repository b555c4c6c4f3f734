#include "osslhandles.h"

namespace simfleet::crypto::ossl {

QByteArray memoryBioContents(BIO *bio)
{
    char *data = nullptr;
    const long len = BIO_get_mem_data(bio, &data);
    return len > 0 ? QByteArray(data, qsizetype(len)) : QByteArray();
}

// Each algorithm is fetched once per process and freed during static destruction.

const EVP_MD *sha256()
{
    static const Md md(EVP_MD_fetch(nullptr, "SHA256", nullptr));
    return md.get();
}

const EVP_CIPHER *aes128Cbc()
{
    static const Cipher c(EVP_CIPHER_fetch(nullptr, "AES-128-CBC", nullptr));
    return c.get();
}

const EVP_CIPHER *aes256Cbc()
{
    static const Cipher c(EVP_CIPHER_fetch(nullptr, "AES-256-CBC", nullptr));
    return c.get();
}

const EVP_CIPHER *aes128Ecb()
{
    static const Cipher c(EVP_CIPHER_fetch(nullptr, "AES-128-ECB", nullptr));
    return c.get();
}

const EVP_CIPHER *aes256Gcm()
{
    static const Cipher c(EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr));
    return c.get();
}

} // namespace simfleet::crypto::ossl
