#include "mainwindow.h"
#include "accesscontroller.h"
#include "logindialog.h"
#include "newworkspacedialog.h"
#include "connectdialog.h"
#include "appearance.h"
#include "pages/userspage.h"
#include "pages/auditpage.h"
#include "pages/ledgerpage.h"
#include "pages/mappage.h"
#include "workspacecare.h"
#include "pages/enrollpage.h"
#include "pages/dashboardpage.h"
#include "pages/attestationpage.h"
#include "pages/trustpage.h"
#include "testworkspacenotice.h"
#include "campaignrunner.h"

#include "aboutdialog.h"
#include "firstrundialog.h"
#include "pages/campaignspage.h"
#include "pages/devicespage.h"
#include "pages/operatorspage.h"
#include "reconciledialog.h"
#include "upgradedialog.h"
#include "store/workspace.h"
#include "store/workspaceservice.h"
#include "crypto/secretbytes.h"
#include "store/serverpasswords.h"
#include "store/workspaceaddress.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QFileDialog>
#include <QLabel>
#include <QListView>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QVBoxLayout>

namespace simfleet::ui {

namespace {
const QString geometryKey = QStringLiteral("mainWindow/geometry");
const QString stateKey = QStringLiteral("mainWindow/state");
const QString lastWorkspaceKey = QStringLiteral("workspace/last");
const QString recentWorkspacesKey = QStringLiteral("workspace/recent");
} // namespace

MainWindow::MainWindow(store::WorkspaceService *workspaces, devices::DeviceLinksOpener openDevices, QWidget *parent)
    : QMainWindow(parent), m_openDevices(std::move(openDevices)),
      m_workspaces(workspaces),
      m_access(new models::AccessController(workspaces, this)),
      m_navigation(new models::NavigationModel(this)),
      m_sidebar(new QListView(this)),
      m_pages(new QStackedWidget(this)),
      m_testNotice(new models::TestWorkspaceNotice(m_access, this)),
      m_testBanner(new QLabel(this)),
      m_workspaceLabel(new QLabel(this)),
      m_userLabel(new QLabel(this))
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("simfleet"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/simfleet.svg")));

    m_sidebar->setObjectName(QStringLiteral("navigation"));
    m_sidebar->setAccessibleName(tr("Sections"));
    m_sidebar->setModel(m_navigation);
    m_sidebar->setIconSize(QSize(22, 22));
    m_sidebar->setSpacing(2);
    m_sidebar->setUniformItemSizes(true);
    m_sidebar->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_sidebar->setSelectionMode(QAbstractItemView::SingleSelection);
    m_sidebar->setFrameShape(QFrame::NoFrame);
    m_sidebar->setMinimumWidth(170);
    m_sidebar->setMaximumWidth(260);
    m_sidebar->setStyleSheet(QStringLiteral("QListView::item { padding: 8px 6px; }"));
    tintSidebar();

    m_pages->setObjectName(QStringLiteral("pages"));
    buildPages();

    auto *splitter = new QSplitter(this);
    splitter->setObjectName(QStringLiteral("mainSplitter"));
    splitter->addWidget(m_sidebar);
    splitter->addWidget(pagesWithBanner());
    splitter->setStretchFactor(1, 1);
    splitter->setChildrenCollapsible(false);
    splitter->setSizes({ 200, 900 });
    setCentralWidget(splitter);

    connect(m_sidebar->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex &current) {
                if (current.isValid())
                    m_pages->setCurrentIndex(current.row());
            });
    showPage(Page::Dashboard);

    m_workspaceLabel->setObjectName(QStringLiteral("workspaceLabel"));
    m_workspaceLabel->setText(tr("No workspace open"));
    statusBar()->addWidget(m_workspaceLabel, 1);
    m_userLabel->setObjectName(QStringLiteral("userLabel"));
    m_userLabel->setText(tr("Not logged in"));
    statusBar()->addPermanentWidget(m_userLabel);

    buildMenus();
    for (Page page : { Page::Users, Page::Trust }) // until an Administrator logs in
        m_sidebar->setRowHidden(m_navigation->indexOf(page).row(), true);

