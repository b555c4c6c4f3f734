#pragma once

#include "fleet/devicedetail.h"

#include <QTabWidget>

class QLabel;
class QPlainTextEdit;
class QTableWidget;

namespace simfleet::ui {

// One device in full (DESIGN.md "The GUI", Devices): identity and secure element, its profiles
// (never their secrets), attestation history with the latest evidence decoded and its
// certificate chain, campaign history and, for those who may read it, its audit trail.
class DeviceDetailPane : public QTabWidget
{
    Q_OBJECT
public:
    explicit DeviceDetailPane(QWidget *parent = nullptr);
    void show(const fleet::DeviceDetail &detail);
    void showMessage(const QString &message);

    QLabel *identity() const { return m_identity; }
    QTableWidget *profiles() const { return m_profiles; }
    QTableWidget *attestations() const { return m_attestations; }
    QPlainTextEdit *evidence() const { return m_evidence; }
    QTableWidget *campaigns() const { return m_campaigns; }
    QTableWidget *audit() const { return m_audit; }

private:
    QLabel *m_identity;
    QTableWidget *m_profiles;
    QTableWidget *m_attestations;
    QPlainTextEdit *m_evidence;
    QTableWidget *m_campaigns;
    QTableWidget *m_audit;
    QWidget *m_auditTab;
};

} // namespace simfleet::ui
