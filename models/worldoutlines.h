#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QList>
#include <QPainterPath>
#include <QString>

namespace simfleet::models {

// A country's outline in degrees (x: longitude, y: latitude), one subpath per ring.
struct CountryOutline
{
    QString name;
    QPainterPath path;
};

// Country outlines from a TopoJSON topology (its "countries" object; quantized, delta-encoded
// arcs, https://github.com/topojson/topojson-specification), as the Map page ships them
// (resources/map): no tile or request leaves the machine.
Result<QList<CountryOutline>> readWorldOutlines(const QByteArray &topojson);

// The outlines the application ships (:/map/countries-50m.json), read once.
const QList<CountryOutline> &shippedWorldOutlines();

} // namespace simfleet::models