    connect(m_workspaces, &store::WorkspaceService::opened, this, &MainWindow::onWorkspaceOpened);
    connect(m_workspaces, &store::WorkspaceService::openFailed, this, &MainWindow::onWorkspaceFailed);
    connect(m_workspaces, &store::WorkspaceService::changedOnServer, this, &MainWindow::onChangedOnServer);
    // A shared workspace logs in with the password its connection took; when that is not a
    // simfleet user's (the owner's database role, say), the login dialog takes over.
    connect(m_access, &models::AccessController::loginFailed, this, [this] {
        if (!m_loginDialog)
            showLogin();
    });
    connect(m_workspaces, &store::WorkspaceService::upgradeNeeded, this, &MainWindow::offerUpgrade);
    connect(m_access, &models::AccessController::sessionChanged, this, &MainWindow::onSessionChanged);
    connect(m_access, &models::AccessController::sessionExpired, this, [this](const QString &message) {
        statusBar()->showMessage(message, 10000);
        showLogin();
    });

    QSettings settings;
    if (!restoreGeometry(settings.value(geometryKey).toByteArray()))
        resize(1100, 720);
    restoreState(settings.value(stateKey).toByteArray());
}

MainWindow::~MainWindow() = default;

QWidget *MainWindow::pagesWithBanner()
{
    // Explicit colours on both sides of the text keep the strip readable in light and dark
    // palettes alike; amber, like the warnings of the attestation verdicts.
    m_testBanner->setObjectName(QStringLiteral("testWorkspaceBanner"));
    m_testBanner->setAccessibleName(tr("Test workspace"));
    m_testBanner->setWordWrap(true);
    m_testBanner->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // The margin lines the strip up with the pages' own content.
    m_testBanner->setStyleSheet(QStringLiteral("QLabel { background: #fff3cd; color: #5c4400; border: 1px solid #e0a11b;"
                                               " border-radius: 3px; padding: 6px 10px; margin: 8px 9px 0 9px; }"));
    m_testBanner->hide();
    connect(m_testNotice, &models::TestWorkspaceNotice::changed, this, [this](const QString &text) {
        m_testBanner->setText(text);
        m_testBanner->setVisible(!text.isEmpty());
    });
    auto *column = new QWidget(this);
    column->setObjectName(QStringLiteral("pagesColumn"));
    auto *layout = new QVBoxLayout(column);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_testBanner);
    layout->addWidget(m_pages, 1);
    return column;
}

void MainWindow::tintSidebar()
{
    // A tinted rather than solid selection keeps the blue page icons visible, in light and
    // dark palettes alike.
    QPalette sidebarPalette = QApplication::palette(m_sidebar);
    const QColor base = sidebarPalette.color(QPalette::Base);
    const QColor accent = sidebarPalette.color(QPalette::Highlight);
    const auto mix = [](int a, int b) { return (a * 3 + b) / 4; };
    const QColor tint(mix(base.red(), accent.red()), mix(base.green(), accent.green()), mix(base.blue(), accent.blue()));
    for (auto group : { QPalette::Active, QPalette::Inactive }) {
        sidebarPalette.setColor(group, QPalette::Highlight, tint);
        sidebarPalette.setColor(group, QPalette::HighlightedText, sidebarPalette.color(QPalette::Text));
    }
    m_sidebar->setPalette(sidebarPalette);
}

void MainWindow::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::ApplicationPaletteChange)
        tintSidebar();
    QMainWindow::changeEvent(event);
}

