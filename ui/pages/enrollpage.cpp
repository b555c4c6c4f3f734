#include "enrollpage.h"
#include "pagewidgets.h"

#include "accesscontroller.h"
#include "enrollmentcontroller.h"
#include "enrollwizard.h"

#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QVBoxLayout>

namespace simfleet::ui {

EnrollPage::EnrollPage(models::AccessController *access, QWidget *parent)
    : QWidget(parent), m_access(access), m_controller(new models::EnrollmentController(access, this)),
      m_import(new QPushButton(tr("&Import Devices…"), this)), m_result(new QLabel(this))
{
    setObjectName(QStringLiteral("enrollPage"));
    auto *title = pageTitle(tr("Enroll"), this);
    auto *summary = new QLabel(tr("Bring equipment from the factory into a fleet: a CSV with each device's EID, IMEI, serial, "
                                  "model and secure element is checked row by row (check digits, duplicates in the file and "
                                  "in the workspace); nothing is stored until you confirm. Then provision the devices with "
                                  "their home operator's profile, after remote attestation."),
                               this);
    summary->setWordWrap(true);
    m_import->setObjectName(QStringLiteral("importDevices"));
    m_result->setObjectName(QStringLiteral("enrollResult"));
    m_result->setWordWrap(true);
    m_result->hide();
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(title);
    layout->addWidget(summary);
    layout->addWidget(m_import, 0, Qt::AlignLeft);
    layout->addWidget(m_result);
    layout->addStretch(1);

    connect(m_import, &QPushButton::clicked, this, &EnrollPage::startImport);
    connect(m_controller, &models::EnrollmentController::committed, this, [this](const fleet::EnrollmentOutcome &o) {
        showMessage(m_result, tr("Stored %1 device(s) in the fleet %2 of %3.").arg(QLocale().toString(o.stored)).arg(o.fleet, o.customer),
                    false);
        Q_EMIT enrolled();
        if (!m_provisionAfter.isEmpty())
            Q_EMIT provisionRequested(std::exchange(m_provisionAfter, QString()));
    });
    connect(m_controller, &models::EnrollmentController::failed, this, [this](const QString &message) {
        if (m_wizard)
            return; // the wizard shows problems with the file itself
        m_provisionAfter.clear();
        showMessage(m_result, message, true);
    });
}

void EnrollPage::reload()
{
    // The UI only hides what the role cannot do; the backend refuses it regardless.
    const access::Session *session = m_access->session();
    m_import->setEnabled(session && session->allows(access::Permission::Enroll));
    m_import->setToolTip(m_import->isEnabled() ? QString() : tr("Operations or an Administrator enroll devices."));
}

void EnrollPage::startImport()
{
    if (m_wizard)
        return;
    m_wizard = new EnrollWizard(m_controller, this);
    m_wizard->setAttribute(Qt::WA_DeleteOnClose);
    connect(m_wizard, &QObject::destroyed, this, [this] { m_wizard = nullptr; });
    connect(m_wizard, &QDialog::accepted, this, [this] {
        const fleet::EnrollmentTarget target = m_wizard->target();
        const bool provision = m_wizard->provisionAfterwards();
        const auto preview = m_wizard->preview();
        showMessage(m_result, tr("Storing %n device(s)…", nullptr, int(preview->accepted.size())), false);
        m_provisionAfter = provision ? target.fleet : QString();
        m_controller->commit(preview, target);
    });
    m_wizard->open();
}

} // namespace simfleet::ui
