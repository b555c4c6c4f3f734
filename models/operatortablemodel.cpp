#include "operatortablemodel.h"

#include "fleet/activationcodeimport.h"
#include "fleet/fleetqueries.h"
#include "accesscontroller.h"

#include "fleet/operatorbook.h"
#include "store/workspace.h"
#include "store/workspaceservice.h"

#include "crypto/secretbytes.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QLocale>

namespace simfleet::models {

OperatorTableModel::OperatorTableModel(AccessController *access, QObject *parent)
    : TableModel(access, ColumnCount, parent)
{
}

void OperatorTableModel::reload()
{
    using Loaded = std::pair<QList<store::OperatorRecord>, QHash<qint64, Server>>;
    load<Loaded>(
        [](store::Workspace &ws, const access::Session &session) -> Result<Loaded> {
            const fleet::FleetQueries queries(ws);
            auto operators = queries.operators(session);
            if (!operators)
                return operators.error();
            auto certificates = queries.profileServerCertificates(session);
            if (!certificates)
                return certificates.error();
            QHash<qint64, Server> servers;
            for (const store::CertificateRecord &c : certificates.value()) {
                if (c.operatorId)
                    servers.insert(*c.operatorId, { c.name, c.notAfter });
            }
            return Loaded { operators.value(), servers };
        },
        [this](Loaded &&loaded) {
            m_operators = std::move(loaded.first);
            m_servers = std::move(loaded.second);
        });
}

const store::OperatorRecord *OperatorTableModel::operatorAt(int row) const
{
    return row >= 0 && row < m_operators.size() ? &m_operators.at(row) : nullptr;
}

void OperatorTableModel::setPolicy(qint64 operatorId, int attestationMaxAgeSeconds, bool fallbackAllowed, bool disableAllowed)
{
    accessController()->request<bool>(
        this,
        [=](store::Workspace &ws, const access::Session &session) -> Result<bool> {
            if (auto ok = fleet::OperatorBook::setPolicy(ws, session, operatorId,
                                                         { attestationMaxAgeSeconds, fallbackAllowed, disableAllowed });
                !ok)
                return ok.error();
            return true;
        },
        [this](const Result<bool> &r) {
            Q_EMIT policySaved(r.ok(), r ? tr("The policy is saved; downloads follow it from now on.") : r.errorMessage());
            if (r)
                reload();
        });
}

void OperatorTableModel::setRangeEnds(qint64 operatorId, qint64 msinLast, qint64 iccidLast)
{
    accessController()->request<bool>(
        this,
        [=](store::Workspace &ws, const access::Session &session) -> Result<bool> {
            if (auto ok = fleet::OperatorBook::setRangeEnds(ws, session, operatorId, msinLast, iccidLast); !ok)
                return ok.error();
            return true;
        },
        [this](const Result<bool> &r) {
            Q_EMIT policySaved(r.ok(), r ? tr("The ranges are saved.") : r.errorMessage());
            if (r)
                reload();
        });
}

void OperatorTableModel::addOperator(const fleet::OperatorSpec &spec, const OpInput &op)
{
    saveOperator([spec, op](store::Workspace &ws, const access::Session &session) -> Result<QString> {
        auto secret = op.read();
        if (!secret)
            return secret.error();
        if (!secret.value())
            return fail(tr("Give the operator's OP: 32 hex digits, or a file holding them."));
        if (auto added = fleet::OperatorOnboarding::add(ws, session, spec, *secret.value()); !added)
            return added.error();
        return tr("%1 is onboarded; its OP is sealed in the workspace.").arg(spec.name.trimmed());
    });
}

void OperatorTableModel::editOperator(const QString &name, const fleet::OperatorSpec &changed, const OpInput &op)
{
    saveOperator([name, changed, op](store::Workspace &ws, const access::Session &session) -> Result<QString> {
        auto secret = op.read();
        if (!secret)
            return secret.error();
        if (auto edited = fleet::OperatorOnboarding::edit(ws, session, name, changed, secret.value().get()); !edited)
            return edited.error();
        return secret.value() ? tr("%1 is saved, with its new OP sealed.").arg(changed.name.trimmed())
                              : tr("%1 is saved.").arg(changed.name.trimmed());
    });
}

void OperatorTableModel::retireOperator(const QString &name)
{
    saveOperator([name](store::Workspace &ws, const access::Session &session) -> Result<QString> {
        if (auto retired = fleet::OperatorOnboarding::retire(ws, session, name); !retired)
            return retired.error();
        return tr("%1 is retired; it issues no more profiles.").arg(name);
    });
}

void OperatorTableModel::setProfileTemplate(const QString &name, const QString &path)
{
    saveOperator([name, path](store::Workspace &ws, const access::Session &session) -> Result<QString> {
        QByteArray package;
        if (!path.isEmpty()) {
            QFile file(path);
            if (!file.open(QIODevice::ReadOnly))
                return fail(tr("%1 cannot be read: %2").arg(QDir::toNativeSeparators(path), file.errorString()));
            if (file.size() > 1024 * 1024)
                return fail(tr("%1 is larger than 1 MiB, too large for a profile package").arg(QDir::toNativeSeparators(path)));
            package = file.readAll();
            if (package.isEmpty())
                return fail(tr("%1 is empty; choose the operator's profile package").arg(QDir::toNativeSeparators(path)));
        }
        auto set = fleet::OperatorOnboarding::setProfileTemplate(ws, session, name, package);
        crypto::wipeBytes(package); // it may hold the operator's security domain keys
        if (!set)
            return set.error();
        return path.isEmpty() ? tr("%1's profiles are made from simfleet's built-in template again.").arg(name)
                              : tr("%1's profiles are made from its own template from now on.").arg(name);
    });
}

void OperatorTableModel::exportProfileTemplate(const QString &name, const QString &path)
{
    saveOperator([name, path](store::Workspace &ws, const access::Session &session) -> Result<QString> {
        auto exported = fleet::OperatorOnboarding::exportProfileTemplate(ws, session, name);
        if (!exported)
            return exported.error();
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly))
            return fail(tr("%1 cannot be created: %2").arg(QDir::toNativeSeparators(path),
                                                          file.exists() ? tr("it exists already; choose a new name")
                                                                        : file.errorString()));
        if (file.write(exported.value()) != exported->size() || !file.flush()) {
            file.remove();
            return fail(tr("%1 could not be written whole: %2").arg(QDir::toNativeSeparators(path), file.errorString()));
        }
        return tr("%1's template, as its next device would get it with every secret zeroed, is in %2.")
            .arg(name, QDir::toNativeSeparators(path));
    });
}

