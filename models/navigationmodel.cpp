#include "navigationmodel.h"

#include <QIcon>

namespace simfleet::models {

NavigationModel::NavigationModel(QObject *parent) : QAbstractListModel(parent)
{
    const auto entry = [](Page page, QString title, QString summary, const char *icon) {
        return Entry { page, std::move(title), std::move(summary),
                       QStringLiteral(":/icons/") + QLatin1StringView(icon) + QStringLiteral(".svg") };
    };
    m_entries = {
        entry(Page::Dashboard, tr("Dashboard"),
              tr("Devices per operator, attestation verdicts, campaign progress and alerts at a glance."),
              "dashboard"),
        entry(Page::Devices, tr("Devices"),
              tr("Every device with its identity, secure element, profiles and attestation history."), "devices"),
        entry(Page::Map, tr("Map"), tr("Where the trackers and car units are, stolen ones marked; works offline."), "map"),
        entry(Page::Enroll, tr("Enroll"),
              tr("Import equipment from a factory CSV into a fleet and provision its home operator's profile."),
              "enroll"),
        entry(Page::Operators, tr("Operators"),
              tr("Mobile operators with their number ranges, attestation policy and certificates."), "operators"),
        entry(Page::Campaigns, tr("Campaigns"),
              tr("Initial provisioning and make-before-break subscription changes across fleets."), "campaigns"),
        entry(Page::Attestation, tr("Attestation"),
              tr("Verdicts on each device's secure environment, their reasons and the reference values."),
              "attestation"),
        entry(Page::Ledger, tr("Ledger"),
              tr("Each period a device held a subscription, device-days per customer and operator, and monthly statements."),
              "ledger"),
        entry(Page::Audit, tr("Audit"), tr("The hash-chained log of who changed what, and its verification."),
              "audit"),
        entry(Page::Trust, tr("Trust"),
              tr("The certificate issuers and manufacturers attestation trusts, and their revocation lists."),
              "trust"),
        entry(Page::Users, tr("Users"), tr("Who may log in, their roles, and the operator an account manager manages."),
              "users"),
    };
}

int NavigationModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

QVariant NavigationModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Entry &e = m_entries.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case Qt::AccessibleTextRole:
        return e.title;
    case Qt::ToolTipRole:
    case Qt::AccessibleDescriptionRole:
    case SummaryRole:
        return e.summary;
    case Qt::DecorationRole:
        return QIcon(e.icon);
    case PageRole:
        return QVariant::fromValue(e.page);
    case IconNameRole:
        return e.icon;
    default:
        return {};
    }
}

QHash<int, QByteArray> NavigationModel::roleNames() const
{
    auto names = QAbstractListModel::roleNames();
    names.insert(PageRole, "page");
    names.insert(SummaryRole, "summary");
    names.insert(IconNameRole, "iconName");
    return names;
}

QModelIndex NavigationModel::indexOf(Page page) const
{
    for (qsizetype i = 0; i < m_entries.size(); ++i) {
        if (m_entries.at(i).page == page)
            return index(int(i));
    }
    return {};
}

} // namespace simfleet::models
