#include "enrollmentcontroller.h"
#include "fleet/fleetqueries.h"
#include "access/session.h"
#include "accesscontroller.h"

#include "store/workspace.h"

namespace simfleet::models {

EnrollmentController::EnrollmentController(AccessController *access, QObject *parent) : QObject(parent), m_access(access) { }

void EnrollmentController::preview(const QString &path)
{
    m_access->request<std::shared_ptr<const fleet::EnrollmentPreview>>(
        this,
        [path](store::Workspace &ws, const access::Session &) -> Result<std::shared_ptr<const fleet::EnrollmentPreview>> {
            auto preview = fleet::Enrollment::previewFile(path, ws.database());
            if (!preview)
                return preview.error();
            return std::make_shared<const fleet::EnrollmentPreview>(std::move(preview).value());
        },
        [this](const Result<std::shared_ptr<const fleet::EnrollmentPreview>> &p) {
            if (p)
                Q_EMIT previewed(p.value());
            else
                Q_EMIT failed(p.errorMessage());
        });
}

void EnrollmentController::commit(std::shared_ptr<const fleet::EnrollmentPreview> preview, const fleet::EnrollmentTarget &target)
{
    m_access->request<fleet::EnrollmentOutcome>(
        this,
        [preview, target](store::Workspace &ws, const access::Session &session) {
            return fleet::Enrollment::commit(ws, session, *preview, target);
        },
        [this](const Result<fleet::EnrollmentOutcome> &outcome) {
            if (outcome)
                Q_EMIT committed(outcome.value());
            else
                Q_EMIT failed(outcome.errorMessage() + tr("; nothing was stored"));
        });
}

void EnrollmentController::writeRejects(std::shared_ptr<const fleet::EnrollmentPreview> preview, const QString &path)
{
    m_access->request<bool>(
        this,
        [preview, path](store::Workspace &, const access::Session &) -> Result<bool> {
            if (auto ok = fleet::Enrollment::writeRejects(*preview, path); !ok)
                return ok.error();
            return true;
        },
        [this, path](const Result<bool> &r) {
            if (r)
                Q_EMIT rejectsWritten(path);
            else
                Q_EMIT failed(r.errorMessage());
        });
}

void EnrollmentController::loadNames()
{
    m_access->request<QList<QStringList>>(
        this,
        [](store::Workspace &ws, const access::Session &session) -> Result<QList<QStringList>> {
            // The names are for enrolling: only those who may enroll get them, and then only the
            // fleets and customers their scope shows.
            if (auto ok = session.require(access::Permission::Enroll, ws.clock()); !ok)
                return ok.error();
            const fleet::FleetQueries queries(ws);
            auto fleets = queries.fleets(session);
            auto customers = queries.customers(session);
            auto operators = queries.operators(session);
            for (const Error *e : { fleets ? nullptr : &fleets.error(), customers ? nullptr : &customers.error(),
                                    operators ? nullptr : &operators.error() }) {
                if (e)
                    return *e;
            }
            QStringList f, c, o;
            for (const auto &fleet : fleets.value()) {
                if (!f.contains(fleet.name))
                    f.append(fleet.name);
            }
            for (const auto &customer : customers.value())
                c.append(customer.name);
            for (const auto &op : operators.value())
                o.append(op.name);
            return QList<QStringList> { f, c, o };
        },
        [this](const Result<QList<QStringList>> &names) {
            if (names)
                Q_EMIT namesLoaded(names->at(0), names->at(1), names->at(2));
            else
                Q_EMIT failed(names.errorMessage());
        });
}

} // namespace simfleet::models
