#pragma once

#include "core/result.h"
#include "store/fleetstatistics.h"
#include "store/referencevaluerepository.h"

#include "tablemodel.h"
#include <QList>

#include <functional>

namespace simfleet::models {
class AccessController;

// The fleet by latest attestation verdict and reason, in the user's scope (Attestation page).
class VerdictTableModel : public TableModel
{
    Q_OBJECT
public:
    enum Column { Verdict, Reason, Devices, ColumnCount };

    explicit VerdictTableModel(AccessController *access, QObject *parent = nullptr);
    void reload();
    const store::VerdictReason *rowAt(int row) const;
    // The devices behind some rows, for attesting them again.
    void devicesFor(const QList<store::VerdictReason> &rows, QObject *context,
                    std::function<void(const Result<QList<qint64>> &)> done);


private:
    int rows() const override;
    QVariant cell(int row, int column, int role) const override;
    QString columnTitle(int column) const override;
    QList<store::VerdictReason> m_rows;
};

// Reference values per hardware model and software version; Administrators retire them.
class ReferenceValueTableModel : public TableModel
{
    Q_OBJECT
public:
    enum Column { Manufacturer, Model, Software, Version, Measurements, Added, Retired, ColumnCount };

    explicit ReferenceValueTableModel(AccessController *access, QObject *parent = nullptr);
    void reload();
    const store::ReferenceValueRecord *rowAt(int row) const;
    void retire(const QString &hwmodel, const QString &swversion);


Q_SIGNALS:
    void retired(bool ok, const QString &message);

private:
    int rows() const override;
    QVariant cell(int row, int column, int role) const override;
    QString columnTitle(int column) const override;
    QList<store::ReferenceValueRecord> m_rows;
};

} // namespace simfleet::models
