#include "placeholderpage.h"

#include <QLabel>
#include <QVBoxLayout>

namespace simfleet::ui {

PlaceholderPage::PlaceholderPage(const QString &title, const QString &summary, const QStringList &plans,
                                 QWidget *parent)
    : QWidget(parent), m_title(title)
{
    setObjectName(QStringLiteral("page-") + title.toLower());
    setAccessibleName(title);

    auto *heading = new QLabel(title, this);
    QFont headingFont = heading->font();
    headingFont.setPointSizeF(headingFont.pointSizeF() * 1.6);
    headingFont.setBold(true);
    heading->setFont(headingFont);
    heading->setObjectName(QStringLiteral("pageTitle"));

    auto *lead = new QLabel(summary, this);
    lead->setWordWrap(true);

    QString list = QStringLiteral("<p>%1</p><ul>").arg(tr("Coming to this page:").toHtmlEscaped());
    for (const QString &plan : plans)
        list += QStringLiteral("<li>%1</li>").arg(plan.toHtmlEscaped());
    list += QStringLiteral("</ul>");
    auto *planned = new QLabel(list, this);
    planned->setWordWrap(true);
    planned->setTextFormat(Qt::RichText);
    planned->setForegroundRole(QPalette::PlaceholderText);
    planned->setAccessibleName(tr("Planned features"));

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(24, 20, 24, 20);
    layout->setSpacing(12);
    layout->addWidget(heading);
    layout->addWidget(lead);
    layout->addWidget(planned);
    layout->addStretch(1);
}

} // namespace simfleet::ui
