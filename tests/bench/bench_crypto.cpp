// Measures the cost of simfleet's OpenSSL wrapper: ECDSA P-256 sign and verify and ECDH
// through backend/crypto, next to the same OpenSSL 3 EVP calls made directly, in one run.
// Rounds alternate between the two so machine noise hits both alike; the median round
// counts. Usage: bench_crypto [--quick]

#include "crypto/ecdh.h"
#include "crypto/ecdsa.h"
#include "crypto/eckey.h"

#include <openssl/evp.h>

#include <QByteArray>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QList>
#include <QStringList>

#include <algorithm>
#include <cstdio>
#include <functional>

using namespace simfleet::crypto;

namespace {

int g_sink = 0; // keeps results observable so no call is optimised away

double opsPerSecond(const std::function<void()> &op, qint64 roundMs)
{
    QElapsedTimer timer;
    timer.start();
    qint64 count = 0;
    while (timer.elapsed() < roundMs) {
        for (int i = 0; i < 16; ++i)
            op();
        count += 16;
    }
    return double(count) * 1e9 / double(timer.nsecsElapsed());
}

double median(QList<double> values)
{
    std::sort(values.begin(), values.end());
    return values.at(values.size() / 2);
}

struct Pair
{
    const char *name;
    std::function<void()> wrapped;
    std::function<void()> direct;
};

void measure(const Pair &p, int rounds, qint64 roundMs)
{
    QList<double> wrapped;
    QList<double> direct;
    opsPerSecond(p.wrapped, roundMs / 4); // warm up both paths
    opsPerSecond(p.direct, roundMs / 4);
    for (int r = 0; r < rounds; ++r) {
        if (r % 2 == 0) {
            wrapped << opsPerSecond(p.wrapped, roundMs);
            direct << opsPerSecond(p.direct, roundMs);
        } else {
            direct << opsPerSecond(p.direct, roundMs);
            wrapped << opsPerSecond(p.wrapped, roundMs);
        }
    }
    const double w = median(wrapped);
    const double d = median(direct);
    std::printf("%-22s %12.0f %12.0f %9.3f %+8.1f%%\n", p.name, w, d, w / d, (d - w) / d * 100.0);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const bool quick = QCoreApplication::arguments().contains(QStringLiteral("--quick"));
    const int rounds = quick ? 1 : 9;
    const qint64 roundMs = quick ? 50 : 400;

    const EcPrivateKey own = EcPrivateKey::generate();
    const EcPrivateKey peer = EcPrivateKey::generate();
    const EcPublicKey ownPublic = own.publicKey();
    const EcPublicKey peerPublic = peer.publicKey();
    const QByteArray message(200, 'm'); // about the size of an SGP.22 signed data object
    const QByteArray signature = ecdsaSign(own, message, SignatureFormat::Der).value();
    const QByteArray rawSignature = ecdsaDerToRaw(signature).value();
    const auto *msg = reinterpret_cast<const unsigned char *>(message.constData());
    const auto *sig = reinterpret_cast<const unsigned char *>(signature.constData());

    const QList<Pair> pairs {
        { "ECDSA P-256 sign",
          [&] { g_sink += int(ecdsaSign(own, message, SignatureFormat::Der).value().size()); },
          [&] {
              EVP_MD_CTX *ctx = EVP_MD_CTX_new();
              unsigned char out[80];
              std::size_t len = sizeof out;
              EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, own.handle());
              EVP_DigestSign(ctx, out, &len, msg, std::size_t(message.size()));
              EVP_MD_CTX_free(ctx);
              g_sink += int(len);
          } },
        { "ECDSA P-256 verify",
          [&] { g_sink += ecdsaVerify(ownPublic, message, signature, SignatureFormat::Der).ok(); },
          [&] {
              EVP_MD_CTX *ctx = EVP_MD_CTX_new();
              EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, ownPublic.handle());
              g_sink += EVP_DigestVerify(ctx, sig, std::size_t(signature.size()), msg, std::size_t(message.size()));
              EVP_MD_CTX_free(ctx);
          } },
        { "ECDSA verify (r||s)",
          [&] { g_sink += ecdsaVerify(ownPublic, message, rawSignature, SignatureFormat::Raw).ok(); },
          [&] {
              EVP_MD_CTX *ctx = EVP_MD_CTX_new();
              EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, ownPublic.handle());
              g_sink += EVP_DigestVerify(ctx, sig, std::size_t(signature.size()), msg, std::size_t(message.size()));
              EVP_MD_CTX_free(ctx);
          } },
        { "ECDH P-256",
          [&] { g_sink += int(ecdh(own, peerPublic).value().size()); },
          [&] {
              EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, own.handle(), nullptr);
              unsigned char out[32];
              std::size_t len = sizeof out;
              EVP_PKEY_derive_init(ctx);
              EVP_PKEY_derive_set_peer_ex(ctx, peerPublic.handle(), 1);
              EVP_PKEY_derive(ctx, out, &len);
              EVP_PKEY_CTX_free(ctx);
              g_sink += int(len);
          } },
    };

    std::printf("simfleet crypto wrapper vs direct OpenSSL 3 EVP calls (%s, %d rounds of %lld ms, median)\n",
                OpenSSL_version(OPENSSL_VERSION), rounds, static_cast<long long>(roundMs));
    std::printf("%-22s %12s %12s %9s %9s\n", "operation", "simfleet/s", "openssl/s", "ratio", "cost");
    for (const Pair &p : pairs)
        measure(p, rounds, roundMs);
    return g_sink == 0 ? 1 : 0;
}
