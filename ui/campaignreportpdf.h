#pragma once

#include "campaigns/campaign.h"
#include "core/result.h"

#include <QImage>
#include <QString>

namespace simfleet::ui {

// The outcome counts as a bar chart, drawn with Qt Charts on the GUI thread.
QImage campaignOutcomeChart(const campaigns::CampaignSummary &summary);

// A campaign's report as PDF (DESIGN.md "The GUI", Campaigns): what it did, its outcomes as a
// chart and by reason, and, when it ran in this window, its progress over time. No secrets:
// the summary holds none. Written whole or not at all. Text and pictures only, so it may run off
// the GUI thread.
Result<void> writeCampaignReportPdf(const QString &path, const campaigns::CampaignSummary &summary,
                                    const QString &workspaceName, const QString &user, const QImage &outcomes,
                                    const QImage &timeline);

} // namespace simfleet::ui
