#include "mappage.h"
#include "pagewidgets.h"

#include "accesscontroller.h"
#include "worldoutlines.h"

#include "access/session.h"
#include "fleet/devicefilter.h"
#include "fleet/fleetqueries.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QTimer>
#include <QToolTip>
#include <QVBoxLayout>
#include <QWheelEvent>

#include <cmath>

namespace simfleet::ui {

namespace {

QColor colourOf(const store::DeviceRepository::Position &p)
{
    if (p.custody == u"stolen" || p.custody == u"lost")
        return QColor(0xd0, 0x21, 0x2a);
    if (p.custody == u"recovered")
        return QColor(0xe0, 0x8a, 0x00);
    if (p.quarantined)
        return QColor(0x8e, 0x44, 0xad);
    return QColor(0x3a, 0x78, 0xb5);
}

bool held(const store::DeviceRepository::Position &p)
{
    return p.custody != u"in-service" || p.quarantined;
}

} // namespace

MapView::MapView(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("mapView"));
    setMouseTracking(true);
    setMinimumSize(320, 220);
    setAccessibleName(tr("Map of the devices"));
}

void MapView::setDevices(QList<store::DeviceRepository::Position> devices)
{
    m_devices = std::move(devices);
    // Held devices drawn last, on top of the others.
    std::stable_partition(m_devices.begin(), m_devices.end(), [](const auto &p) { return !held(p); });
    update();
}

void MapView::fit()
{
    m_userMoved = false;
    if (m_devices.isEmpty()) {
        m_centre = { 10, 50 };
        m_pixelsPerDegree = std::max(4.0, width() / 60.0);
        update();
        return;
    }
    double west = 180, east = -180, south = 90, north = -90;
    for (const auto &p : std::as_const(m_devices)) {
        west = std::min(west, p.longitude);
        east = std::max(east, p.longitude);
        south = std::min(south, p.latitude);
        north = std::max(north, p.latitude);
    }
    m_centre = { (west + east) / 2, (south + north) / 2 };
    const double stretch = std::cos(qDegreesToRadians(m_centre.y()));
    const double spanX = std::max(2.0, (east - west) * 1.3) * stretch;
    const double spanY = std::max(2.0, (north - south) * 1.3);
    m_pixelsPerDegree = std::min(width() / spanX, height() / spanY);
    update();
}

// Equirectangular, stretched for the latitude in the middle (so shapes look right near it).
QPointF MapView::toScreen(double longitude, double latitude) const
{
    const double stretch = std::cos(qDegreesToRadians(m_centre.y()));
    return { width() / 2.0 + (longitude - m_centre.x()) * stretch * m_pixelsPerDegree,
             height() / 2.0 - (latitude - m_centre.y()) * m_pixelsPerDegree };
}

QPointF MapView::toDegrees(QPointF screen) const
{
    const double stretch = std::cos(qDegreesToRadians(m_centre.y()));
    return { m_centre.x() + (screen.x() - width() / 2.0) / (stretch * m_pixelsPerDegree),
             m_centre.y() - (screen.y() - height() / 2.0) / m_pixelsPerDegree };
}

void MapView::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.fillRect(rect(), QColor(0xdd, 0xea, 0xf3)); // the sea
    const double stretch = std::cos(qDegreesToRadians(m_centre.y()));
    QTransform toView;
    toView.translate(width() / 2.0, height() / 2.0);
    toView.scale(stretch * m_pixelsPerDegree, -m_pixelsPerDegree);
    toView.translate(-m_centre.x(), -m_centre.y());
    const QRectF visible = toView.inverted().mapRect(QRectF(rect()));
    painter.setPen(QPen(QColor(0x9a, 0xa5, 0xad), 0.8));
    painter.setBrush(QColor(0xf4, 0xf1, 0xea));
    for (const models::CountryOutline &c : models::shippedWorldOutlines()) {
        if (!c.path.boundingRect().intersects(visible))
            continue;
        painter.drawPath(toView.map(c.path));
    }
    const double radius = std::clamp(m_pixelsPerDegree / 25.0, 2.0, 5.0);
    painter.setPen(Qt::NoPen);
    for (const auto &p : std::as_const(m_devices)) {
        const QPointF at = toScreen(p.longitude, p.latitude);
        if (!rect().adjusted(-10, -10, 10, 10).contains(at.toPoint()))
            continue;
        const bool marked = held(p);
        painter.setBrush(colourOf(p));
        painter.drawEllipse(at, marked ? radius * 2 : radius, marked ? radius * 2 : radius);
        if (marked) {
            painter.setPen(QPen(Qt::white, 1.2));
            painter.drawEllipse(at, radius * 2, radius * 2);
            painter.setPen(Qt::NoPen);
        }
    }
}

void MapView::wheelEvent(QWheelEvent *event)
{
    // Zooms about the point under the pointer.
    const QPointF before = toDegrees(event->position());
    const double factor = std::pow(1.0015, event->angleDelta().y());
    m_pixelsPerDegree = std::clamp(m_pixelsPerDegree * factor, 1.0, 4000.0);
    const QPointF after = toDegrees(event->position());
    m_centre += before - after;
    m_userMoved = true;
    update();
}

void MapView::mousePressEvent(QMouseEvent *event)
{
    m_dragFrom = event->position();
    m_centreAtDrag = m_centre;
}

