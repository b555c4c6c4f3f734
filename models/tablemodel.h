#pragma once

#include "accesscontroller.h"

#include <QAbstractTableModel>

#include <functional>
#include <memory>

namespace simfleet::models {

// The skeleton every table model here shares (after KDAB hotspot's models): the base answers
// rowCount, columnCount, data and headerData, checking every index; a model says how many rows
// it holds, what a cell holds for a role, and what a column is called. Rows come from the
// workspace on the store thread (load); an answer to a request older than the latest one is
// dropped, so a slow reload never overwrites a newer one (or a newer filter's page).
class TableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    int rowCount(const QModelIndex &parent = {}) const final;
    int columnCount(const QModelIndex &parent = {}) const final;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const final;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const final;

Q_SIGNALS:
    void loaded();
    void loadFailed(const QString &message);

protected:
    // access: null for a model that is not read from the workspace.
    TableModel(AccessController *access, int columns, QObject *parent);

    virtual int rows() const = 0;
    virtual QVariant cell(int row, int column, int role) const = 0;
    virtual QString columnTitle(int column) const = 0;

    AccessController *accessController() const { return m_access; }
    // A new request: answers to the ones before it are dropped from now on.
    quint64 nextGeneration() { return ++m_generation; }
    bool isCurrent(quint64 generation) const { return generation == m_generation; }

    // Reads on the store thread as the logged-in user and, unless a newer load was asked for
    // meanwhile, hands the result to adopt (inside a model reset), then says loaded. A failure
    // adopts nothing (T{}) and says loadFailed: rows a user may no longer see (logged out, another
    // user logged in) never stay on screen.
    template<typename T>
    void load(std::function<Result<T>(store::Workspace &, const access::Session &)> work, std::function<void(T &&)> adopt)
    {
        const quint64 generation = nextGeneration();
        m_access->request<T>(this, std::move(work), [this, generation, adopt = std::move(adopt)](const Result<T> &result) {
            if (!isCurrent(generation))
                return;
            beginResetModel();
            adopt(result ? T(result.value()) : T {});
            endResetModel();
            if (result)
                Q_EMIT loaded();
            else
                Q_EMIT loadFailed(result.errorMessage());
        });
    }

private:
    AccessController *m_access;
    const int m_columns;
    quint64 m_generation = 0;
};

} // namespace simfleet::models