void MainWindow::buildPages()
{
    for (int row = 0; row < m_navigation->rowCount(); ++row) {
        const QModelIndex index = m_navigation->index(row);
        const auto page = index.data(models::NavigationModel::PageRole).value<Page>();
        if (page == Page::Devices) {
            m_devicesPage = new DevicesPage(m_access, m_pages);
            m_pages->addWidget(m_devicesPage);
            continue;
        }
        if (page == Page::Operators) {
            m_operatorsPage = new OperatorsPage(m_access, m_pages);
            m_pages->addWidget(m_operatorsPage);
            continue;
        }
        if (page == Page::Campaigns) {
            m_campaignsPage = new CampaignsPage(m_access, m_openDevices, m_pages);
            m_pages->addWidget(m_campaignsPage);
            continue;
        }
        if (page == Page::Attestation) {
            m_attestationPage = new AttestationPage(m_access, m_pages);
            m_pages->addWidget(m_attestationPage);
            continue;
        }
        if (page == Page::Dashboard) {
            m_dashboardPage = new DashboardPage(m_access, m_pages);
            m_pages->addWidget(m_dashboardPage);
            continue;
        }
        if (page == Page::Enroll) {
            m_enrollPage = new EnrollPage(m_access, m_pages);
            m_pages->addWidget(m_enrollPage);
            connect(m_enrollPage, &EnrollPage::provisionRequested, this, [this](const QString &fleet) {
                models::CampaignPlan plan;
                plan.kind = campaigns::CampaignKind::InitialProvisioning;
                plan.fleet = fleet;
                plan.settings.batchSize = 512;
                plan.settings.answerTimeoutMs = 5000;
                m_campaignsPage->runner()->start(plan);
                showPage(Page::Campaigns);
            });
            connect(m_enrollPage, &EnrollPage::enrolled, this, [this] {
                m_devicesPage->reload();
                m_dashboardPage->reload();
            });
            continue;
        }
        if (page == Page::Map) {
            m_mapPage = new MapPage(m_access, m_pages);
            m_pages->addWidget(m_mapPage);
            connect(m_mapPage, &MapPage::showDevices, this, [this](const QString &filter) {
                m_devicesPage->showFiltered(filter);
                showPage(Page::Devices);
            });
            continue;
        }
        if (page == Page::Ledger) {
            m_ledgerPage = new LedgerPage(m_access, m_pages);
            m_pages->addWidget(m_ledgerPage);
            continue;
        }
        if (page == Page::Audit) {
            m_auditPage = new AuditPage(m_access, m_pages);
            m_pages->addWidget(m_auditPage);
            continue;
        }
        if (page == Page::Trust) {
            m_trustPage = new TrustPage(m_access, m_pages);
            m_pages->addWidget(m_trustPage);
            connect(m_trustPage, &TrustPage::trustChanged, m_testNotice, &models::TestWorkspaceNotice::refresh);
            continue;
        }
        if (page == Page::Users) {
            m_usersPage = new UsersPage(m_access, m_pages);
            m_pages->addWidget(m_usersPage);
            continue;
        }
        qFatal("simfleet: no page is built for navigation row %d", row);
    }
    m_dashboardPage->follow(m_campaignsPage->runner());
    models::CampaignRunner *runner = m_campaignsPage->runner();
    connect(m_devicesPage, &DevicesPage::attestRequested, this, [this, runner](const QList<qint64> &devices) {
        m_attesting = true;
        runner->attest(devices);
    });
    connect(m_devicesPage, &DevicesPage::custodyRequested, this,
            [this, runner](const QList<qint64> &devices, const QString &custody, const QString &note) {
                m_reporting = true;
                runner->custody(devices, custody, note);
            });
    connect(runner, &models::CampaignRunner::custodyDone, this, [this](const QString &summary) {
        m_reporting = false;
        m_devicesPage->say(summary);
        m_devicesPage->reload();
        m_dashboardPage->reload();
    });
    connect(m_devicesPage, &DevicesPage::reconcileRequested, this, [this, runner](const QList<qint64> &devices, const QString &filter) {
        m_reconciling = true;
        runner->reconcile(devices, filter);
    });
    connect(runner, &models::CampaignRunner::reconciled, this, [this](const campaigns::ReconcileReport &report) {
        m_reconciling = false;
        m_devicesPage->say(tr("Reconciled %n device(s): %1 difference(s), %2 repaired.", nullptr, int(report.devices))
                               .arg(report.differences.size())
                               .arg(report.repaired),
                           report.unrepaired > 0);
        m_devicesPage->reload();
        m_dashboardPage->reload();
        auto *dialog = new ReconcileDialog(report, this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->open();
    });
    connect(m_attestationPage, &AttestationPage::attestRequested, this, [this, runner](const QList<qint64> &devices) {
        m_attesting = true;
        runner->attest(devices);
    });
    connect(m_attestationPage, &AttestationPage::showDevices, this, [this](const QString &filter) {
        m_devicesPage->showFiltered(filter);
        showPage(Page::Devices);
    });
    connect(runner, &models::CampaignRunner::attested, this, [this](const QMap<QString, qint64> &verdicts) {
        m_attesting = false;
        QStringList counts;
        for (auto it = verdicts.cbegin(); it != verdicts.cend(); ++it)
            counts << QStringLiteral("%1 %2").arg(it.value()).arg(it.key());
        m_devicesPage->say(tr("Attested: %1.").arg(counts.join(QStringLiteral(", "))));
        m_attestationPage->say(tr("Attested: %1.").arg(counts.join(QStringLiteral(", "))));
        m_devicesPage->reload();
        m_attestationPage->reload();
        m_dashboardPage->reload();
    });
    connect(runner, &models::CampaignRunner::failed, this, [this](const QString &message) {
        if (std::exchange(m_attesting, false)) {
            m_devicesPage->say(message, true);
            m_attestationPage->say(message, true);
        }
        if (std::exchange(m_reconciling, false) || std::exchange(m_reporting, false))
            m_devicesPage->say(message, true);
    });
    connect(m_devicesPage, &DevicesPage::provisionRequested, this, [this](const QList<qint64> &devices) {
        showPage(Page::Campaigns);
        m_campaignsPage->newCampaign(devices, {}, campaigns::CampaignKind::InitialProvisioning);
    });
    connect(m_devicesPage, &DevicesPage::changeRequested, this, [this](const QList<qint64> &devices, const QString &filter) {
        showPage(Page::Campaigns);
        m_campaignsPage->newCampaign(devices, filter);
    });
    connect(m_dashboardPage, &DashboardPage::showDevices, this, [this](const QString &filter) {
        m_devicesPage->showFiltered(filter);
        showPage(Page::Devices);
    });
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *open = file->addAction(tr("&Open Workspace…"), this, &MainWindow::chooseWorkspaceFile);
    open->setShortcut(QKeySequence::Open);
    open->setObjectName(QStringLiteral("openWorkspaceAction"));
    QAction *shared = file->addAction(tr("&Connect to a Shared Workspace…"), this, [this] { connectToSharedWorkspace(); });
    shared->setObjectName(QStringLiteral("connectAction"));
    QAction *demo = file->addAction(tr("Open &Demo Workspace"), this, &MainWindow::openDemoWorkspace);
    demo->setObjectName(QStringLiteral("openDemoAction"));
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    m_recentMenu->setObjectName(QStringLiteral("recentMenu"));
    fillRecentMenu();
    QAction *create = file->addAction(tr("&New Workspace…"), this, qOverload<>(&MainWindow::createWorkspace));
    create->setShortcut(QKeySequence::New);
    create->setObjectName(QStringLiteral("newWorkspaceAction"));
    file->addSeparator();
    m_care = new WorkspaceCare(m_access, this);
    m_care->addTo(file);
    connect(m_care, &WorkspaceCare::restored, this, &MainWindow::openWorkspaceFile);
    connect(m_care, &WorkspaceCare::message, this, [this](const QString &text, bool problem) {
        if (!problem) {
            statusBar()->showMessage(text, 15000);
            return;
        }
        auto *box = new QMessageBox(QMessageBox::Warning, tr("simfleet"), text, QMessageBox::Ok, this);
        box->setObjectName(QStringLiteral("careProblem"));
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
    });
    file->addSeparator();
    m_loginAction = file->addAction(tr("&Log In as Another User…"), this, &MainWindow::showLogin);
    m_loginAction->setObjectName(QStringLiteral("loginAction"));
    m_loginAction->setEnabled(false);
    m_logoutAction = file->addAction(tr("Log O&ut"), m_access, &models::AccessController::logout);
    m_logoutAction->setObjectName(QStringLiteral("logoutAction"));
    m_logoutAction->setEnabled(false);
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    quit->setMenuRole(QAction::QuitRole);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    QMenu *appearance = view->addMenu(tr("&Appearance"));
    auto *appearances = new QActionGroup(this);
    for (auto [choice, text] : { std::pair { Appearance::System, tr("As the &Desktop") }, std::pair { Appearance::Light, tr("&Light") },
                                 std::pair { Appearance::Dark, tr("Dar&k") } }) {
        QAction *action = appearance->addAction(text, this, [choice] { applyAppearance(choice); });
        action->setCheckable(true);
        action->setChecked(savedAppearance() == choice);
        action->setObjectName(QStringLiteral("appearance-") + appearanceKey(choice));
        appearances->addAction(action);
    }

    QMenu *go = menuBar()->addMenu(tr("&Go"));
    for (int row = 0; row < m_navigation->rowCount(); ++row) {
        const QModelIndex index = m_navigation->index(row);
        const auto page = index.data(models::NavigationModel::PageRole).value<Page>();
        QAction *action = go->addAction(index.data(Qt::DecorationRole).value<QIcon>(),
                                        index.data(Qt::DisplayRole).toString(), this,
                                        [this, page] { showPage(page); });
        action->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + row)));
        m_goActions.insert(page, action);
        if (page == Page::Users || page == Page::Trust)
            action->setVisible(false);
    }

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    QAction *about = help->addAction(tr("&About simfleet"), this, &MainWindow::showAbout);
    about->setMenuRole(QAction::AboutRole);
    about->setObjectName(QStringLiteral("aboutAction"));
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt)->setMenuRole(QAction::AboutQtRole);
}

