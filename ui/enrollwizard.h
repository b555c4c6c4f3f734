#pragma once

#include "fleet/enrollment.h"

#include <QWizard>

#include <memory>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;

namespace simfleet::models {
class EnrollmentController;
class EnrollmentPreviewModel;
}

namespace simfleet::ui {

// Enroll (DESIGN.md "Enroll"): a factory CSV is read and checked on the store thread, every row
// shown with its problems marked, then the accepted rows join a fleet (created if new) of a
// customer, with its home operator; nothing is stored before Finish. Optionally the new devices
// are provisioned at once (the Campaigns page shows the progress).
class EnrollWizard : public QWizard
{
    Q_OBJECT
public:
    enum PageId { FilePageId, PreviewPageId, FleetPageId };

    EnrollWizard(models::EnrollmentController *controller, QWidget *parent = nullptr);

    std::shared_ptr<const fleet::EnrollmentPreview> preview() const { return m_preview; }
    fleet::EnrollmentTarget target() const;
    bool provisionAfterwards() const;

    QLineEdit *fileField() const { return m_file; }
    QLabel *fileStatus() const { return m_fileStatus; }
    QTableView *previewTable() const { return m_table; }
    models::EnrollmentPreviewModel *previewModel() const { return m_model; }
    QLabel *previewSummary() const { return m_summary; }
    QComboBox *fleetBox() const { return m_fleet; }
    QComboBox *customerBox() const { return m_customer; }
    QComboBox *operatorBox() const { return m_operator; }
    QCheckBox *provisionBox() const { return m_provision; }

    // Reads and checks the file named in the file field.
    void loadPreview();
    bool validateCurrentPage() override;

private:
    class FilePage;
    class PreviewPage;

    models::EnrollmentController *m_controller;
    models::EnrollmentPreviewModel *m_model;
    std::shared_ptr<const fleet::EnrollmentPreview> m_preview;
    QString m_previewedPath;
    bool m_loading = false;
    QLineEdit *m_file;
    QLabel *m_fileStatus;
    QLabel *m_summary;
    QTableView *m_table;
    QPushButton *m_saveRejects;
    QComboBox *m_fleet;
    QComboBox *m_customer;
    QComboBox *m_operator;
    QCheckBox *m_provision;
    QLabel *m_fleetProblem;
};

} // namespace simfleet::ui
