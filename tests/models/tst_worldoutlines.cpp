// The Map page's country outlines: the TopoJSON the application ships decodes into countries in
// degrees, and a file that is not one is refused with a reason.
#include "worldoutlines.h"

#include <QTest>

using namespace simfleet;

class TestWorldOutlines : public QObject
{
    Q_OBJECT

private slots:
    void shippedOutlinesPlaceCities()
    {
        const auto &outlines = models::shippedWorldOutlines();
        QVERIFY(outlines.size() > 200);
        const auto find = [&outlines](const QString &name) -> const models::CountryOutline * {
            for (const auto &c : outlines) {
                if (c.name == name)
                    return &c;
            }
            return nullptr;
        };
        const auto *germany = find(QStringLiteral("Germany"));
        const auto *france = find(QStringLiteral("France"));
        const auto *uk = find(QStringLiteral("United Kingdom"));
        QVERIFY(germany && france && uk);
        const QPointF berlin(13.40, 52.52), paris(2.35, 48.86), manchester(-2.24, 53.48);
        QVERIFY(germany->path.contains(berlin));
        QVERIFY(!germany->path.contains(paris));
        QVERIFY(france->path.contains(paris));
        QVERIFY(uk->path.contains(manchester));
        QVERIFY(!uk->path.contains(berlin));
    }

    void notATopologyIsRefused_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QString>("message");
        QTest::newRow("not JSON") << QByteArray("{\"type\":") << QStringLiteral("not JSON");
        QTest::newRow("GeoJSON") << QByteArray("{\"type\":\"FeatureCollection\",\"features\":[]}") << QStringLiteral("not a TopoJSON");
        QTest::newRow("no countries") << QByteArray("{\"type\":\"Topology\",\"objects\":{},\"arcs\":[]}") << QStringLiteral("no country");
        QTest::newRow("arcs out of range")
            << QByteArray("{\"type\":\"Topology\",\"objects\":{\"countries\":{\"type\":\"GeometryCollection\",\"geometries\":"
                          "[{\"type\":\"Polygon\",\"arcs\":[[7,-9]],\"properties\":{\"name\":\"Nowhere\"}}]}},\"arcs\":[]}")
            << QStringLiteral("no country");
    }

    void notATopologyIsRefused()
    {
        QFETCH(QByteArray, input);
        QFETCH(QString, message);
        const auto read = models::readWorldOutlines(input);
        QVERIFY(!read);
        QVERIFY2(read.errorMessage().contains(message), qPrintable(read.errorMessage()));
    }
};

QTEST_GUILESS_MAIN(TestWorldOutlines)
#include "tst_worldoutlines.moc"
