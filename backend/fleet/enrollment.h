#pragma once

#include "core/result.h"
#include "store/records.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>
#include <vector>

class QIODevice;
class QSqlDatabase;

namespace simfleet::store {
class Workspace;
}

namespace simfleet::access {
class Session;
}

namespace simfleet::fleet {

// One problem with one field of one row, as the user sees it in the preview.
struct EnrollmentIssue
{
    qint64 line = 0;
    QString field;
    QString message;
};

// A validated row, kept compact (one allocation) so a million-row preview stays small.
class EnrollmentRow
{
public:
    EnrollmentRow(qint64 line, const QStringList &texts, store::SecureElementKind kind,
                  std::optional<double> latitude, std::optional<double> longitude);
    qint64 line() const { return m_line; }
    QString eid() const { return text(0); }
    QString imei() const { return text(1); }
    QString serial() const { return text(2); }
    QString model() const { return text(3); }
    QString label() const { return text(4); }
    store::SecureElementKind secureElement() const { return m_kind; }
    std::optional<double> latitude() const { return m_latitude; }
    std::optional<double> longitude() const { return m_longitude; }
    void fill(store::DeviceRecord &record) const;

private:
    QString text(int index) const;
    QByteArray m_packed; // UTF-8 eid, imei, serial, model, label joined by 0x1f
    qint64 m_line;
    std::optional<double> m_latitude;
    std::optional<double> m_longitude;
    store::SecureElementKind m_kind;
};

// What an import would do, before anything is stored (DESIGN.md "Enroll": nothing is stored
// until the user confirms).
struct EnrollmentPreview
{
    QString source;
    QStringList header;
    qint64 rowsRead = 0;
    std::vector<EnrollmentRow> accepted;
    qint64 duplicates = 0;  // already enrolled with the same identity: skipped, not an error
    qint64 rejected = 0;    // rows with at least one issue
    QList<EnrollmentIssue> issues;
    QList<QStringList> rejectedRows; // as read, for the rejects file
    QList<QString> rejectedReasons;
    QList<qint64> rejectedLines;
};

struct EnrollmentTarget
{
    QString fleet;
    QString customer; // empty: the fleet's customer if the name is unique, else the only customer
    QString homeOperator; // empty: as it is; else the operator whose profile the fleet's devices get
};

struct EnrollmentOutcome
{
    qint64 stored = 0;
    qint64 fleetId = 0;
    QString fleet;
    QString customer;
};

// Fleet enrollment from a factory CSV (backend/fleet).
class Enrollment
{
public:
    static const QStringList &requiredColumns();
    static const QStringList &optionalColumns();

    // Validates every row: identifiers, required fields, duplicates within the file and against
    // the workspace (read through db). A file-level problem (not UTF-8, no header, an unknown
    // column, an unclosed quote, a read error) is an error: nothing can be imported from it.
    static Result<EnrollmentPreview> preview(QIODevice &csv, QSqlDatabase db, const QString &source);
    static Result<EnrollmentPreview> previewFile(const QString &path, QSqlDatabase db);

    // Stores the accepted rows in one transaction through the workspace's writer, creating the
    // fleet and customer when they do not exist, with an audit entry naming the user. Takes
    // Operations or an Administrator.
    static Result<EnrollmentOutcome> commit(store::Workspace &workspace, const access::Session &by,
                                            const EnrollmentPreview &preview, const EnrollmentTarget &target);

    // The rejected rows, with the header and an "error" column, ready to fix and re-import.
    static Result<void> writeRejects(const EnrollmentPreview &preview, const QString &path);
};

} // namespace simfleet::fleet
