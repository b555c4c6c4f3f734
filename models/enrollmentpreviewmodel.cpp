#include "enrollmentpreviewmodel.h"

#include <QBrush>
#include <QColor>

namespace simfleet::models {

namespace {
const char *const columnKeys[] = { "", "", "eid", "imei", "serial", "model", "secure_element", "label" };
} // namespace

EnrollmentPreviewModel::EnrollmentPreviewModel(QObject *parent) : TableModel(nullptr, ColumnCount, parent) { }

void EnrollmentPreviewModel::setPreview(std::shared_ptr<const fleet::EnrollmentPreview> preview)
{
    beginResetModel();
    m_preview = std::move(preview);
    m_headerIndex.clear();
    m_issueFields.clear();
    if (m_preview) {
        for (qsizetype i = 0; i < m_preview->header.size(); ++i)
            m_headerIndex.insert(m_preview->header.at(i).trimmed().toLower(), int(i));
        for (const fleet::EnrollmentIssue &issue : m_preview->issues)
            m_issueFields.insert(issue.line, issue.field);
    }
    endResetModel();
}

int EnrollmentPreviewModel::rows() const
{
    if (!m_preview)
        return 0;
    return int(m_preview->rejectedRows.size() + qsizetype(m_preview->accepted.size()));
}

QString EnrollmentPreviewModel::rejectedText(qsizetype row, Column column) const
{
    const QStringList &fields = m_preview->rejectedRows.at(row);
    const int at = m_headerIndex.value(QLatin1StringView(columnKeys[column]), -1);
    return at >= 0 && at < fields.size() ? fields.at(at) : QString();
}

bool EnrollmentPreviewModel::cellHasIssue(qsizetype row, Column column) const
{
    const qint64 line = m_preview->rejectedLines.value(row);
    const QList<QString> fields = m_issueFields.values(line);
    return column == Problem || fields.contains(QLatin1StringView(columnKeys[column]))
        || (fields.contains(QString()) && column == Line);
}

QVariant EnrollmentPreviewModel::cell(int row, int columnIndex, int role) const
{
    if (!m_preview)
        return {};
    const auto column = Column(columnIndex);
    const qsizetype rejectedCount = m_preview->rejectedRows.size();
    if (row < rejectedCount) {
        switch (role) {
        case Qt::DisplayRole:
        case Qt::AccessibleTextRole:
            if (column == Line)
                return m_preview->rejectedLines.value(row);
            if (column == Problem)
                return m_preview->rejectedReasons.value(row);
            return rejectedText(row, column);
        case Qt::ToolTipRole:
            return m_preview->rejectedReasons.value(row);
        case Qt::BackgroundRole:
            return QBrush(cellHasIssue(row, column) ? QColor(0xf1, 0xae, 0xb5) : QColor(0xfc, 0xe8, 0xea));
        case Qt::ForegroundRole:
            return QBrush(QColor(0x72, 0x1c, 0x24));
        case ProblemRole:
            return cellHasIssue(row, column);
        default:
            return {};
        }
    }
    const fleet::EnrollmentRow &r = m_preview->accepted.at(std::size_t(qsizetype(row) - rejectedCount));
    if (role == ProblemRole)
        return false;
    if (role != Qt::DisplayRole && role != Qt::AccessibleTextRole)
        return {};
    switch (column) {
    case Line: return r.line();
    case Eid: return r.eid();
    case Imei: return r.imei();
    case Serial: return r.serial();
    case Model: return r.model();
    case SecureElement:
        return r.secureElement() == store::SecureElementKind::IntegratedUicc ? tr("Integrated UICC") : tr("Trusted environment");
    case Label: return r.label();
    case Problem: return tr("ready");
    case ColumnCount: break;
    }
    return {};
}

QString EnrollmentPreviewModel::columnTitle(int column) const
{
    switch (Column(column)) {
    case Line: return tr("Line");
    case Eid: return tr("EID");
    case Imei: return tr("IMEI");
    case Serial: return tr("Serial");
    case Model: return tr("Model");
    case SecureElement: return tr("Secure element");
    case Label: return tr("Label");
    case Problem: return tr("Status");
    case ColumnCount: break;
    }
    return {};
}

} // namespace simfleet::models
