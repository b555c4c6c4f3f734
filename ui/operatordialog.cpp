#include "operatordialog.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QVBoxLayout>

namespace simfleet::ui {

namespace {

// A form row whose field is a layout: its label is made here, so its mnemonic reaches the first field.
QLabel *buddyLabel(const QString &text, QLineEdit *buddy, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setBuddy(buddy);
    return label;
}

QHBoxLayout *range(QLineEdit *first, QLineEdit *last, QWidget *parent)
{
    auto *row = new QHBoxLayout;
    row->addWidget(first, 1);
    row->addWidget(new QLabel(OperatorDialog::tr("to"), parent));
    row->addWidget(last, 1);
    return row;
}

void digitsOnly(QLineEdit *field, int most)
{
    field->setValidator(
        new QRegularExpressionValidator(QRegularExpression(QStringLiteral("[0-9]{0,%1}").arg(most)), field));
}

} // namespace

OperatorDialog::OperatorDialog(Mode mode, QWidget *parent)
    : QDialog(parent), m_mode(mode),
      m_name(field("operatorName", tr("Operator name"), tr("as people call it, e.g. Nordlys Mobil"))),
      m_country(field("operatorCountry", tr("Country code"), tr("ISO 3166 two letters, e.g. SE"))),
      m_mcc(field("operatorMcc", tr("Mobile country code"), tr("3 digits"))),
      m_mnc(field("operatorMnc", tr("Mobile network code"), tr("2 or 3 digits"))),
      m_imsiFirst(field("imsiFirst", tr("First IMSI"), tr("15 digits, MCC+MNC first"))),
      m_imsiLast(field("imsiLast", tr("Last IMSI"), tr("15 digits, MCC+MNC first"))),
      m_iccidFirst(field("iccidFirst", tr("First ICCID"), tr("19 or 20 digits, check digit last"))),
      m_iccidLast(field("iccidLast", tr("Last ICCID"), tr("19 or 20 digits, check digit last"))),
      m_spn(field("operatorSpn", tr("Service provider name"), tr("optional; the operator's name when empty"))),
      m_opField(field("operatorOp", tr("OP"),
                      mode == Mode::Add ? tr("32 hex digits, never shown") : tr("empty: the current OP stays"))),
      m_opNote(new QLabel(this)), m_error(new QLabel(this)),
      m_buttons(new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this))
{
    setObjectName(QStringLiteral("operatorDialog"));
    setWindowTitle(mode == Mode::Add ? tr("Add Operator") : tr("Edit Operator"));
    digitsOnly(m_mcc, 3);
    digitsOnly(m_mnc, 3);
    for (QLineEdit *imsi : { m_imsiFirst, m_imsiLast })
        digitsOnly(imsi, 15);
    for (QLineEdit *iccid : { m_iccidFirst, m_iccidLast })
        digitsOnly(iccid, 20);
    m_spn->setMaxLength(16); // TS 31.102 EF SPN
    m_opField->setEchoMode(QLineEdit::Password);
    // Nothing typed there may leave through the clipboard or a drag either.
    m_opField->setContextMenuPolicy(Qt::NoContextMenu);
    m_opField->setDragEnabled(false);
    auto *fromFile = new QPushButton(tr("From &File…"), this);
    fromFile->setObjectName(QStringLiteral("opFromFile"));
    connect(fromFile, &QPushButton::clicked, this, &OperatorDialog::chooseOpFile);
    m_opNote->setObjectName(QStringLiteral("opNote"));
    m_opNote->setWordWrap(true);
    m_opNote->setText(mode == Mode::Add ? tr("The OP is sealed in the workspace at once and never shown again.")
                                        : tr("A new OP applies to profiles issued from now on; issued ones keep theirs."));
    m_error->setObjectName(QStringLiteral("operatorDialogError"));
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->hide();

    auto *network = new QGroupBox(tr("Network"), this);
    auto *networkForm = new QFormLayout(network);
    networkForm->addRow(tr("&Name:"), m_name);
    networkForm->addRow(tr("C&ountry:"), m_country);
    networkForm->addRow(tr("&MCC:"), m_mcc);
    networkForm->addRow(tr("MN&C:"), m_mnc);
    networkForm->addRow(tr("&Service provider name:"), m_spn);
    auto *numbering = new QGroupBox(tr("Numbering"), this);
    auto *numberingForm = new QFormLayout(numbering);
    numberingForm->addRow(buddyLabel(tr("&IMSIs from:"), m_imsiFirst, this), range(m_imsiFirst, m_imsiLast, this));
    numberingForm->addRow(buddyLabel(tr("ICCI&Ds from:"), m_iccidFirst, this), range(m_iccidFirst, m_iccidLast, this));
    auto *secret = new QGroupBox(tr("Operator variant key (OP)"), this);
    auto *secretForm = new QFormLayout(secret);
    auto *opRow = new QHBoxLayout;
    opRow->addWidget(m_opField, 1);
    opRow->addWidget(fromFile);
    secretForm->addRow(buddyLabel(tr("O&P:"), m_opField, this), opRow);
    secretForm->addRow(m_opNote);

    m_buttons->button(QDialogButtonBox::Save)->setObjectName(QStringLiteral("saveOperator"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &OperatorDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    // Keys move through the fields as they are laid out, not in the order they were made.
    QWidget *previous = m_name;
    for (QWidget *next : std::initializer_list<QWidget *> { m_country, m_mcc, m_mnc, m_spn, m_imsiFirst, m_imsiLast,
                                                             m_iccidFirst, m_iccidLast, m_opField, fromFile }) {
        setTabOrder(previous, next);
        previous = next;
    }
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(network);
    layout->addWidget(numbering);
    layout->addWidget(secret);
    layout->addWidget(m_error);
    layout->addWidget(m_buttons);
    setMinimumWidth(560);
}

QLineEdit *OperatorDialog::field(const char *objectName, const QString &accessibleName, const QString &placeholder)
{
    auto *edit = new QLineEdit(this);
    edit->setObjectName(QLatin1StringView(objectName));
    edit->setAccessibleName(accessibleName);
    edit->setPlaceholderText(placeholder);
    return edit;
}

void OperatorDialog::setSpec(const fleet::OperatorSpec &spec)
{
    m_originalName = spec.name;
    setWindowTitle(tr("Edit Operator %1").arg(spec.name));
    m_name->setText(spec.name);
    m_country->setText(spec.country);
    m_mcc->setText(spec.mcc);
    m_mnc->setText(spec.mnc);
    m_imsiFirst->setText(spec.imsiRange.section(u'-', 0, 0));
    m_imsiLast->setText(spec.imsiRange.section(u'-', 1, 1));
    m_iccidFirst->setText(spec.iccidRange.section(u'-', 0, 0));
    m_iccidLast->setText(spec.iccidRange.section(u'-', 1, 1));
    m_spn->setText(spec.spn);
}

fleet::OperatorSpec OperatorDialog::spec() const
{
    return { m_name->text(),
             m_country->text(),
             m_mcc->text(),
             m_mnc->text(),
             m_imsiFirst->text().trimmed() + u'-' + m_imsiLast->text().trimmed(),
             m_iccidFirst->text().trimmed() + u'-' + m_iccidLast->text().trimmed(),
             m_spn->text() };
}

void OperatorDialog::setOpFile(const QString &path)
{
    m_op = models::OpInput::fromFile(path);
    m_opNote->setText(tr("The OP is read from %1 when saved, unless one is typed above.").arg(QDir::toNativeSeparators(path)));
}

void OperatorDialog::chooseOpFile()
{
    auto *dialog = new QFileDialog(this, tr("Read the OP from"), QDir::homePath(), tr("All files (*)"));
    dialog->setObjectName(QStringLiteral("opFileDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::ExistingFile);
    connect(dialog, &QFileDialog::fileSelected, this, &OperatorDialog::setOpFile);
    dialog->open();
}

void OperatorDialog::accept()
{
    // The OP leaves its field first, whatever else is wrong: the typed text lives no longer than
    // this press of Save.
    if (!m_opField->text().isEmpty()) {
        QString typed = m_opField->text();
        m_opField->setText(QString()); // also drops the field's undo history
        auto op = models::OpInput::fromTyped(typed);
        m_op = op ? op.value() : models::OpInput();
        if (!op) {
            say(op.errorMessage());
            return;
        }
        m_opNote->setText(tr("The OP typed is kept out of sight until saved; type it again to replace it."));
    }
    QStringList missing;
    const std::pair<QLineEdit *, QString> required[] = {
        { m_name, tr("name") },           { m_country, tr("country") },      { m_mcc, tr("MCC") },
        { m_mnc, tr("MNC") },             { m_imsiFirst, tr("first IMSI") }, { m_imsiLast, tr("last IMSI") },
        { m_iccidFirst, tr("first ICCID") }, { m_iccidLast, tr("last ICCID") },
    };
    for (const auto &[edit, what] : required) {
        if (edit->text().trimmed().isEmpty())
            missing << what;
    }
    if (!missing.isEmpty()) {
        say(tr("Fill in the %1.").arg(QLocale().createSeparatedList(missing)));
        return;
    }
    if (m_mode == Mode::Add && !m_op.isGiven()) {
        say(tr("Give the operator's OP: 32 hex digits, or a file holding them."));
        return;
    }
    setBusy(true);
    Q_EMIT submitted();
}

void OperatorDialog::finish()
{
    QDialog::accept();
}

void OperatorDialog::refuse(const QString &message)
{
    setBusy(false);
    say(message);
}

void OperatorDialog::setBusy(bool busy)
{
    m_buttons->button(QDialogButtonBox::Save)->setEnabled(!busy);
    if (busy) {
        m_error->setStyleSheet(QString());
        m_error->setText(tr("Saving…"));
        m_error->show();
    }
}

void OperatorDialog::say(const QString &message)
{
    m_error->setStyleSheet(QStringLiteral("color: #c0392b;"));
    m_error->setText(message);
    m_error->show();
}

} // namespace simfleet::ui