void OperatorTableModel::importActivationCodes(const QString &name, const QString &path)
{
    saveOperator([name, path](store::Workspace &ws, const access::Session &session) -> Result<QString> {
        auto imported = fleet::ActivationCodeImport::importFile(ws, session, name, path);
        if (!imported)
            return imported.error();
        QString text = tr("%n activation code(s) of %1 imported from %2", nullptr, int(imported->imported))
                           .arg(name, QDir::toNativeSeparators(path));
        if (imported->issues.isEmpty())
            return QString(text + u'.');
        text += tr("; %n row(s) refused:", nullptr, int(imported->issues.size()));
        // The first few, as the enrollment preview lists them; the CLI prints every one.
        for (qsizetype i = 0; i < std::min<qsizetype>(imported->issues.size(), 5); ++i) {
            const fleet::EnrollmentIssue &issue = imported->issues.at(i);
            text += tr("\nline %1, %2: %3").arg(issue.line).arg(issue.field, issue.message);
        }
        return text;
    });
}

void OperatorTableModel::saveOperator(std::function<Result<QString>(store::Workspace &, const access::Session &)> work)
{
    accessController()->request<QString>(this, std::move(work), [this](const Result<QString> &r) {
        Q_EMIT operatorSaved(r.ok(), r ? r.value() : r.errorMessage());
        if (r)
            reload();
    });
}

