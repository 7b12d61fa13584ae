// A line chart for live training curves. Points are buffered and the chart is redrawn a few
// times per second from a decimated copy (min/max per bucket), so series with hundreds of
// thousands of points stay smooth and the UI thread stays responsive.
#pragma once

#include <QPointF>
#include <QVector>
#include <QWidget>

class QChart;
class QChartView;
class QLineSeries;
class QValueAxis;
class QTimer;

class LiveChart : public QWidget {
  Q_OBJECT

 public:
  LiveChart(const QString& title, const QString& xTitle, const QString& yTitle,
            QWidget* parent = nullptr);

  /// Adds a series; returns its index.
  int addSeries(const QString& name);
  /// Buffers a point; it shows at the next redraw.
  void append(int series, double x, double y);
  void clear();

  /// Points stored / points drawn (after decimation) for a series.
  int pointCount(int series) const;
  int drawnCount(int series) const;
  QList<QPointF> drawnPoints(int series) const;
  /// The most points a series draws.
  void setMaxDrawn(int points) { max_drawn_ = points; }
  /// x values are whole numbers (epochs): ticks at integers only.
  void setIntegerX(bool on) { integer_x_ = on; }
  /// Redraws now when something changed (normally done by the timer).
  void redraw();

 private:
  struct Series {
    QLineSeries* line = nullptr;
    QVector<QPointF> points;
  };
  QVector<QPointF> decimate(const QVector<QPointF>& points) const;

  QChart* chart_ = nullptr;
  QChartView* view_ = nullptr;
  QValueAxis* x_axis_ = nullptr;
  QValueAxis* y_axis_ = nullptr;
  QTimer* timer_ = nullptr;
  QVector<Series> series_;
  bool dirty_ = false;
  int max_drawn_ = 1200;
  bool integer_x_ = false;
};

/// Horizontal bars for counts per category (class balance), and histograms.
class BarChart : public QWidget {
  Q_OBJECT

 public:
  BarChart(const QString& title, QWidget* parent = nullptr);
  /// Replaces the bars, one per category, drawn horizontally (names on the left axis, thinned
  /// out when many).
  void setBars(const QStringList& categories, const QVector<double>& values,
               const QString& seriesName = QString());
  /// A histogram: `counts[i]` is the bin [lo + i*w, lo + (i+1)*w) with w = (hi - lo) / n. The
  /// x axis is a value axis over [lo, hi] (readable tick labels however many bins there are).
  void setHistogram(double lo, double hi, const QVector<double>& counts,
                    const QString& xTitle = QString());
  void clear();
  int barCount() const { return bars_; }
  /// The horizontal axis' tick labels (for tests): value ticks, or categories.
  QStringList axisLabels() const;

 private:
  QChart* chart_ = nullptr;
  QChartView* view_ = nullptr;
  int bars_ = 0;
};