void MainWindow::showPage(Page page)
{
    const QModelIndex index = m_navigation->indexOf(page);
    m_sidebar->setCurrentIndex(index);
    m_pages->setCurrentIndex(index.row());
}

MainWindow::Page MainWindow::currentPage() const
{
    return m_navigation->index(m_pages->currentIndex()).data(models::NavigationModel::PageRole).value<Page>();
}

QWidget *MainWindow::pageWidget(Page page) const
{
    return m_pages->widget(m_navigation->indexOf(page).row());
}

void MainWindow::openWorkspaceFile(const QString &path)
{
    m_workspaceLabel->setText(tr("Opening %1…").arg(QDir::toNativeSeparators(path)));
    m_workspaces->open(path);
}

void MainWindow::openDemoWorkspace()
{
    const QString path = store::Workspace::defaultDemoPath();
    m_workspaceLabel->setText(tr("Opening the demo workspace…"));
    m_workspaces->openOrCreateDemo(path);
}

void MainWindow::offerWorkspaceChoice()
{
    auto *dialog = new FirstRunDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        if (dialog->choice() == FirstRunDialog::Choice::Demo)
            openDemoWorkspace();
        else if (dialog->choice() == FirstRunDialog::Choice::OpenFile)
            chooseWorkspaceFile();
        else if (dialog->choice() == FirstRunDialog::Choice::Connect)
            connectToSharedWorkspace();
        else if (dialog->choice() == FirstRunDialog::Choice::Create)
            createWorkspace();
    });
    dialog->open();
}

