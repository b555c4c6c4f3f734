#include "euiccpackages.h"

#include "crypto/certificate.h"
#include "crypto/ecdsa.h"
#include "store/eimrepository.h"

namespace simfleet::eim {

Result<protocol::EuiccPackageRequest> EuiccPackages::sign(QSqlDatabase &db, const QString &eid,
                                                          const QList<protocol::Psmo> &psmos,
                                                          const QByteArray &transactionId) const
{
    auto counter = store::EimRepository(db).takeCounter(eid);
    if (!counter)
        return counter.error();
    return signWithCounter(eid, counter.value(), psmos, transactionId);
}

Result<protocol::EuiccPackageRequest> EuiccPackages::signWithCounter(const QString &eid, qint64 counterValue,
                                                                     const QList<protocol::Psmo> &psmos,
                                                                     const QByteArray &transactionId) const
{
    protocol::EuiccPackageRequest request;
    request.content.eimId = m_identity.eimId();
    request.content.eid = eid;
    request.content.counterValue = counterValue;
    request.content.transactionId = transactionId;
    request.content.psmos = psmos;
    // SGP.32 section 2.11.1.1: eimSignature over euiccPackageSigned and the associationToken
    // data object; simfleet's eIM configuration carries no association token ('84 01 00').
    auto signature = crypto::ecdsaSign(m_identity.key(),
                                       protocol::EuiccPackageRequest::signedData(request.content.encode()),
                                       crypto::SignatureFormat::Raw);
    if (!signature)
        return signature.error();
    request.eimSignature = std::move(signature).value();
    return request;
}

Result<EuiccPackageOutcome> EuiccPackages::checkResult(const protocol::EuiccPackageRequest &sent, const QByteArray &answer,
                                                       const crypto::Certificate &euiccCertificate) const
{
    auto decoded = protocol::EuiccPackageResult::decode(answer);
    if (!decoded)
        return fail(QStringLiteral("device %1 answered its eUICC package with something unreadable: %2")
                        .arg(sent.content.eid, decoded.errorMessage()));
    return checkResult(sent, decoded.value(), euiccCertificate);
}

Result<EuiccPackageOutcome> EuiccPackages::checkResult(const protocol::EuiccPackageRequest &sent,
                                                       const protocol::EuiccPackageResult &decoded,
                                                       const crypto::Certificate &euiccCertificate) const
{
    const QString eid = sent.content.eid;
    const protocol::EuiccPackageResult *result = &decoded;
    if (const auto *unsignedError = std::get_if<protocol::EuiccPackageErrorUnsigned>(&result->content))
        return fail(QStringLiteral("device %1 could not verify the eUICC package as coming from eIM %2 (an unsigned error): "
                                   "its eUICC does not hold this eIM's key")
                        .arg(eid, unsignedError->eimId));
    // Which package the answer says it answers.
    QString eimId;
    qint64 counter = 0;
    QByteArray transactionId;
    if (const auto *data = std::get_if<protocol::EuiccPackageResultData>(&result->content)) {
        eimId = data->eimId;
        counter = data->counterValue;
        transactionId = data->transactionId;
    } else {
        const auto &error = std::get<protocol::EuiccPackageErrorData>(result->content);
        eimId = error.eimId;
        counter = error.counterValue;
        transactionId = error.transactionId;
    }
    if (eimId != m_identity.eimId() || counter != sent.content.counterValue || transactionId != sent.content.transactionId)
        return fail(QStringLiteral("device %1 sent a result for another eUICC package (eIM %2, counter %3) than the one "
                                   "it was sent (counter %4); it is ignored")
                        .arg(eid, eimId)
                        .arg(counter)
                        .arg(sent.content.counterValue));
    // SGP.32 section 2.11.2.1: euiccSignEPR (or EPE) over the data and the request's signature,
    // so a result cannot be passed off as the answer to another package.
    const QByteArray covered = protocol::EuiccPackageResult::signedData(result->receivedSigned, sent.eimSignature);
    if (auto verified = crypto::ecdsaVerify(euiccCertificate.publicKey(), covered, result->euiccSignature,
                                            crypto::SignatureFormat::Raw);
        !verified)
        return fail(QStringLiteral("device %1's eUICC package result is not signed by its eUICC (%2); it is ignored")
                        .arg(eid, verified.errorMessage()));
    EuiccPackageOutcome outcome;
    if (const auto *data = std::get_if<protocol::EuiccPackageResultData>(&result->content)) {
        outcome.results = data->results;
        outcome.seqNumber = data->seqNumber;
    } else {
        outcome.refusedWith = std::get<protocol::EuiccPackageErrorData>(result->content).code;
    }
    return outcome;
}

} // namespace simfleet::eim
