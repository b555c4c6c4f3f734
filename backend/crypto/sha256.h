#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <memory>

namespace simfleet::crypto {

QByteArray sha256(QByteArrayView data);

// Incremental SHA-256 for data that arrives in parts (audit chain entries, measurements).
class Sha256
{
public:
    Sha256();
    ~Sha256();
    Sha256(Sha256 &&) noexcept;
    Sha256 &operator=(Sha256 &&) noexcept;

    Sha256 &add(QByteArrayView data);
    QByteArray finish();

private:
    struct State;
    std::unique_ptr<State> m_state;
};

} // namespace simfleet::crypto
