#pragma once

#include <QDialog>

namespace simfleet::ui {

// Shown when simfleet starts with no workspace to open: try the demo, open a file, connect to a
// shared workspace, or create one.
class FirstRunDialog : public QDialog
{
    Q_OBJECT
public:
    enum class Choice { None, Demo, OpenFile, Connect, Create };

    explicit FirstRunDialog(QWidget *parent = nullptr);
    Choice choice() const { return m_choice; }

private:
    Choice m_choice = Choice::None;
};

} // namespace simfleet::ui
