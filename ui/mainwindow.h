#pragma once

#include "devices/devicelink.h"
#include "navigationmodel.h"

#include <QHash>
#include <QMainWindow>

#include <optional>
#include <utility>

class QAction;
class QMenu;
class QLabel;
class QListView;
class QStackedWidget;

namespace simfleet::store {
class WorkspaceService;
struct WorkspaceInfo;
}
namespace simfleet::models {
class AccessController;
class TestWorkspaceNotice;
}

namespace simfleet::ui {

class DevicesPage;
class OperatorsPage;
class CampaignsPage;
class LoginDialog;
class UsersPage;
class AuditPage;
class LedgerPage;
class MapPage;
class WorkspaceCare;
class EnrollPage;
class DashboardPage;
class AttestationPage;
class TrustPage;

// The main window: a navigation sidebar over the sections of DESIGN.md "The GUI". It never
// touches the database itself; the workspace service answers through signals.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    using Page = models::NavigationModel::Page;

    // openDevices: where the workspace's devices are reached (the program's choice).
    MainWindow(store::WorkspaceService *workspaces, devices::DeviceLinksOpener openDevices, QWidget *parent = nullptr);
    ~MainWindow() override;

    void showPage(Page page);
    Page currentPage() const;
    QWidget *pageWidget(Page page) const;

    void openWorkspaceFile(const QString &path);
    void openDemoWorkspace();
    // Asks the user which workspace to open (the first-run choice).
    void offerWorkspaceChoice();
    // A new, empty workspace with its first Administrator, through a dialog.
    void createWorkspace();
    void createWorkspace(const QString &path, const QString &name, const QByteArray &passphrase,
                         const QString &administrator, const QByteArray &password);
    // Workspaces opened before, most recent first.
    static QStringList recentWorkspaces();

    // The last workspace opened successfully, or empty.
    static QString lastWorkspacePath();

    models::AccessController *accessController() const { return m_access; }
    // Asks who is working; opens by itself once a workspace is open.
    void showLogin();
    LoginDialog *loginDialog() const { return m_loginDialog; }

protected:
    void closeEvent(QCloseEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void buildPages();
    void tintSidebar();
    void fillRecentMenu();
    void buildMenus();
    void chooseWorkspaceFile();
    void onChangedOnServer(const QStringList &tables);
    // A workspace on a PostgreSQL server; `address` fills the dialog (a recent one).
    void connectToSharedWorkspace(const QString &address = {});
    void showAbout();
    void onWorkspaceOpened(const store::WorkspaceInfo &info);
    void onWorkspaceFailed(const QString &path, const QString &message);
    void offerUpgrade(const QString &path, const QString &message);
    void onSessionChanged();
    QWidget *pagesWithBanner();

    devices::DeviceLinksOpener m_openDevices;
    store::WorkspaceService *m_workspaces;
    models::AccessController *m_access;
    models::NavigationModel *m_navigation;
    QListView *m_sidebar;
    QStackedWidget *m_pages;
    models::TestWorkspaceNotice *m_testNotice;
    QLabel *m_testBanner; // above the pages, so every page says the workspace is a test one
    QLabel *m_workspaceLabel;
    QLabel *m_userLabel;
    QAction *m_logoutAction = nullptr;
    QAction *m_loginAction = nullptr;
    QMenu *m_recentMenu = nullptr;
    // A workspace being created: its first Administrator, added once it is open.
    std::optional<std::pair<QString, QByteArray>> m_pendingAdministrator;
    // A shared workspace being connected to: its user and password log in once it is open,
    // so the password the server took is not asked again.
    std::optional<std::pair<QString, QByteArray>> m_pendingLogin;
    LoginDialog *m_loginDialog = nullptr;
    DevicesPage *m_devicesPage = nullptr;
    OperatorsPage *m_operatorsPage = nullptr;
    CampaignsPage *m_campaignsPage = nullptr;
    UsersPage *m_usersPage = nullptr;
    AuditPage *m_auditPage = nullptr;
    LedgerPage *m_ledgerPage = nullptr;
    MapPage *m_mapPage = nullptr;
    WorkspaceCare *m_care = nullptr;
    EnrollPage *m_enrollPage = nullptr;
    DashboardPage *m_dashboardPage = nullptr;
    AttestationPage *m_attestationPage = nullptr;
    TrustPage *m_trustPage = nullptr;
    bool m_attesting = false; // the runner's next failure is the Devices page's
    bool m_reconciling = false; // the same, for a reconciliation
    bool m_reporting = false; // the same, for a custody report or release
    QHash<Page, QAction *> m_goActions; // the Go menu's entry per page
};

} // namespace simfleet::ui
