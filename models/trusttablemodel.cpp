#include "trusttablemodel.h"
#include "accesscontroller.h"

#include "attestation/trustbook.h"
#include "store/workspace.h"

#include <QBrush>
#include <QColor>
#include <QCoreApplication>
#include <QFile>
#include <QLocale>

namespace simfleet::models {

namespace {

// The sentences made on the store thread, in the model's translation context.
struct Text
{
    Q_DECLARE_TR_FUNCTIONS(simfleet::models::TrustTableModel)
};

// On the store thread: certificates and lists are small, so a bigger file is none of them and is
// not read whole into memory.
Result<QByteArray> readTrustFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(Text::tr("%1 cannot be read: %2.").arg(path, file.errorString()));
    constexpr qint64 largest = 4 * 1024 * 1024;
    if (file.size() > largest)
        return fail(Text::tr("%1 is larger than 4 MiB, too large for a certificate or revocation list; choose the "
                             "certificate or list itself.")
                        .arg(path));
    return file.readAll();
}

QString when(const QDateTime &t)
{
    return QLocale().toString(t.toLocalTime(), QLocale::ShortFormat);
}

QString day(const QDateTime &t)
{
    return QLocale().toString(t.toLocalTime().date(), QLocale::ShortFormat);
}

// The file's contents handed to the TrustBook call its kind names; the answer is what the user
// reads on the page.
Result<QString> addContents(store::Workspace &ws, const access::Session &session, TrustTableModel::FileKind kind,
                            const QByteArray &contents)
{
    using attestation::TrustBook;
    switch (kind) {
    case TrustTableModel::FileKind::CertificateIssuer: {
        auto added = TrustBook::addIssuer(ws, session, contents);
        if (!added)
            return added.error();
        QString done = Text::tr("%1 is now a trusted certificate issuer.").arg(added->certificate.subjectText());
        if (TrustBook::isTestCertificateIssuer(added->certificate))
            done += u' '
                + Text::tr("It is the GSMA SGP.26 test issuer, whose keys are published: this is a test workspace now.");
        return done;
    }
    case TrustTableModel::FileKind::Manufacturer: {
        auto added = TrustBook::addManufacturer(ws, session, contents);
        if (!added)
            return added.error();
        return Text::tr("%1 is now a trusted manufacturer, for EIDs starting %2.")
            .arg(added->certificate.subjectText(), added->eidPrefix);
    }
    case TrustTableModel::FileKind::RevocationList: {
        auto added = TrustBook::addRevocationList(ws, session, contents);
        if (!added)
            return added.error();
        return Text::tr("The revocation list of %1 is imported; its next update is due %2.")
            .arg(added->issuer, when(added->nextUpdate));
    }
    }
    return fail(Text::tr("This kind of file cannot be added."));
}

} // namespace

TrustTableModel::TrustTableModel(AccessController *access, QObject *parent) : TableModel(access, ColumnCount, parent) { }

void TrustTableModel::reload()
{
    load<QList<TrustRow>>(
        [](store::Workspace &ws, const access::Session &session) -> Result<QList<TrustRow>> {
            auto trusted = attestation::TrustBook::list(ws, session);
            if (!trusted)
                return trusted.error();
            QList<TrustRow> rows;
            for (const attestation::TrustedCertificate &t : trusted.value()) {
                const bool issuer = t.role == store::CertificateRoleName::CertificateIssuer;
                rows.append({ t.role, t.name, t.certificate.subjectText(), t.certificate.keyIdentifier(),
                              t.certificate.notBefore(), t.certificate.notAfter(), t.eidPrefix, t.revocationNextUpdate,
                              t.alert, issuer && attestation::TrustBook::isTestCertificateIssuer(t.certificate) });
            }
            return rows;
        },
        [this](QList<TrustRow> &&rows) { m_rows = std::move(rows); });
}

const TrustRow *TrustTableModel::rowAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? &m_rows.at(row) : nullptr;
}

void TrustTableModel::addFromFile(FileKind kind, const QString &path)
{
    accessController()->request<QString>(
        this,
        [kind, path](store::Workspace &ws, const access::Session &session) -> Result<QString> {
            auto contents = readTrustFile(path);
            if (!contents)
                return contents.error();
            return addContents(ws, session, kind, contents.value());
        },
        [this](const Result<QString> &done) { finish(done); });
}

void TrustTableModel::retire(const QByteArray &keyIdentifier)
{
    accessController()->request<QString>(
        this,
        [keyIdentifier](store::Workspace &ws, const access::Session &session) -> Result<QString> {
            auto retired = attestation::TrustBook::retire(ws, session, keyIdentifier);
            if (!retired)
                return retired.error();
            return Text::tr("%1 is no longer trusted; it stays on record.").arg(retired->certificate.subjectText());
        },
        [this](const Result<QString> &done) { finish(done); });
}

