#pragma once

#include <QWidget>

class QLabel;
class QPushButton;

namespace simfleet::models {
class AccessController;
class EnrollmentController;
}

namespace simfleet::ui {

class EnrollWizard;

// Enroll (DESIGN.md "The GUI"): imports a factory CSV through the wizard and says what was
// stored; when asked, hands the fleet on to be provisioned (provisionRequested).
class EnrollPage : public QWidget
{
    Q_OBJECT
public:
    EnrollPage(models::AccessController *access, QWidget *parent = nullptr);
    EnrollWizard *wizard() const { return m_wizard; }
    QLabel *result() const { return m_result; }
    void reload();
    void startImport();

Q_SIGNALS:
    void provisionRequested(const QString &fleet);
    void enrolled();

private:
    models::AccessController *m_access;
    models::EnrollmentController *m_controller;
    QPushButton *m_import;
    QLabel *m_result;
    EnrollWizard *m_wizard = nullptr;
    QString m_provisionAfter; // the fleet to provision once the devices are stored
};

} // namespace simfleet::ui
