#include "firstrundialog.h"

#include <QCommandLinkButton>
#include <QDialogButtonBox>
#include <QLabel>
#include <QVBoxLayout>

namespace simfleet::ui {

FirstRunDialog::FirstRunDialog(QWidget *parent) : QDialog(parent)
{
    setWindowTitle(tr("Welcome to simfleet"));
    setObjectName(QStringLiteral("firstRunDialog"));

    auto *intro = new QLabel(tr("A workspace holds your fleets, operators and their history: in one file, or on a "
                                "server your team shares. Which one should simfleet open?"),
                             this);
    intro->setWordWrap(true);

    auto *demo = new QCommandLinkButton(tr("Open the demo workspace"),
                                        tr("A workspace to try simfleet in, created in your data folder "
                                           "the first time."),
                                        this);
    demo->setObjectName(QStringLiteral("demoButton"));
    auto *open = new QCommandLinkButton(tr("Open a workspace file…"),
                                        tr("A .simfleet file you or your team created before."), this);
    open->setObjectName(QStringLiteral("openButton"));
    auto *shared = new QCommandLinkButton(tr("Connect to a shared workspace…"),
                                          tr("One your team keeps on a PostgreSQL server, with your user name and "
                                             "password there."),
                                          this);
    shared->setObjectName(QStringLiteral("connectButton"));
    connect(shared, &QCommandLinkButton::clicked, this, [this] {
        m_choice = Choice::Connect;
        accept();
    });
    auto *create = new QCommandLinkButton(tr("Create a new workspace…"),
                                          tr("An empty one for your own fleets, protected by a passphrase, with you as "
                                             "its Administrator."),
                                          this);
    create->setObjectName(QStringLiteral("createButton"));
    connect(create, &QCommandLinkButton::clicked, this, [this] {
        m_choice = Choice::Create;
        accept();
    });
    connect(demo, &QCommandLinkButton::clicked, this, [this] {
        m_choice = Choice::Demo;
        accept();
    });
    connect(open, &QCommandLinkButton::clicked, this, [this] {
        m_choice = Choice::OpenFile;
        accept();
    });

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(demo);
    layout->addWidget(open);
    layout->addWidget(shared);
    layout->addWidget(create);
    layout->addWidget(buttons);
    demo->setFocus();
    setMinimumWidth(480);
}

} // namespace simfleet::ui
