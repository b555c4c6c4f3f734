#include "dashboarddata.h"
#include "fleet/fleetqueries.h"
#include "accesscontroller.h"

#include "core/clock.h"
#include "store/workspace.h"

namespace simfleet::models {

DashboardData::DashboardData(AccessController *access, QObject *parent) : QObject(parent), m_access(access) { }

void DashboardData::reload()
{
    m_access->request<store::FleetFigures>(
        this,
        [](store::Workspace &ws, const access::Session &session) -> Result<store::FleetFigures> {
            return fleet::FleetQueries(ws).figures(session);
        },
        [this](const Result<store::FleetFigures> &f) {
            if (!f) {
                Q_EMIT loadFailed(f.errorMessage());
                return;
            }
            m_figures = f.value();
            Q_EMIT loaded();
        });
}

} // namespace simfleet::models
