#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <cstddef>
#include <memory>

namespace simfleet::crypto {

// Key material (Ki, OP, OPc, private scalars, data keys, derived session keys).
// The buffer is its own (never implicitly shared), copies are deep, and every copy is wiped
// with OPENSSL_cleanse when it goes away. It has no text form: there is no toHex() and
// streaming it to QDebug does not compile.
class SecretBytes
{
public:
    SecretBytes() = default;
    explicit SecretBytes(std::size_t size);
    explicit SecretBytes(QByteArrayView bytes);
    SecretBytes(const SecretBytes &other);
    SecretBytes(SecretBytes &&other) noexcept;
    SecretBytes &operator=(const SecretBytes &other);
    SecretBytes &operator=(SecretBytes &&other) noexcept;
    ~SecretBytes();

    // Parses hex (upper or lower case); empty result and ok=false on bad input. The input
    // string is the caller's to wipe.
    static SecretBytes fromHex(QByteArrayView hex, bool *ok);

    std::size_t size() const { return m_size; }
    bool isEmpty() const { return m_size == 0; }
    unsigned char *data() { return m_data.get(); }
    const unsigned char *data() const { return m_data.get(); }
    QByteArrayView view() const;

    // Constant-time equality.
    bool operator==(const SecretBytes &other) const;

private:
    void wipe();
    std::unique_ptr<unsigned char[]> m_data;
    std::size_t m_size = 0;
};

// No stream of any kind (QDebug, QTextStream, std::ostream) accepts a secret.
template<typename Stream>
Stream operator<<(Stream, const SecretBytes &) = delete;
template<typename Stream>
Stream &operator<<(Stream &, const SecretBytes &) = delete;

// The one way a secret leaves as hex: only for a tool whose user supplied the inputs and
// asked for the derived value (simfleet-cli aka). Never for logs, exports or the GUI.
QByteArray revealAsHex(const SecretBytes &secret);

// Overwrites a buffer that briefly held secret material (an encoding being built) before it is
// freed; the bytes are wiped in place even when the array is shared.
void wipeBytes(QByteArray &bytes);

} // namespace simfleet::crypto
