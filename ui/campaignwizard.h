#pragma once

#include "campaignrunner.h"

#include <QWizard>

class QButtonGroup;
class QCheckBox;
class QDateTimeEdit;
class QComboBox;
class QLabel;
class QLineEdit;
class QRadioButton;
class QSpinBox;
class QTimer;

namespace simfleet::ui {

// A new campaign (DESIGN.md "The GUI", Campaigns): which devices (a fleet, or a filter such as
// "operator=Rheinfunk and model=MeterOne M2"), the operator they move to and optionally a new
// owning customer, then how to roll it out. The device count is asked of the backend as the
// selection changes, within what the user may see; nothing is created before Finish.
class CampaignWizard : public QWizard
{
    Q_OBJECT
public:
    enum PageId { DevicesPageId, TargetPageId, RolloutPageId, ConfirmPageId };

    CampaignWizard(models::CampaignRunner *runner, const models::CampaignChoices &choices, QWidget *parent = nullptr);
    models::CampaignPlan plan() const;
    // The devices picked on the Devices page: a change (or provisioning) of exactly those.
    void presetDevices(const QList<qint64> &deviceIds, campaigns::CampaignKind kind = campaigns::CampaignKind::SubscriptionChange);
    // The Devices page's current filter, as the selection.
    void presetFilter(const QString &filter);
    qint64 deviceCount() const { return m_count; }

    // For tests and keyboard users alike: the controls by name.
    QRadioButton *changeButton() const { return m_change; }
    QRadioButton *provisionButton() const { return m_provision; }
    QRadioButton *byFleetButton() const { return m_byFleet; }
    QRadioButton *byFilterButton() const { return m_byFilter; }
    QRadioButton *byFileButton() const { return m_byFile; }
    QLineEdit *fileField() const { return m_file; }
    QComboBox *fleetBox() const { return m_fleet; }
    QLineEdit *filterField() const { return m_filter; }
    QComboBox *operatorBox() const { return m_operator; }
    QComboBox *customerBox() const { return m_customer; }
    QSpinBox *batchBox() const { return m_batch; }
    QSpinBox *canaryBox() const { return m_canary; }
    QCheckBox *laterBox() const { return m_later; }
    QDateTimeEdit *startAtEdit() const { return m_startAt; }
    QCheckBox *traceBox() const { return m_trace; }
    QLineEdit *traceDirectoryField() const { return m_traceDirectory; }
    QComboBox *reachBox() const { return m_reach; }
    QComboBox *deadlineBox() const { return m_deadline; }

private:
    class DevicesPage;
    void recount();

    models::CampaignRunner *m_runner;
    QRadioButton *m_provision;
    QRadioButton *m_change;
    QRadioButton *m_byFleet;
    QRadioButton *m_byFilter;
    QRadioButton *m_byFile;
    QLineEdit *m_file;
    QComboBox *m_fleet;
    QLineEdit *m_filter;
    QLabel *m_countLabel;
    QComboBox *m_operator;
    QComboBox *m_customer;
    QLineEdit *m_name;
    QSpinBox *m_batch;
    QSpinBox *m_concurrency;
    QSpinBox *m_rate;
    QSpinBox *m_canary;
    QSpinBox *m_minSuccess;
    QSpinBox *m_timeout;
    QDateTimeEdit *m_startAt;
    QCheckBox *m_later;
    QCheckBox *m_trace;
    QComboBox *m_reach;    // where the devices are: the simulated field, or the network (SGP.32)
    QComboBox *m_deadline; // on the network: how long the campaign waits for them to check in
    QLineEdit *m_traceDirectory;
    QLabel *m_summary;
    QTimer *m_recount;
    qint64 m_count = -1;
    QList<qint64> m_preset;
    bool m_counting = false;
};

} // namespace simfleet::ui
