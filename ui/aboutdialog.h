#pragma once

#include <QDialog>

namespace simfleet::ui {

// Version, licence, and the versions and licences of Qt and OpenSSL in use.
class AboutDialog : public QDialog
{
    Q_OBJECT
public:
    explicit AboutDialog(QWidget *parent = nullptr);
    QString text() const;

private:
    QString m_text;
};

} // namespace simfleet::ui
