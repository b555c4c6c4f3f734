#pragma once

#include <QWidget>

namespace simfleet::ui {

// A section whose tools have not landed yet: it says what will be there, and offers nothing
// that does not work.
class PlaceholderPage : public QWidget
{
    Q_OBJECT
public:
    PlaceholderPage(const QString &title, const QString &summary, const QStringList &plans,
                    QWidget *parent = nullptr);
    QString title() const { return m_title; }

private:
    QString m_title;
};

} // namespace simfleet::ui
