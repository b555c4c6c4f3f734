#pragma once

#include "campaigns/campaign.h"
#include "core/result.h"

#include <QAbstractTableModel>
#include <QList>

#include <functional>

namespace simfleet::models {
class AccessController;

// The workspace's campaigns with their state (an interrupted one shows as such) and outcome
// counts, read on the store thread.
class CampaignTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Id, Name, Kind, State, Devices, Succeeded, Failed, RolledBack, Skipped, Seconds, ColumnCount };

    explicit CampaignTableModel(AccessController *access, QObject *parent = nullptr);
    void reload();
    const campaigns::CampaignSummary *campaignAt(int row) const;

    // The per-device outcomes of one campaign as CSV (no secrets), written on the store thread
    // as the logged-in user sees them; ends with reportWritten.
    void writeCsvReport(qint64 campaignId, const QString &path);
    // One campaign's summary as the logged-in user may see it, read on the store thread.
    void summaryFor(qint64 campaignId, QObject *context, std::function<void(const Result<campaigns::CampaignSummary> &)> done);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    void loaded();
    void loadFailed(const QString &message);
    void reportWritten(bool ok, const QString &message);

private:
    AccessController *m_access;
    QList<campaigns::CampaignSummary> m_campaigns;
};

} // namespace simfleet::models
