#include "worldoutlines.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointF>

namespace simfleet::models {

namespace {

// One ring from its arcs: an arc given as ~i runs backwards; each arc after the first starts
// where the one before ended, so its first point is left out.
void addRing(QPainterPath &path, const QJsonArray &arcIndexes, const QList<QList<QPointF>> &arcs)
{
    QList<QPointF> ring;
    for (const QJsonValue &v : arcIndexes) {
        const int index = v.toInt();
        const int arc = index >= 0 ? index : ~index;
        if (arc < 0 || arc >= arcs.size())
            continue;
        QList<QPointF> points = arcs.at(arc);
        if (index < 0)
            std::reverse(points.begin(), points.end());
        if (!ring.isEmpty() && !points.isEmpty())
            points.removeFirst();
        ring += points;
    }
    if (ring.size() < 3)
        return;
    // A ring that crosses the antimeridian (Russia, Fiji) continues past ±180° instead of
    // jumping back across the whole map.
    for (qsizetype i = 1; i < ring.size(); ++i) {
        const double step = ring.at(i).x() - ring.at(i - 1).x();
        if (step > 180)
            ring[i].rx() -= 360;
        else if (step < -180)
            ring[i].rx() += 360;
    }
    path.moveTo(ring.first());
    for (qsizetype i = 1; i < ring.size(); ++i)
        path.lineTo(ring.at(i));
    path.closeSubpath();
}

} // namespace

Result<QList<CountryOutline>> readWorldOutlines(const QByteArray &topojson)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(topojson, &error);
    if (doc.isNull())
        return fail(QStringLiteral("the country outlines are not JSON: %1").arg(error.errorString()));
    const QJsonObject topology = doc.object();
    if (topology.value(QStringLiteral("type")).toString() != u"Topology")
        return fail(QStringLiteral("the country outlines are not a TopoJSON topology"));
    const QJsonObject transform = topology.value(QStringLiteral("transform")).toObject();
    const QJsonArray scale = transform.value(QStringLiteral("scale")).toArray();
    const QJsonArray translate = transform.value(QStringLiteral("translate")).toArray();
    const bool quantized = scale.size() == 2 && translate.size() == 2;
    QList<QList<QPointF>> arcs;
    for (const QJsonValue &arc : topology.value(QStringLiteral("arcs")).toArray()) {
        QList<QPointF> points;
        double x = 0, y = 0;
        for (const QJsonValue &p : arc.toArray()) {
            const QJsonArray xy = p.toArray();
            if (quantized) { // delta-encoded positions
                x += xy.at(0).toDouble();
                y += xy.at(1).toDouble();
                points.append({ x * scale.at(0).toDouble() + translate.at(0).toDouble(),
                                y * scale.at(1).toDouble() + translate.at(1).toDouble() });
            } else {
                points.append({ xy.at(0).toDouble(), xy.at(1).toDouble() });
            }
        }
        arcs.append(std::move(points));
    }
    const QJsonObject countries = topology.value(QStringLiteral("objects")).toObject().value(QStringLiteral("countries")).toObject();
    QList<CountryOutline> out;
    for (const QJsonValue &g : countries.value(QStringLiteral("geometries")).toArray()) {
        const QJsonObject geometry = g.toObject();
        CountryOutline country { geometry.value(QStringLiteral("properties")).toObject().value(QStringLiteral("name")).toString(), {} };
        const QString type = geometry.value(QStringLiteral("type")).toString();
        const QJsonArray polygons = type == u"Polygon" ? QJsonArray { geometry.value(QStringLiteral("arcs")) }
                                                       : geometry.value(QStringLiteral("arcs")).toArray();
        if (type != u"Polygon" && type != u"MultiPolygon")
            continue;
        for (const QJsonValue &polygon : polygons) {
            for (const QJsonValue &ring : polygon.toArray())
                addRing(country.path, ring.toArray(), arcs);
        }
        if (!country.path.isEmpty())
            out.append(std::move(country));
    }
    if (out.isEmpty())
        return fail(QStringLiteral("the country outlines hold no country"));
    return out;
}

const QList<CountryOutline> &shippedWorldOutlines()
{
    static const QList<CountryOutline> outlines = [] {
        QFile file(QStringLiteral(":/map/countries-50m.json"));
        if (!file.open(QIODevice::ReadOnly))
            return QList<CountryOutline> {};
        auto read = readWorldOutlines(file.readAll());
        return read ? read.value() : QList<CountryOutline> {};
    }();
    return outlines;
}

} // namespace simfleet::models
