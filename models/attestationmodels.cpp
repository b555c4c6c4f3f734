#include "attestationmodels.h"
#include "fleet/fleetqueries.h"
#include "accesscontroller.h"

#include "attestation/referencevaluebook.h"
#include "store/workspace.h"

#include <QBrush>
#include "verdictcolours.h"

#include <QColor>
#include <QLocale>

namespace simfleet::models {

VerdictTableModel::VerdictTableModel(AccessController *access, QObject *parent) : TableModel(access, ColumnCount, parent) { }

void VerdictTableModel::reload()
{
    load<QList<store::VerdictReason>>(
        [](store::Workspace &ws, const access::Session &session) -> Result<QList<store::VerdictReason>> {
            return fleet::FleetQueries(ws).verdictReasons(session);
        },
        [this](QList<store::VerdictReason> &&rows) { m_rows = std::move(rows); });
}

const store::VerdictReason *VerdictTableModel::rowAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? &m_rows.at(row) : nullptr;
}

void VerdictTableModel::devicesFor(const QList<store::VerdictReason> &rows, QObject *context,
                                   std::function<void(const Result<QList<qint64>> &)> done)
{
    accessController()->request<QList<qint64>>(
        context,
        [rows](store::Workspace &ws, const access::Session &session) -> Result<QList<qint64>> {
            QList<qint64> ids;
            for (const store::VerdictReason &r : rows) {
                auto found = fleet::FleetQueries(ws).devicesWithVerdict(session, r.verdict, r.reason);
                if (!found)
                    return found.error();
                ids += found.value();
            }
            return ids;
        },
        std::move(done));
}

int VerdictTableModel::rows() const
{
    return int(m_rows.size());
}

QVariant VerdictTableModel::cell(int row, int column, int role) const
{
    const store::VerdictReason &r = m_rows.at(row);
    if (role == Qt::ForegroundRole && column == Verdict) {
        const QColor colour = verdictColour(attestation::tierFromName(r.verdict), VerdictColourUse::Text);
        return colour.isValid() ? QVariant(QBrush(colour)) : QVariant();
    }
    if (role == Qt::TextAlignmentRole && column == Devices)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole && role != Qt::AccessibleTextRole)
        return {};
    switch (Column(column)) {
    case Verdict: return r.verdict;
    case Reason: return r.reason;
    case Devices: return QLocale().toString(r.devices);
    case ColumnCount: break;
    }
    return {};
}

QString VerdictTableModel::columnTitle(int column) const
{
    switch (Column(column)) {
    case Verdict: return tr("Verdict");
    case Reason: return tr("Reason");
    case Devices: return tr("Devices");
    case ColumnCount: break;
    }
    return {};
}

ReferenceValueTableModel::ReferenceValueTableModel(AccessController *access, QObject *parent) : TableModel(access, ColumnCount, parent) { }

void ReferenceValueTableModel::reload()
{
    load<QList<store::ReferenceValueRecord>>(
        [](store::Workspace &ws, const access::Session &session) -> Result<QList<store::ReferenceValueRecord>> {
            return fleet::FleetQueries(ws).referenceValues(session);
        },
        [this](QList<store::ReferenceValueRecord> &&rows) { m_rows = std::move(rows); });
}

const store::ReferenceValueRecord *ReferenceValueTableModel::rowAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? &m_rows.at(row) : nullptr;
}

void ReferenceValueTableModel::retire(const QString &hwmodel, const QString &swversion)
{
    accessController()->request<bool>(
        this,
        [hwmodel, swversion](store::Workspace &ws, const access::Session &session) -> Result<bool> {
            if (auto ok = attestation::ReferenceValueBook::retire(ws, session, hwmodel, swversion); !ok)
                return ok.error();
            return true;
        },
        [this, hwmodel, swversion](const Result<bool> &r) {
            Q_EMIT retired(r.ok(), r ? tr("%1 %2 is retired: devices reporting it get a warning from now on.").arg(hwmodel, swversion)
                                     : r.errorMessage());
            if (r)
                reload();
        });
}

int ReferenceValueTableModel::rows() const
{
    return int(m_rows.size());
}

QVariant ReferenceValueTableModel::cell(int row, int column, int role) const
{
    const store::ReferenceValueRecord &r = m_rows.at(row);
    if (role == Qt::ToolTipRole && column == Measurements) {
        QStringList lines;
        for (const auto &[component, digest] : r.measurements)
            lines << QStringLiteral("%1: %2").arg(component, QString::fromLatin1(digest.toHex()));
        return lines.join(u'\n');
    }
    if (role != Qt::DisplayRole && role != Qt::AccessibleTextRole)
        return {};
    const QLocale locale;
    switch (Column(column)) {
    case Manufacturer: return r.manufacturer;
    case Model: return r.hwmodel;
    case Software: return r.swname;
    case Version: return r.swversion;
    case Measurements: return tr("%n component(s)", nullptr, int(r.measurements.size()));
    case Added: return locale.toString(r.addedAt.toLocalTime().date(), QLocale::ShortFormat);
    case Retired: return r.retiredAt ? locale.toString(r.retiredAt->toLocalTime().date(), QLocale::ShortFormat) : QString();
    case ColumnCount: break;
    }
    return {};
}

QString ReferenceValueTableModel::columnTitle(int column) const
{
    switch (Column(column)) {
    case Manufacturer: return tr("Manufacturer");
    case Model: return tr("Hardware model");
    case Software: return tr("Software");
    case Version: return tr("Version");
    case Measurements: return tr("Measurements");
    case Added: return tr("Added");
    case Retired: return tr("Retired");
    case ColumnCount: break;
    }
    return {};
}

} // namespace simfleet::models