void TrustTableModel::finish(const Result<QString> &done)
{
    Q_EMIT actionFinished(done.ok(), done ? done.value() : done.errorMessage());
    if (!done)
        return;
    Q_EMIT trustChanged();
    reload();
}

QStringList TrustTableModel::alerts() const
{
    QStringList out;
    for (const TrustRow &r : m_rows) {
        if (!r.alert.isEmpty())
            out << r.alert;
    }
    return out;
}

QString TrustTableModel::keyIdText(const QByteArray &keyIdentifier)
{
    return QString::fromLatin1(keyIdentifier.toHex(':')).toUpper();
}

int TrustTableModel::rows() const
{
    return int(m_rows.size());
}

QVariant TrustTableModel::cell(int row, int column, int role) const
{
    const TrustRow &r = m_rows.at(row);
    switch (role) {
    case Qt::DisplayRole:
        return display(r, Column(column));
    case Qt::AccessibleTextRole:
        return column == Alert ? r.alert : display(r, Column(column));
    case Qt::ToolTipRole:
        if (column == Name || column == Subject)
            return r.subject;
        // The GSMA's words beside simfleet's (DESIGN.md "Words").
        if (column == Kind)
            return kindDescription(r);
        if (column == Alert)
            return r.alert;
        if (column == EidRange && !r.eidPrefix.isEmpty())
            return tr("This manufacturer certifies the devices whose EID starts %1.").arg(r.eidPrefix);
        return display(r, Column(column));
    case Qt::ForegroundRole:
        // Red like the pages' problem messages: someone has to import a list.
        if (!r.alert.isEmpty() && (column == Alert || column == RevocationNextUpdate))
            return QBrush(QColor(0xc0, 0x39, 0x2b));
        return {};
    case SortRole:
        return sortValue(r, Column(column));
    case AlertRole:
        return !r.alert.isEmpty();
    default:
        return {};
    }
}

QString TrustTableModel::kindDescription(const TrustRow &r) const
{
    if (r.role == store::CertificateRoleName::Manufacturer)
        return tr("eUICC manufacturer (EUM): certifies the devices of its EID range");
    return r.testIssuer ? tr("GSMA SGP.26 test certificate issuer (CI): its keys are published, so it proves nothing")
                        : tr("Certificate issuer (CI): the root manufacturers and profile servers chain to");
}

QVariant TrustTableModel::display(const TrustRow &r, Column column) const
{
    const bool manufacturer = r.role == store::CertificateRoleName::Manufacturer;
    switch (column) {
    case Kind:
        if (manufacturer)
            return tr("Manufacturer");
        return r.testIssuer ? tr("Test certificate issuer") : tr("Certificate issuer");
    case Name: return r.name;
    case Subject: return r.subject;
    case KeyId: return keyIdText(r.keyIdentifier);
    case ValidFrom: return day(r.validFrom);
    case ValidTo: return day(r.validTo);
    case EidRange: return manufacturer ? r.eidPrefix : QString();
    case RevocationNextUpdate: return r.revocationNextUpdate ? when(*r.revocationNextUpdate) : tr("no list imported");
    // The column says what to do; the whole sentence is its tooltip and stands above the table.
    case Alert: return r.alert.isEmpty() ? QString() : tr("Renew revocation list");
    case ColumnCount: break;
    }
    return {};
}

QVariant TrustTableModel::sortValue(const TrustRow &r, Column column) const
{
    switch (column) {
    case Kind: return int(r.role);
    case KeyId: return r.keyIdentifier;
    case ValidFrom: return r.validFrom;
    case ValidTo: return r.validTo;
    case EidRange: return r.eidPrefix;
    case RevocationNextUpdate: return r.revocationNextUpdate ? QVariant(*r.revocationNextUpdate) : QVariant();
    case Alert: return r.alert;
    case Name:
    case Subject:
        return display(r, column);
    case ColumnCount: break;
    }
    return {};
}

QString TrustTableModel::columnTitle(int column) const
{
    switch (Column(column)) {
    case Kind: return tr("Kind");
    case Name: return tr("Name");
    case Subject: return tr("Subject");
    case KeyId: return tr("Key ID");
    case ValidFrom: return tr("Valid from");
    case ValidTo: return tr("Valid until");
    case EidRange: return tr("EIDs starting");
    case RevocationNextUpdate: return tr("Revocation list due");
    case Alert: return tr("Alert");
    case ColumnCount: break;
    }
    return {};
}

} // namespace simfleet::models
