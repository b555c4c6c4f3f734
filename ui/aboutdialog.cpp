#include "aboutdialog.h"

#include "core/version.h"
#include "crypto/cryptolibrary.h"

#include <QDialogButtonBox>
#include <QIcon>
#include <QLabel>
#include <QVBoxLayout>

namespace simfleet::ui {

AboutDialog::AboutDialog(QWidget *parent) : QDialog(parent)
{
    setWindowTitle(tr("About simfleet"));
    setObjectName(QStringLiteral("aboutDialog"));

    auto *icon = new QLabel(this);
    icon->setPixmap(QIcon(QStringLiteral(":/icons/simfleet.svg")).pixmap(64, 64));
    icon->setAccessibleName(tr("simfleet logo"));

    m_text = tr("<h2>simfleet %1</h2>"
                "<p>Remote USIM provisioning, attestation and subscription change for M2M fleets, "
                "after 3GPP TR 33.812 and GSMA SGP.02/SGP.22/SGP.32.</p>"
                "<p>Licensed under the Apache License, version 2.0.</p>"
                "<p><b>Built with</b></p>"
                "<ul>"
                "<li>Qt %2 (run time %3), used under the GNU Lesser General Public License v3</li>"
                "<li>%4, used under the Apache License, version 2.0</li>"
                "<li>SQLite, in the public domain</li>"
                "</ul>")
                 .arg(versionString(), QStringLiteral(QT_VERSION_STR), QString::fromLatin1(qVersion()),
                      crypto::libraryVersion().toHtmlEscaped());
    auto *label = new QLabel(m_text, this);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    label->setObjectName(QStringLiteral("aboutText"));

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *top = new QHBoxLayout;
    top->addWidget(icon, 0, Qt::AlignTop);
    top->addWidget(label, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(buttons);
    setMinimumWidth(460);
}

QString AboutDialog::text() const
{
    return m_text;
}

} // namespace simfleet::ui
