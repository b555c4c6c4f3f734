#pragma once

// What the ES2+ tests share: ES2+ over the ES9+ world's order book, with numbers from a counter
// instead of a workspace's ranges, and the bodies an operator sends.

#include "identity/iccid.h"
#include "profiles/es2plusservice.h"
#include "protocol/es2plus.h"

#include "es9world.h"

namespace simfleet::testing::es2 {

// The numbers a fake operator range gives: the next ICCID, until `left` runs out.
struct Numbers
{
    int next = 1;
    int left = 1000;
    int allocated = 0;
};

inline QString iccidNumber(int n)
{
    return identity::Iccid::fromPayload(QStringLiteral("899990100000%1").arg(n, 6, 10, QLatin1Char('0'))).value().toString();
}

inline std::shared_ptr<profiles::Es2PlusService> service(es9::World &w, std::shared_ptr<Numbers> numbers = std::make_shared<Numbers>())
{
    return std::make_shared<profiles::Es2PlusService>(
        w.service->orders(), w.server, [numbers](const QString &) -> Result<profiles::DownloadOrder> {
            if (numbers->left == 0)
                return failWith(ErrorCode::RangeExhausted, QStringLiteral("Nordtel's numbering is exhausted"));
            --numbers->left;
            ++numbers->allocated;
            profiles::DownloadOrder order = testing::sampleOrder({});
            order.profile.iccid = iccidNumber(numbers->next++);
            return order;
        });
}

inline protocol::es2plus::RequestHeader header(const QString &call = QStringLiteral("call-1"))
{
    return { QStringLiteral("nordtel-ops"), call };
}

// The ICCID a downloadOrder answered, or empty.
inline QString orderedIccid(const QByteArray &answer)
{
    auto read = protocol::es2plus::DownloadOrderResponse::fromMembers(es9::membersOf(answer));
    return std::holds_alternative<protocol::es2plus::DownloadOrderResponse>(read)
        ? std::get<protocol::es2plus::DownloadOrderResponse>(read).iccid
        : QString();
}

inline protocol::es2plus::ConfirmOrderResponse confirmed(const QByteArray &answer)
{
    auto read = protocol::es2plus::ConfirmOrderResponse::fromMembers(es9::membersOf(answer));
    return std::holds_alternative<protocol::es2plus::ConfirmOrderResponse>(read)
        ? std::get<protocol::es2plus::ConfirmOrderResponse>(read)
        : protocol::es2plus::ConfirmOrderResponse {};
}

} // namespace simfleet::testing::es2
