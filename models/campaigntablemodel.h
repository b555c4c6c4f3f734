#pragma once

#include "campaigns/campaign.h"
#include "core/result.h"

#include "tablemodel.h"
#include <QList>

#include <functional>

namespace simfleet::models {
class AccessController;

// The workspace's campaigns with their state (an interrupted one shows as such) and outcome
// counts, read on the store thread.
class CampaignTableModel : public TableModel
{
    Q_OBJECT
public:
    enum Column { Id, Name, Kind, State, Devices, Succeeded, Failed, RolledBack, Skipped, Waiting, Seconds, ColumnCount };

    explicit CampaignTableModel(AccessController *access, QObject *parent = nullptr);
    void reload();
    const campaigns::CampaignSummary *campaignAt(int row) const;
    // A running campaign's counts as they change: its own row changes, nothing else (a
    // campaign not listed yet appears with the reload its start asks for).
    void updateProgress(const campaigns::CampaignProgress &progress);

    // The per-device outcomes of one campaign as CSV (no secrets), written on the store thread
    // as the logged-in user sees them; ends with reportWritten.
    void writeCsvReport(qint64 campaignId, const QString &path);
    // One campaign's summary as the logged-in user may see it, read on the store thread.
    void summaryFor(qint64 campaignId, QObject *context, std::function<void(const Result<campaigns::CampaignSummary> &)> done);


Q_SIGNALS:
    void reportWritten(bool ok, const QString &message);

private:
    int rows() const override;
    QVariant cell(int row, int column, int role) const override;
    QString columnTitle(int column) const override;
    QList<campaigns::CampaignSummary> m_campaigns;
};

} // namespace simfleet::models
