#pragma once

#include <QString>
#include <QVariantList>

#include <optional>

namespace simfleet::access {
class Session;
}

namespace simfleet::store {

// What a query may see (DESIGN.md "Access"). Every listing, count, export and report of
// devices, profiles and campaigns takes one. Only an access::Session makes a Scope, so no caller
// can widen what its user may see: an operator account manager's scope holds the devices whose
// current or target operator is theirs; everyone else's holds the whole workspace.
class Scope
{
public:
    bool isRestricted() const { return m_operatorId.has_value(); }
    std::optional<qint64> operatorId() const { return m_operatorId; }

    // A condition for a WHERE clause and the values it binds, in order.
    struct Condition
    {
        QString sql; // "1" when nothing is hidden
        QVariantList values;
    };
    // Over the device table under the alias given. A device is the operator's when it holds one
    // of its profiles (not deleted), when an unfinished campaign is still moving it to that
    // operator (its item not yet finished: a device skipped, refused, failed or cancelled stays
    // where it was and is none of the target operator's business), or when it has no profile yet
    // and its fleet's home operator is that operator.
    Condition devices(const QString &device = QStringLiteral("d")) const;
    // Over a profile joined to a visible device (its ICCID, operator or state shown beside the
    // device): only the operator's own profiles, so a device in view through a campaign or a
    // fleet does not show another operator's ICCID.
    Condition profiles(const QString &profile = QStringLiteral("p")) const;
    // Over the fleet table: fleets holding at least one device in view. Out of scope looks
    // exactly like absent, so a fleet with none of them is not named, counted or listed.
    Condition fleets(const QString &fleet = QStringLiteral("f")) const;
    // Over the customer table: customers with a fleet in view.
    Condition customers(const QString &customer = QStringLiteral("c")) const;
    // Over the campaign table: campaigns to the operator, campaigns that moved any of its devices
    // away, and unfinished ones about to move devices it holds now.
    Condition campaigns(const QString &campaign = QStringLiteral("c")) const;
    // Over campaign items: all items of a campaign to the operator; of others, the devices whose
    // step began on one of its profiles, or that hold one now and wait for their step.
    Condition campaignItems(const QString &item = QStringLiteral("ci")) const;

private:
    friend class access::Session;
    friend class AccessSchema; // writes the same conditions into PostgreSQL's row security policies
    Scope() = default;
    explicit Scope(qint64 operatorId) : m_operatorId(operatorId) { }

    std::optional<qint64> m_operatorId;
};

} // namespace simfleet::store