void MainWindow::chooseWorkspaceFile()
{
    auto *dialog = new QFileDialog(this, tr("Open Workspace"), QFileInfo(lastWorkspacePath()).absolutePath(),
                                   tr("simfleet workspaces (*.%1);;All files (*)").arg(store::Workspace::fileSuffix()));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::ExistingFile);
    connect(dialog, &QFileDialog::fileSelected, this, &MainWindow::openWorkspaceFile);
    dialog->open();
}

void MainWindow::connectToSharedWorkspace(const QString &address)
{
    auto *dialog = new ConnectDialog(recentWorkspaces(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (!address.isEmpty())
        dialog->setAddress(address);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        auto typed = store::WorkspaceAddress::parse(dialog->address());
        if (!typed)
            return;
        QByteArray password = dialog->password();
        // Every connection the workspace opens (its writer, campaign runs) takes it from here.
        store::ServerPasswords::remember(*typed, crypto::SecretBytes(password));
        m_pendingLogin = std::pair { typed->user(), password };
        password.fill('\0');
        openWorkspaceFile(typed->toString());
    });
    dialog->open();
}

void MainWindow::showAbout()
{
    auto *dialog = new AboutDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

QString MainWindow::lastWorkspacePath()
{
    return QSettings().value(lastWorkspaceKey).toString();
}

void MainWindow::onWorkspaceOpened(const store::WorkspaceInfo &info)
{
    setWindowTitle(tr("%1 — simfleet").arg(info.name));
    // No counts here: they are read before anyone logs in, and an operator account manager may
    // see only their own (the Dashboard gives them, in the user's scope).
    m_workspaceLabel->setText(info.demo ? tr("Demo workspace %1").arg(QDir::toNativeSeparators(info.path))
                                        : tr("Workspace %1").arg(QDir::toNativeSeparators(info.path)));
    QSettings().setValue(lastWorkspaceKey, info.path);
    QStringList recent = recentWorkspaces();
    recent.removeAll(info.path);
    recent.prepend(info.path);
    QSettings().setValue(recentWorkspacesKey, QStringList(recent.mid(0, 6)));
    fillRecentMenu();
    m_loginAction->setEnabled(true);
    if (m_pendingLogin) {
        auto [name, password] = *std::exchange(m_pendingLogin, std::nullopt);
        m_access->login(name, password);
        password.fill('\0');
        return;
    }
    if (m_pendingAdministrator) {
        // A workspace just created: its owner adds the first Administrator, who is logged in.
        const auto [name, password] = *std::exchange(m_pendingAdministrator, std::nullopt);
        m_access->createFirstAdministrator(name, password);
        return;
    }
    showLogin();
}

QStringList MainWindow::recentWorkspaces()
{
    return QSettings().value(recentWorkspacesKey).toStringList();
}

void MainWindow::fillRecentMenu()
{
    m_recentMenu->clear();
    const QStringList recent = recentWorkspaces();
    for (const QString &path : recent) {
        // A shared workspace asks for its password again: it was never stored.
        if (store::WorkspaceAddress::looksLikeUrl(path))
            m_recentMenu->addAction(path, this, [this, path] { connectToSharedWorkspace(path); });
        else
            m_recentMenu->addAction(QDir::toNativeSeparators(path), this, [this, path] { openWorkspaceFile(path); });
    }
    m_recentMenu->setEnabled(!recent.isEmpty());
}

void MainWindow::createWorkspace()
{
    auto *dialog = new NewWorkspaceDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        createWorkspace(dialog->path(), dialog->workspaceName(), dialog->passphrase(), dialog->administrator(),
                        dialog->administratorPassword());
    });
    dialog->open();
}

