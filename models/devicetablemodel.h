#pragma once

#include "store/devicerepository.h"
#include "store/records.h"
#include "fleet/devicedetail.h"
#include "core/result.h"

#include <functional>

#include "tablemodel.h"
#include <QList>

namespace simfleet::models {
class AccessController;

// The device list (DESIGN.md "The GUI": fast at a million devices): rows are fetched from SQL a
// page at a time as the view scrolls (fetchMore), filtered and sorted in SQL, always on the store
// thread; the model only ever holds the pages seen so far and never waits on the database.
class DeviceTableModel : public TableModel
{
    Q_OBJECT
public:
    enum Column { Eid, Imei, Label, Customer, Fleet, Operator, Iccid, Attestation, Model, SecureElement, ColumnCount };
    enum Role {
        DeviceIdRole = Qt::UserRole, // the device's id, for selections
    };
    static constexpr int pageSize = 256;

    explicit DeviceTableModel(AccessController *access, QObject *parent = nullptr);

    // A filter in DeviceFilter's syntax (empty: all) and free text over EID, IMEI and label.
    // Returns the filter's error message, or an empty string when it was accepted.
    QString setFilter(const QString &filter, const QString &search);
    void reload();
    qint64 deviceIdAt(int row) const;

    // One device's detail as the logged-in user may see it, read on the store thread.
    void detailFor(qint64 deviceId, QObject *context, std::function<void(const Result<fleet::DeviceDetail> &)> done);
    // The whole filtered, sorted list as CSV (no secrets), written on the store thread a page at
    // a time; ends with exported.
    void exportCsv(const QString &path);

    qint64 totalCount() const { return m_total; }
    bool isCounted() const { return m_counted; }
    bool isLoading() const { return m_pending > 0; }

    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

Q_SIGNALS:
    void totalCountChanged(qint64 total);
    void exported(bool ok, const QString &message);

private:
    int rows() const override;
    QVariant cell(int row, int column, int role) const override;
    QString columnTitle(int column) const override;
    store::DeviceRepository::PageQuery m_query;
    QList<store::DeviceOverview> m_rows;
    qint64 m_total = 0;     // from the count once it arrives; the rows so far until then
    bool m_counted = false;
    bool m_endReached = false;
    int m_pending = 0;
    quint64 m_generation = 0; // answers to an older query are dropped
    bool m_fetching = false;
};

} // namespace simfleet::models
