// The desktop application under load (offscreen): a workspace of 1 000 000 devices (100 000 of
// them simulated and provisioned, 900 000 enrolled), the Devices page's first rows painted, a
// filter change, the process's peak memory, and the longest stall of the GUI thread while a
// 100 000-device subscription change runs from the Campaigns page. References measured in the
// same run: the same page query made directly on the store, and the stall of an idle event loop.
//
// Usage: bench_gui [--quick]   (--quick: 2 000 simulated + 20 000 enrolled, a smoke test)

#include "benchsupport.h"
#include "testsession.h"

#include "accesscontroller.h"
#include "campaignrunner.h"
#include "campaigns/campaignservice.h"
#include "core/clock.h"
#include "logindialog.h"
#include "simulation/simulatedfield.h"
#include "devicetablemodel.h"
#include "simulation/demoworkspace.h"
#include "mainwindow.h"
#include "pages/campaignspage.h"
#include "pages/devicespage.h"
#include "store/devicerepository.h"
#include "store/fleetrepository.h"
#include "store/operatorrepository.h"
#include "store/storewriter.h"
#include "store/workspace.h"
#include "store/workspaceservice.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QProcess>
#include <QLoggingCategory>
#include <QSqlQuery>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>

#include <cstdio>

using namespace simfleet;

namespace {

int stop(const QString &message)
{
    std::fprintf(stderr, "bench_gui: %s\n", qPrintable(message));
    return 1;
}

// Runs the event loop until done() holds or the timeout passes; false on timeout.
bool waitFor(const std::function<bool()> &done, int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    while (!done()) {
        if (t.elapsed() > timeoutMs)
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    }
    return true;
}

// Notes when the table's viewport paints with rows in it.
class PaintWatch : public QObject
{
public:
    PaintWatch(QTableView *table) : m_table(table) { table->viewport()->installEventFilter(this); }
    void arm() { m_painted = false; }
    bool painted() const { return m_painted; }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::Paint && m_table->model()->rowCount() > 0)
            m_painted = true;
        return QObject::eventFilter(watched, event);
    }

private:
    QTableView *m_table;
    bool m_painted = false;
};

// The longest gap between ticks of a 5 ms timer on the GUI thread.
class StallMeter : public QObject
{
public:
    StallMeter()
    {
        m_timer.setInterval(5);
        m_timer.setTimerType(Qt::PreciseTimer);
        QObject::connect(&m_timer, &QTimer::timeout, this, [this] {
            const qint64 now = m_clock.nsecsElapsed();
            if (m_last > 0)
                m_longest = std::max(m_longest, now - m_last - 5'000'000);
            m_last = now;
        });
    }
    void start()
    {
        m_longest = 0;
        m_last = 0;
        m_clock.start();
        m_timer.start();
    }
    double stop()
    {
        m_timer.stop();
        return double(m_longest) / 1e6;
    }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = 0;
    qint64 m_longest = 0;
};

