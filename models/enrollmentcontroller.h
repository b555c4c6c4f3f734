#pragma once

#include "fleet/enrollment.h"

#include <QObject>
#include <QStringList>

#include <memory>

namespace simfleet::models {
class AccessController;

// Enrollment for the GUI: reads and checks a CSV on the store thread (nothing stored), then
// stores the accepted rows as the logged-in user, or writes the rejected ones to a file to fix.
class EnrollmentController : public QObject
{
    Q_OBJECT
public:
    explicit EnrollmentController(AccessController *access, QObject *parent = nullptr);

    void preview(const QString &path);
    void commit(std::shared_ptr<const fleet::EnrollmentPreview> preview, const fleet::EnrollmentTarget &target);
    void writeRejects(std::shared_ptr<const fleet::EnrollmentPreview> preview, const QString &path);
    // Fleet, customer and operator names to choose from.
    void loadNames();

Q_SIGNALS:
    void previewed(std::shared_ptr<const simfleet::fleet::EnrollmentPreview> preview);
    void committed(const simfleet::fleet::EnrollmentOutcome &outcome);
    void rejectsWritten(const QString &path);
    void namesLoaded(const QStringList &fleets, const QStringList &customers, const QStringList &operators);
    void failed(const QString &message);

private:
    AccessController *m_access;
};

} // namespace simfleet::models
