#include "serverpasswords.h"
#include "workspaceaddress.h"

#include <QHash>
#include <QMutex>

namespace simfleet::store::ServerPasswords {

namespace {
struct Registry
{
    QMutex mutex;
    QHash<QString, crypto::SecretBytes> passwords;
};
Registry &registry()
{
    static Registry r;
    return r;
}
} // namespace

void remember(const WorkspaceAddress &address, const crypto::SecretBytes &password)
{
    Registry &r = registry();
    QMutexLocker lock(&r.mutex);
    r.passwords.insert(address.toString(), password);
}

std::optional<crypto::SecretBytes> lookup(const WorkspaceAddress &address)
{
    Registry &r = registry();
    QMutexLocker lock(&r.mutex);
    auto it = r.passwords.constFind(address.toString());
    if (it == r.passwords.constEnd())
        return std::nullopt;
    return *it;
}

void forget(const WorkspaceAddress &address)
{
    Registry &r = registry();
    QMutexLocker lock(&r.mutex);
    r.passwords.remove(address.toString());
}

} // namespace simfleet::store::ServerPasswords
