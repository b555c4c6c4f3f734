#pragma once

#include "core/result.h"
#include "crypto/secretbytes.h"

#include <QByteArray>
#include <QString>

namespace simfleet::store {
class Workspace;
struct OperatorRecord;
}
namespace simfleet::access {
class Session;
}

namespace simfleet::fleet {

// An operator as an Administrator describes it (issue 18): ranges as the first and last full
// IMSI and ICCID ("001011000000000-001011999999999"), country as an ISO 3166 alpha-2 code.
struct OperatorSpec
{
    QString name;
    QString country;
    QString mcc;
    QString mnc;
    QString imsiRange;
    QString iccidRange;
    QString spn; // service provider name; empty: the operator's name
};

enum class NeedsKey { No, Yes };
// The operator named, once `by` may manage operators (and, with NeedsKey::Yes, the workspace
// is unlocked to seal what the change brings); each refusal says what to do.
Result<store::OperatorRecord> operatorToChange(store::Workspace &workspace, const access::Session &by, const QString &name,
                                               NeedsKey needsKey);

// A profile server's certificate and key pairs as read from files (PEM or DER each).
struct ProfileServerImport
{
    QByteArray authCertificate;
    crypto::SecretBytes authKey;
    QByteArray bindingCertificate;
    crypto::SecretBytes bindingKey;
};

// Onboards, edits and retires operators (Administrators: ManageOperators). Each refusal is one
// sentence with what is wrong and what to do; each change is audited with what it was before
// and after, never with a secret. The OP and the profile server's keys are sealed bound to
// their rows as soon as the rows exist, in the same transaction.
class OperatorOnboarding
{
public:
    static Result<qint64> add(store::Workspace &workspace, const access::Session &by, const OperatorSpec &spec,
                              const crypto::SecretBytes &op);
    // `changed` is the whole operator after the edit (specOf() gives the one before). Once
    // numbers were issued only the range ends may move, and never below what was issued.
    // newOp, when given, replaces the OP (profiles issued already keep their OPc).
    static Result<void> edit(store::Workspace &workspace, const access::Session &by, const QString &name,
                             const OperatorSpec &changed, const crypto::SecretBytes *newOp = nullptr);
    // Refused while devices hold its profiles in any state but deleted.
    static Result<void> retire(store::Workspace &workspace, const access::Session &by, const QString &name);
    // Replaces the operator's profile server by the one whose certificates and keys are given;
    // each key must be the one its certificate was issued for.
    static Result<void> setProfileServer(store::Workspace &workspace, const access::Session &by, const QString &name,
                                         const ProfileServerImport &server);
    // A profile server that runs elsewhere (ES9+): its HOST:PORT and the root certificate
    // (PEM or DER) it chains to, stored for the relay to use.
    static Result<void> setRemoteProfileServer(store::Workspace &workspace, const access::Session &by, const QString &name,
                                               const QString &address, const QByteArray &rootCertificate);

    // The operator's own unpersonalised profile package (TCA format, DER), which its devices'
    // profiles are personalised from from now on; refused unless simfleet can personalise it.
    // Empty: back to simfleet's built-in template. Sealed like the OP (it may hold its security
    // domains' keys); the audit log keeps its type, size and SHA-256.
    static Result<void> setProfileTemplate(store::Workspace &workspace, const access::Session &by, const QString &name,
                                           const QByteArray &package);
    // The operator's template (or the built-in one) as its next device would get it, with every
    // secret zeroed (ProfileTemplate::withoutSecrets).
    static Result<QByteArray> exportProfileTemplate(store::Workspace &workspace, const access::Session &by,
                                                    const QString &name);

    static OperatorSpec specOf(const store::OperatorRecord &op);
};

// The numbering a spec describes, checked rule by rule (without the checks against other
// operators): name, country, MCC, MNC, IMSI and ICCID ranges.
Result<store::OperatorRecord> operatorFromSpec(const OperatorSpec &spec);

} // namespace simfleet::fleet
