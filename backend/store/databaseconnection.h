#pragma once

#include "core/result.h"

#include <QSqlDatabase>
#include <QString>

#include <memory>

namespace simfleet::store {

// One Qt SQL connection to a workspace file, owned by the thread that opened it (Qt SQL
// connections must not cross threads). Opens with WAL, foreign keys on and a busy timeout,
// and removes itself from Qt's connection registry when destroyed.
class DatabaseConnection
{
public:
    enum class Mode {
        ReadOnly,  // for looking at a file before deciding it is ours: nothing is written
        ReadWrite, // WAL, synchronous NORMAL
    };
    static Result<std::unique_ptr<DatabaseConnection>> open(const QString &path, Mode mode = Mode::ReadWrite);
    ~DatabaseConnection();
    DatabaseConnection(const DatabaseConnection &) = delete;
    DatabaseConnection &operator=(const DatabaseConnection &) = delete;

    QSqlDatabase database() const;
    const QString &path() const { return m_path; }

private:
    DatabaseConnection(QString path, QString name);
    QString m_path;
    QString m_name;
};

} // namespace simfleet::store
