#include "milenage.h"
#include "cryptoerror.h"
#include "constanttime.h"
#include "osslhandles.h"

#include <openssl/crypto.h>

#include <array>

namespace simfleet::crypto {

namespace {

// Every intermediate of a run derives from K or OPc (OPc itself, TEMP, OUT3 = CK, OUT4 = IK), so
// each block, temporaries included, wipes itself when it goes away.
struct Block : std::array<unsigned char, 16>
{
    ~Block() { OPENSSL_cleanse(data(), size()); }
};

// One AES-128 key schedule reused for the six block encryptions of a Milenage run.
class BlockCipher
{
public:
    explicit BlockCipher(const SecretBytes &key) : m_ctx(EVP_CIPHER_CTX_new())
    {
        m_ok = m_ctx && EVP_EncryptInit_ex2(m_ctx.get(), ossl::aes128Ecb(), key.data(), nullptr, nullptr) == 1
            && EVP_CIPHER_CTX_set_padding(m_ctx.get(), 0) == 1;
    }
    bool ok() const { return m_ok; }
    Block encrypt(const Block &in)
    {
        Block out {};
        int len = 0;
        if (EVP_EncryptUpdate(m_ctx.get(), out.data(), &len, in.data(), int(in.size())) != 1 || len != 16)
            m_ok = false;
        return out;
    }

private:
    ossl::CipherCtx m_ctx;
    bool m_ok = false;
};

Block toBlock(QByteArrayView v)
{
    Block b {};
    std::copy_n(reinterpret_cast<const unsigned char *>(v.data()), 16, b.begin());
    return b;
}

Block toBlock(const SecretBytes &s)
{
    return toBlock(s.view());
}

Block xorBlocks(const Block &a, const Block &b)
{
    Block out {};
    for (std::size_t i = 0; i < out.size(); ++i)
        out[i] = a[i] ^ b[i];
    return out;
}

// Cyclic left rotation by a whole number of bytes (r1..r5 are multiples of 8 bits).
Block rotate(const Block &x, std::size_t bytes)
{
    Block out {};
    for (std::size_t i = 0; i < out.size(); ++i)
        out[i] = x[(i + bytes) % out.size()];
    return out;
}

// c1..c5 of TS 35.206 section 4.1: zero except the last byte.
Block constant(unsigned char last)
{
    Block c {};
    c[15] = last;
    return c;
}

QByteArray slice(const Block &b, std::size_t offset, std::size_t length)
{
    return QByteArray(reinterpret_cast<const char *>(b.data() + offset), qsizetype(length));
}

Result<void> checkLength(QByteArrayView v, qsizetype expected, const char *field)
{
    if (v.size() != expected)
        return fail(QStringLiteral("%1 must be %2 bytes, got %3")
                        .arg(QLatin1StringView(field))
                        .arg(expected)
                        .arg(v.size()));
    return {};
}

struct Outputs
{
    Block out1, out2, out3, out4, out5;
};

Result<Outputs> run(const SecretBytes &k, const SecretBytes &opcBytes, QByteArrayView rand, QByteArrayView sqn,
                    QByteArrayView amf)
{
    BlockCipher cipher(k);
    if (!cipher.ok())
        return fail(takeOpenSslError("Milenage AES setup failed"));
    const Block opc = toBlock(opcBytes);
    const Block temp = cipher.encrypt(xorBlocks(toBlock(rand), opc));

    Block in1 {};
    for (std::size_t half = 0; half < 2; ++half) {
        std::copy_n(reinterpret_cast<const unsigned char *>(sqn.data()), 6, in1.begin() + half * 8);
        std::copy_n(reinterpret_cast<const unsigned char *>(amf.data()), 2, in1.begin() + half * 8 + 6);
    }
    Outputs o;
    // r1 = 64, c1 = 0
    o.out1 = xorBlocks(cipher.encrypt(xorBlocks(temp, rotate(xorBlocks(in1, opc), 8))), opc);
    const Block tempOpc = xorBlocks(temp, opc);
    // r2 = 0, c2 = 1; r3 = 32, c3 = 2; r4 = 64, c4 = 4; r5 = 96, c5 = 8
    o.out2 = xorBlocks(cipher.encrypt(xorBlocks(rotate(tempOpc, 0), constant(1))), opc);
    o.out3 = xorBlocks(cipher.encrypt(xorBlocks(rotate(tempOpc, 4), constant(2))), opc);
    o.out4 = xorBlocks(cipher.encrypt(xorBlocks(rotate(tempOpc, 8), constant(4))), opc);
    o.out5 = xorBlocks(cipher.encrypt(xorBlocks(rotate(tempOpc, 12), constant(8))), opc);
    if (!cipher.ok())
        return fail(takeOpenSslError("Milenage AES failed"));
    return o;
}

QByteArray xorBytes(QByteArrayView a, QByteArrayView b)
{
    QByteArray out(a.size(), Qt::Uninitialized);
    for (qsizetype i = 0; i < a.size(); ++i)
        out[i] = char(a[i] ^ b[i]);
    return out;
}

} // namespace

Milenage::Milenage(SecretBytes k, SecretBytes opc) : m_k(std::move(k)), m_opc(std::move(opc)) { }

Result<SecretBytes> Milenage::computeOpc(const SecretBytes &k, const SecretBytes &op)
{
    if (auto ok = checkLength(k.view(), 16, "K"); !ok)
        return ok.error();
    if (auto ok = checkLength(op.view(), 16, "OP"); !ok)
        return ok.error();
    BlockCipher cipher(k);
    if (!cipher.ok())
        return fail(takeOpenSslError("Milenage AES setup failed"));
    Block opc = xorBlocks(cipher.encrypt(toBlock(op)), toBlock(op));
    SecretBytes out(QByteArrayView(opc.data(), 16));
    OPENSSL_cleanse(opc.data(), opc.size());
    return out;
}

Result<Milenage> Milenage::withOp(const SecretBytes &k, const SecretBytes &op)
{
    auto opc = computeOpc(k, op);
    if (!opc)
        return opc.error();
    return Milenage(k, std::move(opc).value());
}

Result<Milenage> Milenage::withOpc(const SecretBytes &k, const SecretBytes &opc)
{
    if (auto ok = checkLength(k.view(), 16, "K"); !ok)
        return ok.error();
    if (auto ok = checkLength(opc.view(), 16, "OPc"); !ok)
        return ok.error();
    return Milenage(k, opc);
}

Result<AkaVector> Milenage::compute(QByteArrayView rand, QByteArrayView sqn, QByteArrayView amf) const
{
    if (auto ok = checkLength(rand, 16, "RAND"); !ok)
        return ok.error();
    if (auto ok = checkLength(sqn, 6, "SQN"); !ok)
        return ok.error();
    if (auto ok = checkLength(amf, 2, "AMF"); !ok)
        return ok.error();
    auto outputs = run(m_k, m_opc, rand, sqn, amf);
    if (!outputs)
        return outputs.error();
    const Outputs &o = outputs.value();
    AkaVector v;
    v.macA = slice(o.out1, 0, 8);
    v.macS = slice(o.out1, 8, 8);
    v.ak = slice(o.out2, 0, 6);
    v.res = slice(o.out2, 8, 8);
    v.ck = SecretBytes(QByteArrayView(o.out3.data(), 16));
    v.ik = SecretBytes(QByteArrayView(o.out4.data(), 16));
    v.akStar = slice(o.out5, 0, 6);
    v.autn = QByteArray(xorBytes(sqn, v.ak) + amf.toByteArray() + v.macA);
    return v;
}

Result<QByteArray> Milenage::makeAuts(QByteArrayView rand, QByteArrayView sqnMs) const
{
    static const char resyncAmf[2] = { 0, 0 };
    auto v = compute(rand, sqnMs, QByteArrayView(resyncAmf, 2));
    if (!v)
        return v.error();
    return QByteArray(xorBytes(sqnMs, v->akStar) + v->macS);
}

Result<QByteArray> Milenage::resynchronise(QByteArrayView rand, QByteArrayView auts) const
{
    if (auto ok = checkLength(auts, 14, "AUTS"); !ok)
        return ok.error();
    static const char zeros[6] = {};
    // AK* depends on RAND only, so any SQN yields it.
    auto first = compute(rand, QByteArrayView(zeros, 6), QByteArrayView(zeros, 2));
    if (!first)
        return first.error();
    const QByteArray sqnMs = xorBytes(auts.first(6), first->akStar);
    auto expected = makeAuts(rand, sqnMs);
    if (!expected)
        return expected.error();
    if (!equalConstantTime(expected.value(), auts))
        return fail(QStringLiteral("AUTS does not verify: MAC-S does not match these credentials"));
    return sqnMs;
}

} // namespace simfleet::crypto
