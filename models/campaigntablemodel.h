#pragma once

#include "campaigns/campaign.h"

#include <QAbstractTableModel>
#include <QList>

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

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    void loaded();
    void loadFailed(const QString &message);

private:
    AccessController *m_access;
    QList<campaigns::CampaignSummary> m_campaigns;
};

} // namespace simfleet::models
