#pragma once

#include "store/fleetstatistics.h"

#include <QObject>

namespace simfleet::models {
class AccessController;

// The dashboard's figures, read on the store thread within the user's scope.
class DashboardData : public QObject
{
    Q_OBJECT
public:
    explicit DashboardData(AccessController *access, QObject *parent = nullptr);
    void reload();
    const store::FleetFigures &figures() const { return m_figures; }

Q_SIGNALS:
    void loaded();
    void loadFailed(const QString &message);

private:
    AccessController *m_access;
    store::FleetFigures m_figures;
};

} // namespace simfleet::models
