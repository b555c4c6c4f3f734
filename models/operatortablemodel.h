#pragma once

#include "fleet/operatoronboarding.h"
#include "store/records.h"

#include "opinput.h"
#include "tablemodel.h"
#include <QDateTime>
#include <QHash>
#include <QList>

namespace simfleet::models {
class AccessController;

// The workspace's operators with their numbering and how much of it is used, and their policy
// (how fresh an attestation must be, fallback, whether profiles may be disabled). Read on the
// store thread; never a secret (OP stays sealed).
class OperatorTableModel : public TableModel
{
    Q_OBJECT
public:
    enum Column { Name, Country, Network, ImsiUsed, IccidUsed, AttestationAge, Fallback, Disable, ServerCertificate, ProfileTemplate, Status, ColumnCount };
    enum Role {
        UsedShareRole = Qt::UserRole + 1, // 0..1 for the range columns
    };

    explicit OperatorTableModel(AccessController *access, QObject *parent = nullptr);
    void reload();
    const store::OperatorRecord *operatorAt(int row) const;
    // Administrators: the operator's download policy, saved on the store thread; ends with policySaved.
    void setPolicy(qint64 operatorId, int attestationMaxAgeSeconds, bool fallbackAllowed, bool disableAllowed);
    // Administrators: where the IMSI and ICCID ranges end; ends with policySaved.
    void setRangeEnds(qint64 operatorId, qint64 msinLast, qint64 iccidLast);

    // Administrators (issue 18): onboards, edits or retires an operator on the store thread, where
    // an OP given as a file is read too; each ends with operatorSaved, carrying the backend's
    // refusal when there is one.
    void addOperator(const fleet::OperatorSpec &spec, const OpInput &op);
    // name: the operator as it is called now; op not given: it keeps its OP.
    void editOperator(const QString &name, const fleet::OperatorSpec &changed, const OpInput &op);
    void retireOperator(const QString &name);
    // Administrators (issue 19): the operator's own profile template from a file (read on the
    // store thread), or simfleet's built-in one when path is empty; ends with operatorSaved.
    void setProfileTemplate(const QString &name, const QString &path);
    // Its template as the next device would get it, secrets zeroed, into a new file; ends with
    // operatorSaved.
    void exportProfileTemplate(const QString &name, const QString &path);
    // Administrators (issue 20): activation codes for the operator's own profile server from a
    // CSV file, read and checked on the store thread; ends with operatorSaved, with how many were
    // imported and each refused row.
    void importActivationCodes(const QString &name, const QString &path);

Q_SIGNALS:
    void policySaved(bool ok, const QString &message);
    void operatorSaved(bool ok, const QString &message);

private:
    int rows() const override;
    QVariant cell(int row, int column, int role) const override;
    QString columnTitle(int column) const override;
    void saveOperator(std::function<Result<QString>(store::Workspace &, const access::Session &)> work);
    QList<store::OperatorRecord> m_operators;
    struct Server
    {
        QString name;
        QDateTime notAfter;
    };
    QHash<qint64, Server> m_servers; // the profile server certificate per operator
};

} // namespace simfleet::models
