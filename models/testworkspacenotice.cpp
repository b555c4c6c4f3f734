#include "testworkspacenotice.h"
#include "accesscontroller.h"

#include "attestation/trustbook.h"
#include "store/workspace.h"

namespace simfleet::models {

TestWorkspaceNotice::TestWorkspaceNotice(AccessController *access, QObject *parent) : QObject(parent), m_access(access) { }

void TestWorkspaceNotice::refresh()
{
    const quint64 generation = ++m_generation;
    if (!m_access->session()) {
        adopt({});
        return;
    }
    m_access->request<QString>(
        this,
        [](store::Workspace &ws, const access::Session &) { return attestation::TrustBook::testWorkspaceNotice(ws); },
        [this, generation](const Result<QString> &notice) {
            if (generation != m_generation)
                return;
            // A workspace whose trust cannot be read is not called a test workspace on a guess;
            // the Trust page says what went wrong.
            adopt(notice ? notice.value() : QString());
        });
}

void TestWorkspaceNotice::adopt(const QString &text)
{
    if (text == m_text)
        return;
    m_text = text;
    Q_EMIT changed(m_text);
}

} // namespace simfleet::models
