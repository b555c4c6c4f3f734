#pragma once

#include "store/devicerepository.h"

#include <QList>
#include <QWidget>

class QLabel;
class QLineEdit;
class QTimer;

namespace simfleet::models {
class AccessController;
}

namespace simfleet::ui {

// The devices drawn where they are over the world's country outlines, which ship with the
// application (no tile or request leaves the machine). Stolen and lost devices in red, recovered
// ones in orange, quarantined ones in purple. The wheel zooms, a drag pans, hovering names a
// device, a double click opens it in the device list.
class MapView : public QWidget
{
    Q_OBJECT
public:
    explicit MapView(QWidget *parent = nullptr);
    void setDevices(QList<store::DeviceRepository::Position> devices);
    // Fits the view to the devices (or Europe when there are none).
    void fit();
    QSize sizeHint() const override { return { 640, 420 }; }

Q_SIGNALS:
    void deviceActivated(const QString &eid);

protected:
    void paintEvent(QPaintEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    QPointF toScreen(double longitude, double latitude) const;
    QPointF toDegrees(QPointF screen) const;
    const store::DeviceRepository::Position *deviceAt(QPointF screen) const;

    QList<store::DeviceRepository::Position> m_devices;
    QPointF m_centre { 10, 50 }; // longitude, latitude
    double m_pixelsPerDegree = 20;
    bool m_userMoved = false; // until the user zooms or pans, the view follows the widget's size
    QPointF m_dragFrom;
    QPointF m_centreAtDrag;
};

class MapPage : public QWidget
{
    Q_OBJECT
public:
    explicit MapPage(models::AccessController *access, QWidget *parent = nullptr);
    void reload();
    void showFiltered(const QString &filter);
    MapView *view() const { return m_view; }

Q_SIGNALS:
    void showDevices(const QString &filter);

private:
    models::AccessController *m_access;
    QLineEdit *m_filter;
    QLabel *m_summary;
    MapView *m_view;
    QTimer *m_debounce;
    quint64 m_generation = 0;
    bool m_fitted = false;
};

} // namespace simfleet::ui
