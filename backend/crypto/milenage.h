#pragma once

#include "core/result.h"
#include "secretbytes.h"

#include <QByteArray>

namespace simfleet::crypto {

// What a USIM with these credentials answers to one network challenge (3GPP TS 33.102
// section 6.3, functions of TS 35.206 section 4.1).
struct AkaVector
{
    QByteArray macA;   // f1, 8 bytes
    QByteArray macS;   // f1*, 8 bytes
    QByteArray res;    // f2, 8 bytes
    SecretBytes ck;    // f3, 16 bytes
    SecretBytes ik;    // f4, 16 bytes
    QByteArray ak;     // f5, 6 bytes
    QByteArray akStar; // f5*, 6 bytes
    QByteArray autn;   // (SQN xor AK) || AMF || MAC-A, 16 bytes
};

// The Milenage algorithm set (3GPP TS 35.205/35.206) for one subscriber key K and the
// operator's OPc.
class Milenage
{
public:
    static Result<Milenage> withOp(const SecretBytes &k, const SecretBytes &op);
    static Result<Milenage> withOpc(const SecretBytes &k, const SecretBytes &opc);

    // OPc = OP xor E_K(OP) (TS 35.206 section 4.1).
    static Result<SecretBytes> computeOpc(const SecretBytes &k, const SecretBytes &op);

    const SecretBytes &opc() const { return m_opc; }

    // rand 16 bytes, sqn 6 bytes, amf 2 bytes.
    Result<AkaVector> compute(QByteArrayView rand, QByteArrayView sqn, QByteArrayView amf) const;

    // The network side of resynchronisation (TS 33.102 section 6.3.5): checks MAC-S in
    // AUTS = (SQN_MS xor AK*) || MAC-S, computed with AMF 0000, and returns SQN_MS (6 bytes).
    Result<QByteArray> resynchronise(QByteArrayView rand, QByteArrayView auts) const;

    // The USIM side: builds AUTS for SQN_MS, so tests and simulated devices can answer a
    // synchronisation failure.
    Result<QByteArray> makeAuts(QByteArrayView rand, QByteArrayView sqnMs) const;

private:
    Milenage(SecretBytes k, SecretBytes opc);
    SecretBytes m_k;
    SecretBytes m_opc;
};

} // namespace simfleet::crypto
