#include "sha256.h"
#include "osslhandles.h"

namespace simfleet::crypto {

QByteArray sha256(QByteArrayView data)
{
    QByteArray out(32, Qt::Uninitialized);
    unsigned int len = 0;
    if (EVP_Digest(data.data(), std::size_t(data.size()), reinterpret_cast<unsigned char *>(out.data()),
                   &len, ossl::sha256(), nullptr) != 1)
        qFatal("simfleet: SHA-256 failed");
    return out;
}

struct Sha256::State
{
    ossl::MdCtx ctx { EVP_MD_CTX_new() };
};

Sha256::Sha256() : m_state(std::make_unique<State>())
{
    if (!m_state->ctx || EVP_DigestInit_ex2(m_state->ctx.get(), ossl::sha256(), nullptr) != 1)
        qFatal("simfleet: SHA-256 initialisation failed");
}

Sha256::~Sha256() = default;
Sha256::Sha256(Sha256 &&) noexcept = default;
Sha256 &Sha256::operator=(Sha256 &&) noexcept = default;

Sha256 &Sha256::add(QByteArrayView data)
{
    EVP_DigestUpdate(m_state->ctx.get(), data.data(), std::size_t(data.size()));
    return *this;
}

QByteArray Sha256::finish()
{
    QByteArray out(32, Qt::Uninitialized);
    unsigned int len = 0;
    EVP_DigestFinal_ex(m_state->ctx.get(), reinterpret_cast<unsigned char *>(out.data()), &len);
    EVP_DigestInit_ex2(m_state->ctx.get(), ossl::sha256(), nullptr);
    return out;
}

} // namespace simfleet::crypto
