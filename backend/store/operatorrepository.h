#pragma once

#include "core/result.h"
#include "scope.h"
#include "records.h"

#include <QList>
#include <QSqlDatabase>

namespace simfleet::store {

class OperatorRepository
{
public:
    explicit OperatorRepository(QSqlDatabase db) : m_db(std::move(db)) { }

    // Checks the numbering is coherent (digits, lengths, ranges) before storing it.
    Result<qint64> insert(const OperatorRecord &op, const QDateTime &at);
    // OP is sealed bound to the operator's row, so it is stored after the row exists.
    Result<void> setSealedOp(qint64 operatorId, const QByteArray &sealed);
    Result<QByteArray> sealedOp(qint64 operatorId);
    // The operator's own unpersonalised profile (TCA format), sealed like the OP: it may carry
    // its security domains' keys. Empty: simfleet's built-in template.
    Result<void> setSealedProfileTemplate(qint64 operatorId, const QByteArray &sealed);
    Result<QByteArray> sealedProfileTemplate(qint64 operatorId);
    // The root certificate (DER) an operator's remote profile server chains to; empty: none.
    Result<QByteArray> profileServerRoot(qint64 operatorId);
    Result<std::optional<OperatorRecord>> findByName(const QString &name);
    Result<std::optional<OperatorRecord>> find(qint64 operatorId);
    Result<QList<OperatorRecord>> list();
    // The operators a user may see: an account manager's own, everyone's for the other roles.
    Result<QList<OperatorRecord>> listVisible(const Scope &scope);

private:
    QSqlDatabase m_db;
};

// What makes an operator's numbering usable; the message says which rule failed.
Result<void> checkNumbering(const OperatorRecord &op);

} // namespace simfleet::store