void MapView::mouseMoveEvent(QMouseEvent *event)
{
    if (event->buttons() & Qt::LeftButton) {
        const double stretch = std::cos(qDegreesToRadians(m_centre.y()));
        const QPointF moved = event->position() - m_dragFrom;
        m_centre = m_centreAtDrag - QPointF(moved.x() / (stretch * m_pixelsPerDegree), -moved.y() / m_pixelsPerDegree);
        m_userMoved = true;
        update();
        return;
    }
    if (const auto *p = deviceAt(event->position())) {
        QString text = QStringLiteral("%1\n%2 · %3").arg(p->eid, p->label, p->fleet);
        if (p->custody != u"in-service")
            text += u'\n' + tr("reported %1").arg(p->custody);
        if (p->quarantined)
            text += u'\n' + tr("quarantined");
        QToolTip::showText(event->globalPosition().toPoint(), text, this);
    } else {
        QToolTip::hideText();
    }
}

void MapView::mouseDoubleClickEvent(QMouseEvent *event)
{
    if (const auto *p = deviceAt(event->position()))
        Q_EMIT deviceActivated(p->eid);
}

void MapView::resizeEvent(QResizeEvent *)
{
    if (!m_userMoved)
        fit();
    update();
}

const store::DeviceRepository::Position *MapView::deviceAt(QPointF screen) const
{
    const store::DeviceRepository::Position *nearest = nullptr;
    double best = 8 * 8;
    // Held devices are drawn on top: they win ties.
    for (auto it = m_devices.crbegin(); it != m_devices.crend(); ++it) {
        const QPointF d = toScreen(it->longitude, it->latitude) - screen;
        const double distance = d.x() * d.x() + d.y() * d.y();
        if (distance < best) {
            best = distance;
            nearest = &*it;
        }
    }
    return nearest;
}

MapPage::MapPage(models::AccessController *access, QWidget *parent)
    : QWidget(parent), m_access(access), m_filter(new QLineEdit(this)), m_summary(new QLabel(this)), m_view(new MapView(this)),
      m_debounce(new QTimer(this))
{
    setObjectName(QStringLiteral("mapPage"));
    auto *title = pageTitle(tr("Map"), this);
    m_filter->setObjectName(QStringLiteral("mapFilter"));
    m_filter->setPlaceholderText(tr("Filter as on the Devices page, e.g. fleet=Container trackers or custody=stolen"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setAccessibleName(tr("Filter the devices on the map"));
    m_summary->setObjectName(QStringLiteral("mapSummary"));
    m_summary->setWordWrap(true);
    auto *legend = new QLabel(tr("<span style=\"color:#3a78b5\">●</span> in service &nbsp; "
                                 "<span style=\"color:#d0212a\">●</span> stolen or lost &nbsp; "
                                 "<span style=\"color:#e08a00\">●</span> recovered, awaiting attestation &nbsp; "
                                 "<span style=\"color:#8e44ad\">●</span> quarantined &nbsp; · country outlines: Natural Earth"),
                              this);
    legend->setTextFormat(Qt::RichText);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(title);
    layout->addWidget(m_filter);
    layout->addWidget(m_summary);
    layout->addWidget(m_view, 1);
    layout->addWidget(legend);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(300);
    connect(m_filter, &QLineEdit::textChanged, m_debounce, qOverload<>(&QTimer::start));
    connect(m_debounce, &QTimer::timeout, this, [this] {
        m_fitted = false;
        reload();
    });
    connect(m_view, &MapView::deviceActivated, this, [this](const QString &eid) { Q_EMIT showDevices(QStringLiteral("eid=") + eid); });
}

void MapPage::showFiltered(const QString &filter)
{
    m_filter->setText(filter);
    m_debounce->stop();
    m_fitted = false;
    reload();
}

void MapPage::reload()
{
    store::DeviceRepository::PageQuery query;
    if (const QString text = m_filter->text().trimmed(); !text.isEmpty()) {
        auto parsed = fleet::DeviceFilter::parse(text);
        if (!parsed) {
            m_summary->setText(parsed.errorMessage());
            return;
        }
        const access::Session *session = m_access->session();
        query.where = session ? parsed->whereClause(&query.values, session->scope()) : parsed->whereClause(&query.values);
    }
    const quint64 generation = ++m_generation;
    using Positions = QList<store::DeviceRepository::Position>;
    m_access->request<Positions>(
        this,
        [query](store::Workspace &ws, const access::Session &by) -> Result<Positions> {
            return fleet::FleetQueries(ws).devicePositions(by, query);
        },
        [this, generation](const Result<Positions> &read) {
            if (generation != m_generation)
                return;
            if (!read) {
                m_view->setDevices({});
                m_summary->setText(tr("The devices could not be read: %1").arg(read.errorMessage()));
                return;
            }
            qint64 marked = 0;
            for (const auto &p : read.value())
                marked += held(p) ? 1 : 0;
            m_view->setDevices(read.value());
            if (!m_fitted) {
                m_view->fit();
                m_fitted = true;
            }
            m_summary->setText(tr("%n device(s) on the map; %1 stolen, lost, recovered or quarantined.", nullptr,
                                  int(read->size()))
                                   .arg(QLocale().toString(marked)));
        });
}

} // namespace simfleet::ui
