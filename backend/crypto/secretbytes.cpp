#include "secretbytes.h"
#include "constanttime.h"

#include <QByteArray>
#include <openssl/crypto.h>

#include <cstring>

namespace simfleet::crypto {

SecretBytes::SecretBytes(std::size_t size)
    : m_data(size ? std::make_unique<unsigned char[]>(size) : nullptr), m_size(size)
{
}

SecretBytes::SecretBytes(QByteArrayView bytes) : SecretBytes(std::size_t(bytes.size()))
{
    if (m_size)
        std::memcpy(m_data.get(), bytes.data(), m_size);
}

SecretBytes::SecretBytes(const SecretBytes &other) : SecretBytes(other.view()) { }

SecretBytes::SecretBytes(SecretBytes &&other) noexcept
    : m_data(std::move(other.m_data)), m_size(std::exchange(other.m_size, 0))
{
}

SecretBytes &SecretBytes::operator=(const SecretBytes &other)
{
    if (this != &other) {
        SecretBytes copy(other);
        *this = std::move(copy);
    }
    return *this;
}

SecretBytes &SecretBytes::operator=(SecretBytes &&other) noexcept
{
    if (this != &other) {
        wipe();
        m_data = std::move(other.m_data);
        m_size = std::exchange(other.m_size, 0);
    }
    return *this;
}

SecretBytes::~SecretBytes()
{
    wipe();
}

void SecretBytes::wipe()
{
    if (m_data)
        OPENSSL_cleanse(m_data.get(), m_size);
    m_data.reset();
    m_size = 0;
}

namespace {
int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}
} // namespace

SecretBytes SecretBytes::fromHex(QByteArrayView hex, bool *ok)
{
    *ok = false;
    if (hex.size() % 2 != 0)
        return {};
    SecretBytes out(std::size_t(hex.size() / 2));
    for (qsizetype i = 0; i < hex.size(); i += 2) {
        const int hi = hexValue(hex[i]);
        const int lo = hexValue(hex[i + 1]);
        if (hi < 0 || lo < 0)
            return {};
        out.m_data[std::size_t(i / 2)] = static_cast<unsigned char>(hi * 16 + lo);
    }
    *ok = true;
    return out;
}

QByteArrayView SecretBytes::view() const
{
    return QByteArrayView(m_data.get(), qsizetype(m_size));
}

bool SecretBytes::operator==(const SecretBytes &other) const
{
    return equalConstantTime(view(), other.view());
}

QByteArray revealAsHex(const SecretBytes &secret)
{
    return QByteArray(reinterpret_cast<const char *>(secret.data()), qsizetype(secret.size())).toHex();
}

void wipeBytes(QByteArray &bytes)
{
    if (!bytes.isEmpty())
        OPENSSL_cleanse(const_cast<char *>(bytes.constData()), std::size_t(bytes.size()));
    bytes.clear();
}

} // namespace simfleet::crypto
