#pragma once

#include "core/result.h"

#include <QByteArrayView>
#include <QList>

class QJsonArray;
class QJsonObject;

namespace simfleet::store {
struct ReferenceValueRecord;
}

namespace simfleet::attestation {

// Reference values as manufacturers publish them, one JSON format for every way in and out
// (`reference-values export/import`, `field create --reference-out`): an array of
// {manufacturer, oemid?, hwmodel, swname, swversion, measurements: {COMPONENT: SHA256HEX}}.
namespace referenceValueJson {

// Everything the workspace holds about one entry, with its retirement (listing).
QJsonObject describe(const store::ReferenceValueRecord &values);
// What an import reads back: the published fields only.
QJsonObject published(const store::ReferenceValueRecord &values);
QJsonArray published(const QList<store::ReferenceValueRecord> &values);
// A published file, checked whole: the first bad entry refuses it all, saying which and why.
// Read from outside files, so a fuzz target (tests/fuzz/fuzz_referencevalues) feeds it.
Result<QList<store::ReferenceValueRecord>> parse(QByteArrayView json, const QString &source);

} // namespace referenceValueJson

} // namespace simfleet::attestation
