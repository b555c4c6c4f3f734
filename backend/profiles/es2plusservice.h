#pragma once

#include "downloadorderbook.h"
#include "profileserver.h"
#include "protocol/es2plus.h"

#include <functional>
#include <memory>

namespace simfleet::profiles {

// Where ES2+.DownloadOrder takes a profile that is not in stock: numbers allocated for the
// served operator (WorkspaceProfileAllocator), as an order that names no eUICC. orderedBy is the
// function requester. A refusal with code RangeExhausted means the operator has none left.
using ProfileAllocator = std::function<Result<DownloadOrder>(const QString &orderedBy)>;

// The operator's side of simfleet's profile server: ES2+ (SGP.22 section 5.3, in the JSON
// binding of section 6.5.1) over the order book ES9+ downloads from. DownloadOrder reserves a
// profile, from stock or newly allocated; ConfirmOrder gives the Matching ID the eUICC downloads
// with (and releases the order with releaseFlag); ReleaseProfile releases a confirmed order;
// CancelOrder ends one. The orders and their credentials live in this process's memory only: a
// server that stops loses its open orders, and their numbers stay burnt.
// Thread-safe; the book orders concurrent calls on one order.
class Es2PlusService
{
public:
    Es2PlusService(std::shared_ptr<DownloadOrderBook> orders, std::shared_ptr<const ProfileServer> server, ProfileAllocator allocate);

    // One function's answer: the JSON body (section 6.5.1.4's header, Executed-Success or Failed).
    QByteArray handle(protocol::es2plus::Function function, QByteArrayView requestBody);
    // Whether the profile server provides the function (handleDownloadProgressInfo is the
    // operator's, which the profile server calls).
    static bool provides(protocol::es2plus::Function function);

    QByteArray downloadOrder(QByteArrayView requestBody);
    QByteArray confirmOrder(QByteArrayView requestBody);
    QByteArray cancelOrder(QByteArrayView requestBody);
    QByteArray releaseProfile(QByteArrayView requestBody);

    // The one profile type this server orders: its profile template's.
    const QString &profileType() const { return m_profileType; }
    const std::shared_ptr<DownloadOrderBook> &orders() const { return m_orders; }

private:
    std::shared_ptr<DownloadOrderBook> m_orders;
    std::shared_ptr<const ProfileServer> m_server;
    ProfileAllocator m_allocate;
    QString m_profileType;
};

} // namespace simfleet::profiles
