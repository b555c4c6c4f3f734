#pragma once

#include "store/records.h"

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
    enum Column { Name, Country, Network, ImsiUsed, IccidUsed, AttestationAge, Fallback, Disable, ServerCertificate, ColumnCount };
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


Q_SIGNALS:
    void policySaved(bool ok, const QString &message);

private:
    int rows() const override;
    QVariant cell(int row, int column, int role) const override;
    QString columnTitle(int column) const override;
    QList<store::OperatorRecord> m_operators;
    struct Server
    {
        QString name;
        QDateTime notAfter;
    };
    QHash<qint64, Server> m_servers; // the profile server certificate per operator
};

} // namespace simfleet::models
