#pragma once

#include "core/result.h"
#include "store/fleetstatistics.h"
#include "store/referencevaluerepository.h"

#include <QAbstractTableModel>
#include <QList>

#include <functional>

namespace simfleet::models {
class AccessController;

// The fleet by latest attestation verdict and reason, in the user's scope (Attestation page).
class VerdictTableModel : public QAbstractTableModel
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

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    void loaded();
    void loadFailed(const QString &message);

private:
    AccessController *m_access;
    QList<store::VerdictReason> m_rows;
};

// Reference values per hardware model and software version; Administrators retire them.
class ReferenceValueTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Manufacturer, Model, Software, Version, Measurements, Added, Retired, ColumnCount };

    explicit ReferenceValueTableModel(AccessController *access, QObject *parent = nullptr);
    void reload();
    const store::ReferenceValueRecord *rowAt(int row) const;
    void retire(const QString &hwmodel, const QString &swversion);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    void loaded();
    void loadFailed(const QString &message);
    void retired(bool ok, const QString &message);

private:
    AccessController *m_access;
    QList<store::ReferenceValueRecord> m_rows;
};

} // namespace simfleet::models