void MainWindow::createWorkspace(const QString &path, const QString &name, const QByteArray &passphrase,
                                 const QString &administrator, const QByteArray &password)
{
    m_workspaceLabel->setText(tr("Creating %1…").arg(QDir::toNativeSeparators(path)));
    m_pendingAdministrator = std::pair { administrator, password };
    m_workspaces->createNew(path, name, passphrase);
}

void MainWindow::showLogin()
{
    if (!m_workspaces->isOpen())
        return;
    if (m_loginDialog) {
        m_loginDialog->raise();
        return;
    }
    m_loginDialog = new LoginDialog(m_access, m_workspaces->current().name, m_workspaces->current().demo, this);
    m_loginDialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(m_loginDialog, &QObject::destroyed, this, [this] { m_loginDialog = nullptr; });
    m_loginDialog->open();
}

void MainWindow::onSessionChanged()
{
    const access::Session *session = m_access->session();
    m_logoutAction->setEnabled(session != nullptr);
    m_care->updateActions();
    m_userLabel->setText(session ? tr("Logged in as %1").arg(session->describe()) : tr("Not logged in"));
    // The UI only hides what the role cannot do; the backend refuses it regardless. Nobody
    // logged in sees the pages as they are (each says to log in).
    const auto allows = [session](access::Permission p) { return !session || session->allows(p); };
    const bool managesUsers = session && session->allows(access::Permission::ManageUsers);
    const bool managesTrust = session && session->allows(access::Permission::ManageTrust);
    for (auto [page, shown] : { std::pair { Page::Users, managesUsers }, std::pair { Page::Trust, managesTrust },
                                std::pair { Page::Audit, allows(access::Permission::ViewAudit) } }) {
        m_sidebar->setRowHidden(m_navigation->indexOf(page).row(), !shown);
        m_goActions.value(page)->setVisible(shown);
        if (!shown && currentPage() == page)
            showPage(Page::Dashboard);
    }
    // Pages ask again as the new user; without one they say to log in.
    m_devicesPage->reload();
    m_operatorsPage->reload();
    m_campaignsPage->reload();
    m_enrollPage->reload();
    m_dashboardPage->reload();
    m_attestationPage->reload();
    m_ledgerPage->reload();
    m_mapPage->reload();
    if (allows(access::Permission::ViewAudit))
        m_auditPage->reload();
    if (managesUsers)
        m_usersPage->reload();
    if (managesTrust)
        m_trustPage->reload();
    m_testNotice->refresh();
}

