#pragma once

#include "store/records.h"

#include "tablemodel.h"
#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace simfleet::models {
class AccessController;

// One trust anchor as the Trust page shows it. Everything is read from the certificate on the
// store thread, so the GUI thread never touches an OpenSSL object.
struct TrustRow
{
    store::CertificateRoleName role = store::CertificateRoleName::CertificateIssuer;
    QString name;
    QString subject;
    QByteArray keyIdentifier;
    QDateTime validFrom;
    QDateTime validTo;
    QString eidPrefix; // manufacturers only
    std::optional<QDateTime> revocationNextUpdate;
    QString alert; // a sentence when its revocation list runs out soon or ran out
    bool testIssuer = false; // a GSMA SGP.26 test CI, whose keys are published
};

// The workspace's trust anchors (SGP.22 section 4.5.2): certificate issuers and manufacturers,
// with their revocation lists' next update. Administrators add them from PEM or DER files and
// retire them; files are read and checked on the store thread, and each refusal is the backend's
// sentence.
class TrustTableModel : public TableModel
{
    Q_OBJECT
public:
    // What an Administrator acts on comes first; the key id and full subject identify a row
    // exactly (the CLI's trust retire takes the key id).
    enum Column { Kind, Name, EidRange, ValidFrom, ValidTo, RevocationNextUpdate, Alert, KeyId, Subject, ColumnCount };
    enum Role {
        SortRole = Qt::UserRole + 1, // the raw value: dates as QDateTime, key ids as bytes
        AlertRole,                   // true on every cell of a row with an alert
    };
    // What a file added on the Trust page is.
    enum class FileKind { CertificateIssuer, Manufacturer, RevocationList };
    Q_ENUM(FileKind)

    explicit TrustTableModel(AccessController *access, QObject *parent = nullptr);
    void reload();
    const TrustRow *rowAt(int row) const;
    // Every row's alert, in row order.
    QStringList alerts() const;

    // Administrators: reads the file at path on the store thread and adds what it holds; ends
    // with actionFinished, and trustChanged when something was added.
    void addFromFile(FileKind kind, const QString &path);
    // Administrators: stops trusting the issuer or manufacturer with this key identifier.
    void retire(const QByteArray &keyIdentifier);

    // The key identifier as trust list prints it (AA:BB:...).
    static QString keyIdText(const QByteArray &keyIdentifier);

Q_SIGNALS:
    void actionFinished(bool ok, const QString &message);
    void trustChanged();

private:
    int rows() const override;
    QVariant cell(int row, int column, int role) const override;
    QString columnTitle(int column) const override;
    QVariant display(const TrustRow &r, Column column) const;
    QString kindDescription(const TrustRow &r) const;
    QVariant sortValue(const TrustRow &r, Column column) const;
    void finish(const Result<QString> &done);

    QList<TrustRow> m_rows;
};

} // namespace simfleet::models
