#pragma once

#include "net/servedprofileserver.h"

#include <QDialog>

class QLabel;
class QLineEdit;

namespace simfleet::ui {

// What serving an operator's profile server needs (Operators > Profile Server > Serve on the
// Network): where to listen, the SM-DP+ address, the TLS certificate and key files, and
// optionally ES2+ for the operator with the CA its client certificates chain to. The files are
// only named here; they are read on the store thread.
class ProfileServerDialog : public QDialog
{
    Q_OBJECT
public:
    ProfileServerDialog(const QString &operatorName, QWidget *parent = nullptr);
    net::ProfileServerOptions options() const;
    // The reason it did not start; the dialog stays open to correct it.
    void showProblem(const QString &message);

Q_SIGNALS:
    void submitted();

private:
    QLineEdit *fileField(const QString &objectName, const QString &title, const QString &filter);

    QString m_operator;
    QLineEdit *m_listen;
    QLineEdit *m_address;
    QLineEdit *m_certificate;
    QLineEdit *m_key;
    QLineEdit *m_es2Listen;
    QLineEdit *m_es2Ca;
    QLabel *m_problem;
};

} // namespace simfleet::ui
