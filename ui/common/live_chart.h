// A line chart for live training curves. Points are buffered and the chart is redrawn a few
// times per second from a decimated copy (min/max per bucket), so series with hundreds of
// thousands of points stay smooth and the UI thread stays responsive.
// Hovering reads out the nearest points, the wheel zooms, a drag pans, a double-click resets;
// the context menu exports the picture (PNG) and the points (CSV).
#pragma once

#include <QPair>
#include <QPointF>
#include <QVector>
#include <QWidget>

#include <limits>

class CountBars;
class QChart;
class QChartView;
class QCheckBox;
class QLabel;
class QLineSeries;
class QSlider;
class QValueAxis;
class QTimer;

/// Sizes a chart's value axes to its plot: as many ticks at round intervals as fit (labels ~70 px
/// apart across, ~32 px up), with the decimals those need, and no axis titles on a short chart
/// (`viewHeight` < 230), where QtCharts would elide the tick labels to "...". `integerX`: the x
/// values are whole numbers (epochs, steps).
void fitTicks(QChart* chart, QValueAxis* xAxis, QValueAxis* yAxis, int viewHeight, bool integerX);
/// Keeps fitTicks applied to whatever chart `view` shows (its first horizontal and vertical
/// value axes): now (queued, once the chart's layout ran) and on every resize. Call it again
/// after setChart().
void keepTicksFitted(QChartView* view, bool integerX);

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
  /// Whether the series' points are drawn as dots (few points: one alone draws no line).
  bool pointsShown(int series) const;
  /// The most points a series draws.
  void setMaxDrawn(int points) { max_drawn_ = points; }
  /// x values are whole numbers (epochs): ticks at integers only.
  void setIntegerX(bool on) { integer_x_ = on; }
  /// Redraws now when something changed (normally done by the timer).
  void redraw();

  /// Smoothing of the drawn curves (not of the stored points): the weight of an exponential
  /// moving average in [0, 0.99]; 0 draws the raw points.
  void setSmoothing(double weight);
  double smoothing() const { return smoothing_; }
  /// Shows the "Smooth" checkbox and slider under the chart (for noisy loss curves).
  void setSmoothingControl(bool on);

  /// A dashed vertical line at `x` named `label` in the legend (the kept epoch); NaN removes it.
  void setMarker(double x, const QString& label);
  double markerX() const { return marker_x_; }
  /// A sentence under the chart (why the kept epoch was kept); empty hides it.
  void setNote(const QString& text);
  QString note() const;

  /// "epoch 12 · accuracy 0.425 · macro F1 0.41": the drawn point nearest to `x` of each series.
  QString readoutAt(double x) const;
  /// The read-out shown for the mouse's last position over the plot (empty when outside).
  QString hoverText() const { return hover_; }
  /// The tick labels an axis draws (for tests).
  QStringList axisLabels(Qt::Orientation orientation) const;

  /// Zooms both axes by `factor` (< 1 zooms in) around `center` (value coordinates).
  void zoomBy(double factor, QPointF center);
  /// Moves the view by value deltas.
  void panBy(double dx, double dy);
  /// Back to the automatic range that follows the data.
  void resetZoom();
  bool isZoomed() const { return zoomed_; }
  QPair<double, double> xRange() const;
  QPair<double, double> yRange() const;

  /// The chart as drawn, as a PNG file; the stored points as CSV (series,x,y). False when the
  /// file cannot be written.
  bool exportPng(const QString& file) const;
  bool exportCsv(const QString& file) const;

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;

 private:
  struct Series {
    QLineSeries* line = nullptr;
    QVector<QPointF> points;
  };
  QVector<QPointF> decimate(const QVector<QPointF>& points) const;
  QVector<QPointF> smoothed(const QVector<QPointF>& points) const;
  /// Tick intervals and label decimals for the current ranges and size.
  void retick();
  void placeMarker();
  void placeSmoothingControl();
  QPointF valueAt(const QPoint& viewportPos) const;
  void showMenu(const QPoint& pos);

  QChart* chart_ = nullptr;
  QChartView* view_ = nullptr;
  QValueAxis* x_axis_ = nullptr;
  QValueAxis* y_axis_ = nullptr;
  QTimer* timer_ = nullptr;
  QVector<Series> series_;
  QLineSeries* marker_ = nullptr;
  QLabel* note_ = nullptr;
  QWidget* smooth_row_ = nullptr;
  QCheckBox* smooth_on_ = nullptr;
  QSlider* smooth_weight_ = nullptr;
  bool dirty_ = false;
  int max_drawn_ = 1200;
  bool integer_x_ = false;
  double smoothing_ = 0;
  double marker_x_ = std::numeric_limits<double>::quiet_NaN();
  bool zoomed_ = false;
  QString hover_;
  QPoint drag_from_;
  QPair<double, double> drag_x_, drag_y_;
  bool dragging_ = false;
};

/// Horizontal bars for counts per category (class balance), and histograms.
class BarChart : public QWidget {
  Q_OBJECT

 public:
  BarChart(const QString& title, QWidget* parent = nullptr);
  /// Replaces the bars, one per category, drawn horizontally with their names and counts
  /// (CountBars: a long name is shortened, the tooltip names it in full).
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
  /// setBars' names as drawn, first category first (shortened ones end in "…"), its tooltip
  /// at a point of the bars, and the middle of a category's bar (for tests).
  QStringList categoryLabels() const;
  QString toolTipAt(const QPoint& pos) const;
  QPoint barCenter(int index) const;

 private:
  QChart* chart_ = nullptr;
  QChartView* view_ = nullptr;
  CountBars* counts_ = nullptr;  ///< shown instead of view_ for setBars
  int bars_ = 0;
};
