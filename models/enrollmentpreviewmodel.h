#pragma once

#include "fleet/enrollment.h"

#include "tablemodel.h"

#include <memory>

namespace simfleet::models {

// The rows of a previewed CSV (DESIGN.md "Enroll"): the rejected ones first, each with what is
// wrong and the offending cells marked, then the ones ready to import. Nothing is stored yet.
class EnrollmentPreviewModel : public TableModel
{
    Q_OBJECT
public:
    enum Column { Line, Problem, Eid, Imei, Serial, Model, SecureElement, Label, ColumnCount };
    enum Role {
        ProblemRole = Qt::UserRole + 1, // true for a cell or row with an issue
    };

    explicit EnrollmentPreviewModel(QObject *parent = nullptr);
    void setPreview(std::shared_ptr<const fleet::EnrollmentPreview> preview);
    std::shared_ptr<const fleet::EnrollmentPreview> preview() const { return m_preview; }


private:
    int rows() const override;
    QVariant cell(int row, int column, int role) const override;
    QString columnTitle(int column) const override;
    QString rejectedText(qsizetype row, Column column) const;
    bool cellHasIssue(qsizetype row, Column column) const;

    std::shared_ptr<const fleet::EnrollmentPreview> m_preview;
    QHash<QString, int> m_headerIndex;          // column name -> index in a rejected row
    QMultiHash<qint64, QString> m_issueFields;  // line -> fields with an issue
};

} // namespace simfleet::models
