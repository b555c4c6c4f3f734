#pragma once

// A small demo workspace opened the way the desktop opens one (WorkspaceService on its store
// thread) with a user logged in through AccessController, for the model tests: every model is
// read from a real workspace, as the user it serves.

#include "accesscontroller.h"
#include "attestation/attestationservice.h"
#include "campaigns/campaignservice.h"
#include "devices/devicelink.h"
#include "simulation/demoworkspace.h"
#include "simulation/simulatedfield.h"
#include "store/devicerepository.h"
#include "store/fleetrepository.h"
#include "store/operatorrepository.h"
#include "store/workspace.h"
#include "store/workspaceservice.h"
#include "testsession.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace simfleet::testing {

struct ModelFixture
{
    QTemporaryDir dir;
    std::unique_ptr<store::WorkspaceService> workspaces;
    std::unique_ptr<models::AccessController> access;
    qint64 campaignId = 0; // a provisioning campaign of the meters, created, not run

    // The demo with 20 meters, 10 car units and 10 trackers, and one campaign; `user` logged in.
    // attestMeters: the meters attested once (their fault mix gives every tier).
    bool open(const QString &user = QStringLiteral("admin"), bool attestMeters = false)
    {
        const QString path = dir.filePath(QStringLiteral("models.simfleet"));
        qint64 *campaign = &campaignId;
        workspaces = std::make_unique<store::WorkspaceService>([campaign, attestMeters](const QString &at) {
            auto ws = simulation::DemoWorkspace::create(at, nullptr, { 20, 10, 10, true });
            if (ws)
                *campaign = createCampaign(*ws.value());
            if (ws && attestMeters)
                attest(*ws.value());
            return ws;
        });
        access = std::make_unique<models::AccessController>(workspaces.get());
        QSignalSpy opened(workspaces.get(), &store::WorkspaceService::opened);
        workspaces->openOrCreateDemo(path);
        if (!opened.wait(60000))
            return false;
        return logIn(user);
    }

    bool logIn(const QString &user)
    {
        QSignalSpy changed(access.get(), &models::AccessController::sessionChanged);
        access->login(user, QByteArray(simulation::demoPassword));
        return changed.wait(30000) && access->session() && access->session()->name() == user;
    }

    static void attest(store::Workspace &ws)
    {
        auto field = simulation::SimulatedField::openForWorkspace(ws.info().path);
        auto fleet = store::FleetRepository(ws.database()).findUnique(QStringLiteral("Rheinau smart meters"));
        if (!field || !fleet)
            return;
        auto devices = store::DeviceRepository(ws.database()).idsInFleet(fleet->id);
        if (!devices)
            return;
        attestation::AttestationOptions options;
        options.answerTimeout = std::chrono::milliseconds(300);
        (void)attestation::AttestationService(ws, *field.value(), options).attest(ownerOf(ws), devices.value());
    }

    static qint64 createCampaign(store::Workspace &ws)
    {
        auto fleet = store::FleetRepository(ws.database()).findUnique(QStringLiteral("Rheinau smart meters"));
        if (!fleet || !fleet->homeOperatorId)
            return 0;
        auto devices = store::DeviceRepository(ws.database()).idsInFleet(fleet->id);
        if (!devices)
            return 0;
        campaigns::CampaignRequest request;
        request.kind = campaigns::CampaignKind::InitialProvisioning;
        request.targetOperatorId = *fleet->homeOperatorId;
        for (const auto &d : devices.value())
            request.deviceIds.append(d.first);
        devices::NoDeviceLinks none;
        auto id = campaigns::CampaignService(ws, none).create(ownerOf(ws), request);
        return id ? id.value() : 0;
    }
};

// Waits for a model's next answer; true when it loaded (not failed).
template<typename Model>
bool waitLoaded(Model &model, void (Model::*reload)())
{
    QSignalSpy loaded(&model, &Model::loaded);
    QSignalSpy failed(&model, &Model::loadFailed);
    (model.*reload)();
    return QTest::qWaitFor([&] { return !loaded.isEmpty() || !failed.isEmpty(); }, 30000) && !loaded.isEmpty();
}

} // namespace simfleet::testing
