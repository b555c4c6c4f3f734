#pragma once

#include <QAbstractListModel>
#include <QList>

namespace simfleet::models {

// The main window's sections (DESIGN.md "The GUI"), in sidebar order.
class NavigationModel : public QAbstractListModel
{
    Q_OBJECT
public:
    enum class Page {
        Dashboard,
        Devices,
        Map,
        Enroll,
        Operators,
        Campaigns,
        Attestation,
        Ledger,
        Audit,
        Trust, // Administrators only (ManageTrust); the window hides it from the others
        Users, // Administrators only; the window hides it from the others
    };
    Q_ENUM(Page)

    enum Role {
        PageRole = Qt::UserRole + 1, // Page
        SummaryRole,                 // one sentence: what the page is for
        IconNameRole,                // resource path of its icon
    };

    explicit NavigationModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    QModelIndex indexOf(Page page) const;

private:
    struct Entry
    {
        Page page;
        QString title;
        QString summary;
        QString icon;
    };
    QList<Entry> m_entries;
};

} // namespace simfleet::models
