#pragma once

#include <QObject>
#include <QString>

namespace simfleet::models {
class AccessController;

// Whether the open workspace trusts a GSMA SGP.26 test certificate issuer (issue 18): then
// whatever chains to it proves nothing, and every page must say so. Asked on the store thread
// when someone logs in and after each trust change; empty while nobody is logged in.
class TestWorkspaceNotice : public QObject
{
    Q_OBJECT
public:
    explicit TestWorkspaceNotice(AccessController *access, QObject *parent = nullptr);
    // The sentence to show, or empty.
    const QString &text() const { return m_text; }
    void refresh();

Q_SIGNALS:
    void changed(const QString &text);

private:
    void adopt(const QString &text);

    AccessController *m_access;
    QString m_text;
    // An answer to an older refresh (before a logout or another trust change) is dropped.
    quint64 m_generation = 0;
};

} // namespace simfleet::models