int OperatorTableModel::rows() const
{
    return int(m_operators.size());
}

namespace {
QString usage(qint64 used, qint64 size)
{
    const QLocale locale;
    return QCoreApplication::translate("simfleet::models::OperatorTableModel", "%1 of %2 (%3%)")
        .arg(locale.toString(used), locale.toString(size), locale.toString(size > 0 ? 100.0 * double(used) / double(size) : 0.0, 'f', 2));
}
} // namespace

QVariant OperatorTableModel::cell(int row, int column, int role) const
{
    const store::OperatorRecord &o = m_operators.at(row);
    if (role == UsedShareRole) {
        if (column == ImsiUsed)
            return o.imsiRangeSize() > 0 ? double(o.imsisAllocated()) / double(o.imsiRangeSize()) : 0.0;
        if (column == IccidUsed)
            return o.iccidRangeSize() > 0 ? double(o.iccidsAllocated()) / double(o.iccidRangeSize()) : 0.0;
        return {};
    }
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    switch (Column(column)) {
    case Name: return o.name;
    case Country: return o.country;
    case Network: return tr("MCC %1 MNC %2").arg(o.mcc, o.mnc);
    case ImsiUsed:
        return role == Qt::ToolTipRole ? tr("IMSIs %1%2 to %1%3").arg(o.mcc + o.mnc).arg(o.msinFirst).arg(o.msinLast)
                                       : usage(o.imsisAllocated(), o.imsiRangeSize());
    case IccidUsed:
        return role == Qt::ToolTipRole ? tr("ICCIDs from prefix %1").arg(o.iccidPrefix) : usage(o.iccidsAllocated(), o.iccidRangeSize());
    case AttestationAge:
        if (o.attestationMaxAgeSeconds == 0)
            return tr("Attested right before each download");
        if (o.attestationMaxAgeSeconds % 3600 == 0)
            return o.attestationMaxAgeSeconds == 3600 ? tr("1 hour") : tr("%1 hours").arg(o.attestationMaxAgeSeconds / 3600);
        return tr("%1 seconds").arg(o.attestationMaxAgeSeconds);
    case Fallback: return o.fallbackAllowed ? tr("Allowed") : tr("Not allowed");
    case Disable: return o.disableAllowed ? tr("Allowed") : tr("Not allowed (profiles stay enabled)");
    case Status:
        return o.retiredAt ? tr("Retired on %1").arg(QLocale().toString(o.retiredAt->toLocalTime().date(), QLocale::ShortFormat))
                           : tr("Active");
    case ServerCertificate: {
        // Downloads go to the operator's own server when one is recorded (campaigns relay them).
        if (!o.profileServerAddress.isEmpty())
            return tr("Operator's own at %1").arg(o.profileServerAddress);
        const auto server = m_servers.constFind(o.id);
        if (server == m_servers.cend())
            return tr("none: no download possible");
        return tr("%1, valid until %2")
            .arg(server->name, QLocale().toString(server->notAfter.toLocalTime().date(), QLocale::ShortFormat));
    }
    case ProfileTemplate: return o.hasProfileTemplate ? tr("Operator's own") : tr("Built-in");
    case ColumnCount: break;
    }
    return {};
}

QString OperatorTableModel::columnTitle(int column) const
{
    switch (Column(column)) {
    case Name: return tr("Operator");
    case Country: return tr("Country");
    case Network: return tr("Network");
    case ImsiUsed: return tr("IMSIs used");
    case IccidUsed: return tr("ICCIDs used");
    case AttestationAge: return tr("Attestation no older than");
    case ServerCertificate: return tr("Profile server certificate");
    case ProfileTemplate: return tr("Profile template");
    case Fallback: return tr("Fallback");
    case Disable: return tr("Disabling profiles");
    case Status: return tr("Status");
    case ColumnCount: break;
    }
    return {};
}

} // namespace simfleet::models