// Builds the workspace: simulated meters, provisioned, and a large enrolled fleet besides.
int setUp(const QString &path, int simulated, int enrolled)
{
    {
        auto ws = simulation::DemoWorkspace::create(path, nullptr, { simulated, 0, 0, false });
        if (!ws)
            return stop(ws.errorMessage());
        store::Workspace &workspace = *ws.value();
        const auto meters = store::FleetRepository(workspace.database()).findUnique(QStringLiteral("Rheinau smart meters"));
        if (!meters)
            return stop(meters.errorMessage());
        const qint64 fleetId = meters->id;
        const QDateTime now = workspace.clock().now();
        auto added = workspace.writer().run([&](QSqlDatabase &db) -> Result<void> {
            auto n = store::DeviceRepository(db).insertMany(
                enrolled,
                [fleetId](qsizetype i, store::DeviceRecord &d) {
                    d.eid = QStringLiteral("8904999900000000000%1").arg(qint64(i), 13, 10, QLatin1Char('0'));
                    d.imei = QStringLiteral("35%1").arg(qint64(i), 13, 10, QLatin1Char('0'));
                    d.serial = QStringLiteral("BULK-%1").arg(i);
                    d.model = QStringLiteral("MeterOne M2");
                    d.secureElement = store::SecureElementKind::IntegratedUicc;
                    d.label = QStringLiteral("Warehouse meter %1").arg(i);
                    d.fleetId = fleetId;
                },
                now);
            return n ? Result<void>() : Result<void>(n.error());
        });
        if (!added)
            return stop(added.errorMessage());
        auto field = simulation::SimulatedField::open(simulation::SimulatedField::pathForWorkspace(path));
        if (!field)
            return stop(field.errorMessage());
        QList<qint64> ids;
        QSqlQuery q(workspace.database());
        q.exec(QStringLiteral("SELECT id FROM device WHERE eid NOT LIKE '8904999900%' ORDER BY id"));
        while (q.next())
            ids.append(q.value(0).toLongLong());
        q.finish();
        campaigns::CampaignService service(workspace, *field.value());
        campaigns::CampaignSettings settings;
        settings.batchSize = 512;
        settings.concurrency = 48;
        const auto owner = testing::ownerOf(workspace);
        auto provision = service.create(owner, { campaigns::CampaignKind::InitialProvisioning, QStringLiteral("bench provisioning"),
                                                 *meters->homeOperatorId, std::nullopt, ids, settings });
        if (!provision || !service.run(owner, provision.value()))
            return stop(QStringLiteral("the provisioning failed"));
    }
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("simfleet-bench"));
    QLoggingCategory::setFilterRules(QStringLiteral("simfleet.*.info=false\nqt.qpa.*=false"));
    const QStringList args = QCoreApplication::arguments();
    if (args.size() == 5 && args.at(1) == u"--setup")
        return setUp(args.at(2), args.at(3).toInt(), args.at(4).toInt());
    const bool quick = args.contains(QStringLiteral("--quick"));
    const int simulated = quick ? 2000 : 100000;
    const int enrolled = quick ? 20000 : 900000;
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("bench.simfleet"));

    // The workspace is built by a child process, so that its memory (a provisioning of every
    // simulated device) does not count as the application's.
    QElapsedTimer t;
    t.start();
    {
        QProcess child;
        child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        child.start(QCoreApplication::applicationFilePath(),
                    { QStringLiteral("--setup"), path, QString::number(simulated), QString::number(enrolled) });
        if (!child.waitForFinished(-1) || child.exitCode() != 0)
            return stop(QStringLiteral("building the workspace failed"));
    }
    const double setupSeconds = double(t.nsecsElapsed()) / 1e9;

    // Reference: the Devices page's first query, made directly.
    double directMs = 0;
    {
        auto ws = store::Workspace::open(path);
        if (!ws || !ws.value()->unlockWithKeyFile())
            return stop(QStringLiteral("the workspace does not open"));
        const auto owner = testing::ownerOf(*ws.value());
        store::DeviceRepository devices(ws.value()->database());
        t.restart();
        auto count = devices.countMatching(owner.scope(), {});
        auto page = devices.overviewPage(owner.scope(), {}, 0, models::DeviceTableModel::pageSize);
        directMs = double(t.nsecsElapsed()) / 1e6;
        if (!count || !page || count.value() != simulated + enrolled)
            return stop(QStringLiteral("the direct query failed"));
    }

    store::WorkspaceService workspaces([](const QString &p) { return simulation::DemoWorkspace::openOrCreate(p); });
    ui::MainWindow window(&workspaces, simulation::SimulatedField::opener());
    window.resize(1280, 800);
    window.show();
    workspaces.openOrCreateDemo(path);
    if (!waitFor([&] { return window.loginDialog() != nullptr; }, 60000))
        return stop(QStringLiteral("the login dialog did not come"));
    window.loginDialog()->close();
    auto *devicesPage = qobject_cast<ui::DevicesPage *>(window.pageWidget(ui::MainWindow::Page::Devices));
    models::DeviceTableModel *model = devicesPage->model();
    PaintWatch paint(devicesPage->table());
    window.showPage(ui::MainWindow::Page::Devices);

    // Cold: from logging in (every page asks the store at once) to the first rows painted.
    paint.arm();
    t.restart();
    window.accessController()->loginAsOwner();
    if (!waitFor([&] { return paint.painted(); }, 120000))
        return stop(QStringLiteral("no rows were painted"));
    const double coldMs = double(t.nsecsElapsed()) / 1e6;
    // Let the other pages' first questions finish.
    waitFor([] { return false; }, quick ? 500 : 5000);

    // Opening the Devices page again: rows painted (the count of matches follows).
    paint.arm();
    t.restart();
    devicesPage->reload();
    if (!waitFor([&] { return paint.painted(); }, 60000))
        return stop(QStringLiteral("no rows were painted after a reload"));
    const double firstRowsMs = double(t.nsecsElapsed()) / 1e6;
    if (!waitFor([&] { return !model->isLoading(); }, 60000))
        return stop(QStringLiteral("the devices were not counted"));
    const double countedMs = double(t.nsecsElapsed()) / 1e6;

    // A filter change.
    paint.arm();
    t.restart();
    devicesPage->showFiltered(QStringLiteral("operator=Rheinfunk and verdict=affirming"));
    if (!waitFor([&] { return paint.painted(); }, 60000))
        return stop(QStringLiteral("no rows were painted after the filter"));
    const double filterMs = double(t.nsecsElapsed()) / 1e6;
    if (!waitFor([&] { return !model->isLoading(); }, 60000))
        return stop(QStringLiteral("the filtered devices were not counted"));
    const double filterCountedMs = double(t.nsecsElapsed()) / 1e6;
    const qint64 filtered = model->totalCount();

    // Reference for the stall: the idle event loop.
    StallMeter stall;
    stall.start();
    waitFor([] { return false; }, 1000);
    const double idleStallMs = stall.stop();

    const long browsingPeak = bench::peakMemoryMiB();

    // A subscription change of the simulated devices from the Campaigns page.
    auto *campaignsPage = qobject_cast<ui::CampaignsPage *>(window.pageWidget(ui::MainWindow::Page::Campaigns));
    window.showPage(ui::MainWindow::Page::Campaigns);
    models::CampaignPlan plan;
    plan.kind = campaigns::CampaignKind::SubscriptionChange;
    plan.filter = QStringLiteral("fleet=Rheinau smart meters and operator=Rheinfunk");
    {
        auto ws = store::Workspace::open(path);
        plan.targetOperatorId = store::OperatorRepository(ws.value()->database()).findByName(QStringLiteral("Albion Telecom")).value()->id;
    }
    plan.settings.batchSize = 512;
    plan.settings.concurrency = 48;
    bool done = false;
    campaigns::CampaignSummary summary;
    QObject::connect(campaignsPage->runner(), &models::CampaignRunner::finished, &app, [&](const campaigns::CampaignSummary &s) {
        summary = s;
        done = true;
    });
    QString failure;
    QObject::connect(campaignsPage->runner(), &models::CampaignRunner::failed, &app, [&](const QString &m) {
        failure = m;
        done = true;
    });
    stall.start();
    t.restart();
    campaignsPage->runner()->start(plan);
    if (!waitFor([&] { return done; }, 3600000))
        return stop(QStringLiteral("the campaign did not finish"));
    const double campaignStallMs = stall.stop();
    const double campaignSeconds = double(t.nsecsElapsed()) / 1e9;
    if (!failure.isEmpty())
        return stop(failure);

    const long peak = bench::peakMemoryMiB();
    std::printf("simfleet GUI (offscreen), %d devices (%d simulated and provisioned, %d enrolled); set up in %.1f s\n",
                simulated + enrolled, simulated, enrolled, setupSeconds);
    std::printf("Devices page, first rows painted: %.0f ms, all %lld counted: %.0f ms (reference: the same count and first "
                "page queried directly, %.0f ms)\n",
                firstRowsMs, static_cast<long long>(simulated + enrolled), countedMs, directMs);
    std::printf("  cold, from logging in while every page asks the store: %.0f ms\n", coldMs);
    std::printf("filter change (operator=Rheinfunk and verdict=affirming): first rows painted %.0f ms, the %lld matches "
                "counted %.0f ms\n",
                filterMs, static_cast<long long>(filtered), filterCountedMs);
    std::printf("longest GUI-thread stall during a %lld-device change from the Campaigns page (%.1f s, %lld succeeded): "
                "%.1f ms (reference: idle event loop %.1f ms)\n",
                static_cast<long long>(summary.total), campaignSeconds, static_cast<long long>(summary.succeeded),
                campaignStallMs, idleStallMs);
    std::printf("peak RSS: %ld MiB browsing the %lld devices; %ld MiB with the campaign running in the process "
                "(its simulated field holds the %d simulated devices' keys)\n",
                browsingPeak, static_cast<long long>(simulated + enrolled), peak, simulated);
    return summary.succeeded > 0 ? 0 : 1;
}