void MainWindow::offerUpgrade(const QString &path, const QString &message)
{
    m_workspaceLabel->setText(m_workspaces->isOpen()
                                  ? tr("Workspace: %1").arg(QDir::toNativeSeparators(m_workspaces->current().path))
                                  : tr("No workspace open"));
    auto *dialog = new UpgradeDialog(path, message, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog, path] {
        m_workspaceLabel->setText(tr("Upgrading %1…").arg(QDir::toNativeSeparators(path)));
        // The proof is checked (scrypt) and the file copied and migrated on the store thread.
        auto proof = std::make_shared<access::UpgradeProof>(dialog->takeProof());
        m_workspaces->openWith(path, [path, proof]() -> Result<std::unique_ptr<store::Workspace>> {
            auto upgraded = access::WorkspaceUpgrade::run(path, *proof);
            if (!upgraded)
                return upgraded.error();
            return std::move(std::move(upgraded).value().workspace);
        });
    });
    connect(dialog, &QDialog::rejected, this, [this] {
        if (!m_workspaces->isOpen())
            offerWorkspaceChoice();
    });
    dialog->open();
}

// A shared workspace changed (another desktop, or this one's own campaign): the pages showing
// those tables read them again, in the background like every reload.
void MainWindow::onChangedOnServer(const QStringList &tables)
{
    if (!m_access->session())
        return;
    const auto any = [&tables](std::initializer_list<const char *> names) {
        for (const char *name : names)
            if (tables.contains(QLatin1StringView(name)))
                return true;
        return false;
    };
    const bool fleet = any({ "customer", "fleet", "device", "profile", "attestation_result", "campaign_item", "operator" });
    if (fleet && m_dashboardPage)
        m_dashboardPage->reload();
    if (fleet && m_devicesPage)
        m_devicesPage->reload();
    if (any({ "campaign", "campaign_item" }) && m_campaignsPage)
        m_campaignsPage->reload();
    if (any({ "attestation_result", "reference_value", "revocation_list", "certificate" }) && m_attestationPage)
        m_attestationPage->reload();
    if (any({ "operator", "activation_code" }) && m_operatorsPage)
        m_operatorsPage->reload();
    if (any({ "certificate", "revocation_list" }) && m_trustPage)
        m_trustPage->reload();
    if (any({ "app_user" }) && m_usersPage)
        m_usersPage->reload();
    if (any({ "audit_entry" }) && m_auditPage)
        m_auditPage->reload();
    if (fleet && m_mapPage)
        m_mapPage->reload();
    if (any({ "subscription_period" }) && m_ledgerPage)
        m_ledgerPage->reload();
    if (any({ "device_alert" }) && m_dashboardPage)
        m_dashboardPage->reload();
}

void MainWindow::onWorkspaceFailed(const QString &path, const QString &message)
{
    m_pendingAdministrator.reset();
    if (m_pendingLogin) {
        m_pendingLogin->second.fill('\0');
        m_pendingLogin.reset();
    }
    m_workspaceLabel->setText(m_workspaces->isOpen()
                                  ? tr("Workspace: %1").arg(QDir::toNativeSeparators(m_workspaces->current().path))
                                  : tr("No workspace open"));
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Cannot open workspace"),
                                tr("simfleet could not open %1.").arg(QDir::toNativeSeparators(path)),
                                QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("openFailedMessage"));
    box->setInformativeText(message);
    box->setAttribute(Qt::WA_DeleteOnClose);
    if (!m_workspaces->isOpen())
        connect(box, &QMessageBox::finished, this, &MainWindow::offerWorkspaceChoice);
    box->open();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    QSettings settings;
    settings.setValue(geometryKey, saveGeometry());
    settings.setValue(stateKey, saveState());
    event->accept();
}

} // namespace simfleet::ui
