#include "ui/common/live_chart.h"

#include "ui/common/count_bars.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QFileDialog>
#include <QFontMetrics>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegendMarker>
#include <QLineSeries>
#include <QMenu>
#include <QMessageBox>
#include <QMouseEvent>
#include <QSaveFile>
#include <QSlider>
#include <QTextStream>
#include <QTimer>
#include <QToolTip>
#include <QVBoxLayout>
#include <QValueAxis>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <limits>

namespace {
QChartView* makeView(QChart* chart, QWidget* parent) {
  chart->setMargins(QMargins(4, 4, 4, 4));
  chart->legend()->setAlignment(Qt::AlignBottom);
  auto* view = new QChartView(chart, parent);
  view->setRenderHint(QPainter::Antialiasing);
  view->setMinimumHeight(140);  // room for the other rows at 1024x700
  auto* layout = new QVBoxLayout(parent);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(view);
  return view;
}
// A count axis from 0 with round tick values (0, 250, 500, ... rather than 0, 376.95, ...).
QValueAxis* countAxis(QChart* chart, double top, Qt::Alignment side = Qt::AlignLeft) {
  auto* y = new QValueAxis;
  y->setRange(0, top > 0 ? top * 1.05 : 1);
  y->applyNiceNumbers();
  y->setLabelFormat(QStringLiteral("%g"));
  chart->addAxis(y, side);
  return y;
}

// 1, 2, 2.5 or 5 times a power of ten, at least `raw`: a tick interval with round labels.
double niceStep(double raw) {
  if (!(raw > 0) || !std::isfinite(raw)) return 1.0;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 2.5, 5.0})
    if (raw <= m * magnitude * (1 + 1e-9)) return m * magnitude;
  return 10.0 * magnitude;
}

// Ticks at multiples of a round interval over the axis' exact range (at least `minStep`).
void roundTicks(QValueAxis* axis, double span, double minStep = 0) {
  axis->setTickType(QValueAxis::TicksDynamic);
  axis->setTickAnchor(0.0);
  axis->setTickInterval(std::max(minStep, niceStep(span / 5.0)));
}

// As many decimals as multiples of `interval` need: 2.5 -> "%.1f", 0.25 -> "%.2f", 20 -> "%.0f".
QString decimalsFormat(double interval) {
  for (int d = 0; d < 6; ++d) {
    const double scaled = interval * std::pow(10.0, d);
    if (std::abs(scaled - std::round(scaled)) < 1e-6 * std::max(1.0, scaled))
      return QStringLiteral("%.%1f").arg(d);
  }
  return QStringLiteral("%g");
}

// The labels a value axis draws: its dynamic ticks, or its fixed tick count.
QStringList valueAxisLabels(const QValueAxis* values) {
  QStringList labels;
  const QByteArray format = values->labelFormat().toLatin1();
  if (values->tickType() == QValueAxis::TicksDynamic && values->tickInterval() > 0) {
    const double step = values->tickInterval(), anchor = values->tickAnchor();
    for (double v = anchor + std::ceil((values->min() - anchor) / step - 1e-9) * step;
         v <= values->max() + step * 1e-9; v += step)
      labels << QString::asprintf(format.constData(), std::abs(v) < step * 1e-9 ? 0.0 : v);
  } else {
    const int n = values->tickCount();
    for (int i = 0; i < n; ++i)
      labels << QString::asprintf(
          format.constData(),
          values->min() + (values->max() - values->min()) * i / std::max(1, n - 1));
  }
  return labels;
}
}  // namespace

void fitTicks(QChart* chart, QValueAxis* xAxis, QValueAxis* yAxis, int viewHeight, bool integerX) {
  // As many ticks as the plot has room for (labels ~70 px apart across, ~32 px up), at round
  // intervals, with the decimals those need: no "1.38 / 1.38 / 1.38", no elided labels.
  // A short chart (1024x700) drops its axis titles: QtCharts elides tick labels to "..." when
  // labels and titles do not both fit.
  const bool roomy = viewHeight >= 230;
  xAxis->setTitleVisible(roomy);
  yAxis->setTitleVisible(roomy);
  const QRectF plot = chart->plotArea();
  const double width = plot.width() > 10 ? plot.width() : 400;
  const double height = plot.height() > 10 ? plot.height() : 200;
  const double xSpan = xAxis->max() - xAxis->min();
  const double ySpan = yAxis->max() - yAxis->min();
  const double xStep =
      std::max(integerX ? 1.0 : 0.0, niceStep(xSpan / std::clamp(width / 70.0, 2.0, 10.0)));
  const double yStep = niceStep(ySpan / std::clamp(height / 32.0, 1.0, 8.0));
  for (auto [axis, step] : {std::pair{xAxis, xStep}, std::pair{yAxis, yStep}}) {
    // At least two labels: a round step that would leave one gets a finer round step.
    const double span = axis->max() - axis->min();
    // An empty axis (0..0, before any data): refining its step would end near 1e-12, and the
    // next setRange(0, 1) would then lay out a trillion ticks.
    if (!(span > 0)) continue;
    const double floorStep = axis == xAxis && integerX ? 1.0 : 0.0;
    while (span / step < 2 && step / 2.5 > floorStep && step > 1e-12) step = niceStep(step / 2.5);
    if (floorStep > 0) step = std::max(1.0, std::floor(step));  // epochs: 2, not 2.5
    axis->setTickType(QValueAxis::TicksDynamic);
    axis->setTickAnchor(0.0);
    axis->setTickInterval(step);
    axis->setLabelFormat(decimalsFormat(step));
  }
}

namespace {
// Re-fits the ticks of whichever chart a view shows whenever the view is resized (the plot
// area follows the new size once the chart's layout ran, hence the queued call).
class TickFitter : public QObject {
 public:
  TickFitter(QChartView* view, bool integerX) : QObject(view), view_(view), integer_x_(integerX) {
    view->installEventFilter(this);
  }
  void fit() {
    QChart* chart = view_->chart();
    if (!chart) return;
    QValueAxis* x = nullptr;
    QValueAxis* y = nullptr;
    for (QAbstractAxis* axis : chart->axes()) {
      auto* values = qobject_cast<QValueAxis*>(axis);
      if (!values) continue;
      (axis->orientation() == Qt::Horizontal ? x : y) = values;
    }
    if (x && y) fitTicks(chart, x, y, view_->height(), integer_x_);
  }

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override {
    if (watched == view_ && (event->type() == QEvent::Resize || event->type() == QEvent::Show))
      QTimer::singleShot(0, this, [this] { fit(); });
    return false;
  }

 private:
  QChartView* view_;
  bool integer_x_;
};
}  // namespace

void keepTicksFitted(QChartView* view, bool integerX) {
  TickFitter* fitter = nullptr;  // not a Q_OBJECT: findChild<>() would take any QObject
  for (QObject* child : view->children())
    if (auto* f = dynamic_cast<TickFitter*>(child)) fitter = f;
  if (!fitter) fitter = new TickFitter(view, integerX);
  QTimer::singleShot(0, fitter, [fitter] { fitter->fit(); });
}

LiveChart::LiveChart(const QString& title, const QString& xTitle, const QString& yTitle,
                     QWidget* parent)
    : QWidget(parent), chart_(new QChart) {
  chart_->setTitle(title);
  x_axis_ = new QValueAxis(chart_);
  x_axis_->setTitleText(xTitle);
  x_axis_->setLabelFormat(QStringLiteral("%g"));
  y_axis_ = new QValueAxis(chart_);
  y_axis_->setTitleText(yTitle);
  y_axis_->setLabelFormat(QStringLiteral("%.3g"));
  chart_->addAxis(x_axis_, Qt::AlignBottom);
  chart_->addAxis(y_axis_, Qt::AlignLeft);
  view_ = makeView(chart_, this);
  view_->viewport()->setMouseTracking(true);
  view_->viewport()->installEventFilter(this);
  view_->setContextMenuPolicy(Qt::CustomContextMenu);
  connect(view_, &QWidget::customContextMenuRequested, this, &LiveChart::showMenu);

  // The smoothing control (hidden unless asked for) sits in the chart's top-right corner, so
  // that it takes no height from the plot; the note goes under the chart.
  smooth_row_ = new QWidget(view_);
  smooth_on_ = new QCheckBox(tr("Smooth"), smooth_row_);
  smooth_on_->setToolTip(tr("Draw an exponential moving average of the curves"));
  smooth_weight_ = new QSlider(Qt::Horizontal, smooth_row_);
  smooth_weight_->setRange(0, 99);
  smooth_weight_->setValue(60);
  smooth_weight_->setEnabled(false);
  smooth_weight_->setFixedWidth(70);
  auto* row = new QHBoxLayout(smooth_row_);
  row->setContentsMargins(0, 0, 0, 0);
  row->addWidget(smooth_on_);
  row->addWidget(smooth_weight_);
  smooth_row_->hide();
  auto apply = [this] {
    smooth_weight_->setEnabled(smooth_on_->isChecked());
    smoothing_ = smooth_on_->isChecked() ? smooth_weight_->value() / 100.0 : 0.0;
    dirty_ = true;
    redraw();
  };
  connect(smooth_on_, &QCheckBox::toggled, this, apply);
  connect(smooth_weight_, &QSlider::valueChanged, this, apply);
  note_ = new QLabel(this);
  note_->setWordWrap(true);
  note_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  note_->hide();
  auto* layout = qobject_cast<QVBoxLayout*>(this->layout());
  layout->addWidget(note_);

  timer_ = new QTimer(this);
  timer_->setInterval(250);  // a few redraws per second are enough for the eye
  connect(timer_, &QTimer::timeout, this, &LiveChart::redraw);
  timer_->start();
}

int LiveChart::addSeries(const QString& name) {
  Series s;
  s.line = new QLineSeries(chart_);
  s.line->setName(name);
  s.line->setUseOpenGL(false);
  chart_->addSeries(s.line);
  s.line->attachAxis(x_axis_);
  s.line->attachAxis(y_axis_);
  series_.append(s);
  return series_.size() - 1;
}

void LiveChart::append(int series, double x, double y) {
  if (series < 0 || series >= series_.size() || !std::isfinite(x) || !std::isfinite(y)) return;
  series_[series].points.append(QPointF(x, y));
  dirty_ = true;
}

void LiveChart::clear() {
  for (Series& s : series_) {
    s.points.clear();
    s.line->clear();
  }
  zoomed_ = false;
  x_axis_->setRange(0, 1);
  y_axis_->setRange(0, 1);
  setMarker(std::numeric_limits<double>::quiet_NaN(), QString());
  setNote(QString());
  dirty_ = false;
}

int LiveChart::pointCount(int series) const {
  return series >= 0 && series < series_.size() ? series_[series].points.size() : 0;
}

int LiveChart::drawnCount(int series) const {
  return series >= 0 && series < series_.size() ? series_[series].line->count() : 0;
}

QList<QPointF> LiveChart::drawnPoints(int series) const {
  return series >= 0 && series < series_.size() ? series_[series].line->points() : QList<QPointF>();
}

bool LiveChart::pointsShown(int series) const {
  return series >= 0 && series < series_.size() && series_[series].line->pointsVisible();
}

QVector<QPointF> LiveChart::decimate(const QVector<QPointF>& points) const {
  if (points.size() <= max_drawn_) return points;
  // Keep each bucket's min and max (in x order) so spikes stay visible.
  const int buckets = std::max(1, max_drawn_ / 2);
  const double per = double(points.size()) / buckets;
  QVector<QPointF> out;
  out.reserve(buckets * 2);
  for (int b = 0; b < buckets; ++b) {
    const int begin = int(b * per);
    const int end = std::min<int>(points.size(), int((b + 1) * per));
    if (begin >= end) continue;
    int lo = begin, hi = begin;
    for (int i = begin; i < end; ++i) {
      if (points[i].y() < points[lo].y()) lo = i;
      if (points[i].y() > points[hi].y()) hi = i;
    }
    out.append(points[std::min(lo, hi)]);
    if (lo != hi) out.append(points[std::max(lo, hi)]);
  }
  return out;
}

QVector<QPointF> LiveChart::smoothed(const QVector<QPointF>& points) const {
  if (smoothing_ <= 0 || points.isEmpty()) return points;
  QVector<QPointF> out;
  out.reserve(points.size());
  double s = points.first().y();
  for (const QPointF& p : points) {
    s = smoothing_ * s + (1 - smoothing_) * p.y();
    out.append(QPointF(p.x(), s));
  }
  return out;
}

void LiveChart::setSmoothing(double weight) {
  weight = std::clamp(weight, 0.0, 0.99);
  const QSignalBlocker a(smooth_on_), b(smooth_weight_);
  smooth_on_->setChecked(weight > 0);
  if (weight > 0) smooth_weight_->setValue(int(std::lround(weight * 100)));
  smooth_weight_->setEnabled(weight > 0);
  smoothing_ = weight;
  dirty_ = true;
  redraw();
}

void LiveChart::setSmoothingControl(bool on) {
  smooth_row_->setVisible(on);
  placeSmoothingControl();
}

void LiveChart::placeSmoothingControl() {
  smooth_row_->adjustSize();
  const int left = std::max(0, view_->width() - smooth_row_->width() - 2);
  smooth_row_->move(left, 2);
  // In a narrow chart the control would cover the centred title: the chart then starts below it.
  const int titleRight =
      (view_->width() + QFontMetrics(chart_->titleFont()).horizontalAdvance(chart_->title())) / 2;
  const bool overlaps =
      !smooth_row_->isHidden() && !chart_->title().isEmpty() && left < titleRight + 4;
  const int top = overlaps ? smooth_row_->height() + 2 : 4;
  if (chart_->margins().top() != top) chart_->setMargins(QMargins(4, top, 4, 4));
}

void LiveChart::setMarker(double x, const QString& label) {
  marker_x_ = x;
  if (!std::isfinite(x)) {
    if (marker_) marker_->hide();
    return;
  }
  if (!marker_) {
    marker_ = new QLineSeries(chart_);
    QPen pen(QColor(90, 90, 90));
    pen.setStyle(Qt::DashLine);
    pen.setWidthF(1.5);
    marker_->setPen(pen);
    chart_->addSeries(marker_);
    marker_->attachAxis(x_axis_);
    marker_->attachAxis(y_axis_);
    // Not in the legend: a narrow chart elides every entry once there is one more.
    for (QLegendMarker* entry : chart_->legend()->markers(marker_)) entry->setVisible(false);
  }
  marker_->setName(label);
  marker_->show();
  placeMarker();
}

void LiveChart::placeMarker() {
  if (!marker_ || !std::isfinite(marker_x_)) return;
  marker_->replace({QPointF(marker_x_, y_axis_->min()), QPointF(marker_x_, y_axis_->max())});
}

void LiveChart::setNote(const QString& text) {
  note_->setText(text);
  note_->setVisible(!text.isEmpty());
}

QString LiveChart::note() const {
  return note_->text();
}

namespace {
constexpr int kDotsUpTo = 40;
}  // namespace

void LiveChart::redraw() {
  if (!dirty_) return;
  dirty_ = false;
  double x0 = std::numeric_limits<double>::max(), x1 = std::numeric_limits<double>::lowest();
  double y0 = x0, y1 = x1;
  for (Series& s : series_) {
    if (s.points.isEmpty()) {
      s.line->clear();
      continue;
    }
    const QVector<QPointF> drawn = decimate(smoothed(s.points));
    for (const QPointF& p : drawn) {
      x0 = std::min(x0, p.x());
      x1 = std::max(x1, p.x());
      y0 = std::min(y0, p.y());
      y1 = std::max(y1, p.y());
    }
    s.line->replace(QList<QPointF>(drawn.begin(), drawn.end()));
    // A line of one point draws nothing (a run's first epoch): few points show as dots too.
    s.line->setPointsVisible(drawn.size() <= kDotsUpTo);
  }
  if (x0 > x1 || zoomed_) return;  // a zoomed view stays where the user put it
  if (std::isfinite(marker_x_)) {
    x0 = std::min(x0, marker_x_);
    x1 = std::max(x1, marker_x_);
  }
  if (x1 - x0 < 1e-12) x1 = x0 + 1;
  // A flat curve (e.g. alive units that stay put) gets a visible range, not 128 five times.
  const double pad = y1 > y0 ? (y1 - y0) * 0.05 : std::max(1e-3, std::abs(y0) * 0.05);
  x_axis_->setRange(x0, x1);
  // Data that is never negative (losses, scores, counts) keeps an axis that starts at 0 or above.
  y_axis_->setRange(y0 >= 0 ? std::max(0.0, y0 - pad) : y0 - pad, y1 + pad);
  retick();
}

void LiveChart::retick() {
  fitTicks(chart_, x_axis_, y_axis_, view_->height(), integer_x_);
  placeMarker();
}

void LiveChart::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  placeSmoothingControl();
  // The plot area follows the new size once the chart's layout ran.
  QTimer::singleShot(0, this, &LiveChart::retick);
}

QString LiveChart::readoutAt(double x) const {
  QStringList parts;
  double shownX = std::numeric_limits<double>::quiet_NaN();
  for (const Series& s : series_) {
    const QList<QPointF> points = s.line->points();
    if (points.isEmpty()) continue;
    const auto nearest =
        std::min_element(points.begin(), points.end(), [x](const QPointF& a, const QPointF& b) {
          return std::abs(a.x() - x) < std::abs(b.x() - x);
        });
    if (!std::isfinite(shownX)) shownX = nearest->x();
    parts << QStringLiteral("%1 %2").arg(s.line->name(), QString::number(nearest->y(), 'g', 4));
  }
  if (parts.isEmpty()) return QString();
  const QString xName = x_axis_->titleText().isEmpty() ? QStringLiteral("x") : x_axis_->titleText();
  parts.prepend(QStringLiteral("%1 %2").arg(xName, QString::number(shownX, 'g', 6)));
  return parts.join(QStringLiteral(" · "));
}

QStringList LiveChart::axisLabels(Qt::Orientation orientation) const {
  return valueAxisLabels(orientation == Qt::Horizontal ? x_axis_ : y_axis_);
}

QPair<double, double> LiveChart::xRange() const {
  return {x_axis_->min(), x_axis_->max()};
}

QPair<double, double> LiveChart::yRange() const {
  return {y_axis_->min(), y_axis_->max()};
}

void LiveChart::zoomBy(double factor, QPointF center) {
  if (!(factor > 0)) return;
  const double xa = center.x() - (center.x() - x_axis_->min()) * factor;
  const double xb = center.x() + (x_axis_->max() - center.x()) * factor;
  const double ya = center.y() - (center.y() - y_axis_->min()) * factor;
  const double yb = center.y() + (y_axis_->max() - center.y()) * factor;
  if (!(xb - xa > 1e-12) || !(yb - ya > 1e-12)) return;
  zoomed_ = true;
  x_axis_->setRange(xa, xb);
  y_axis_->setRange(ya, yb);
  retick();
}

void LiveChart::panBy(double dx, double dy) {
  zoomed_ = true;
  x_axis_->setRange(x_axis_->min() + dx, x_axis_->max() + dx);
  y_axis_->setRange(y_axis_->min() + dy, y_axis_->max() + dy);
  retick();
}

void LiveChart::resetZoom() {
  zoomed_ = false;
  dirty_ = true;
  redraw();
}

QPointF LiveChart::valueAt(const QPoint& viewportPos) const {
  return chart_->mapToValue(chart_->mapFromScene(view_->mapToScene(viewportPos)));
}

bool LiveChart::eventFilter(QObject* watched, QEvent* event) {
  if (watched != view_->viewport()) return QWidget::eventFilter(watched, event);
  switch (event->type()) {
    case QEvent::Wheel: {
      auto* wheel = static_cast<QWheelEvent*>(event);
      const double steps = wheel->angleDelta().y() / 120.0;
      if (steps == 0) return false;
      zoomBy(std::pow(0.8, steps), valueAt(wheel->position().toPoint()));
      return true;
    }
    case QEvent::MouseButtonPress: {
      auto* mouse = static_cast<QMouseEvent*>(event);
      if (mouse->button() != Qt::LeftButton) return false;
      dragging_ = true;
      drag_from_ = mouse->position().toPoint();
      drag_x_ = xRange();
      drag_y_ = yRange();
      return true;
    }
    case QEvent::MouseMove: {
      auto* mouse = static_cast<QMouseEvent*>(event);
      const QPoint pos = mouse->position().toPoint();
      if (dragging_ && (mouse->buttons() & Qt::LeftButton)) {
        const QRectF plot = chart_->plotArea();
        if (plot.width() < 1 || plot.height() < 1) return true;
        const QPoint d = pos - drag_from_;
        const double dx = -d.x() / plot.width() * (drag_x_.second - drag_x_.first);
        const double dy = d.y() / plot.height() * (drag_y_.second - drag_y_.first);
        zoomed_ = true;
        x_axis_->setRange(drag_x_.first + dx, drag_x_.second + dx);
        y_axis_->setRange(drag_y_.first + dy, drag_y_.second + dy);
        retick();
        return true;
      }
      const QPointF scenePos = view_->mapToScene(pos);
      if (chart_->plotArea().contains(chart_->mapFromScene(scenePos))) {
        hover_ = readoutAt(valueAt(pos).x());
        QToolTip::showText(mouse->globalPosition().toPoint(), hover_, view_);
      } else {
        hover_.clear();
        QToolTip::hideText();
      }
      return false;
    }
    case QEvent::MouseButtonRelease:
      dragging_ = false;
      return false;
    case QEvent::MouseButtonDblClick:
      dragging_ = false;
      resetZoom();
      return true;
    case QEvent::Leave:
      hover_.clear();
      return false;
    default:
      return false;
  }
}

bool LiveChart::exportPng(const QString& file) const {
  return view_->grab().save(file, "PNG");
}

bool LiveChart::exportCsv(const QString& file) const {
  QSaveFile out(file);
  if (!out.open(QIODevice::WriteOnly | QIODevice::Text)) return false;
  QTextStream text(&out);
  text << "series,x,y\n";
  for (const Series& s : series_) {
    QString name = s.line->name();
    name.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    for (const QPointF& p : s.points)
      text << '"' << name << "\"," << QString::number(p.x(), 'g', 10) << ','
           << QString::number(p.y(), 'g', 10) << '\n';
  }
  text.flush();
  return out.commit();
}

void LiveChart::showMenu(const QPoint& pos) {
  QMenu menu(this);
  const QString base = chart_->title().isEmpty() ? QStringLiteral("chart") : chart_->title();
  menu.addAction(tr("Export as PNG…"), this, [this, base] {
    const QString file = QFileDialog::getSaveFileName(this, tr("Export chart"), base + ".png",
                                                      tr("PNG image (*.png)"));
    if (!file.isEmpty() && !exportPng(file))
      QMessageBox::warning(this, tr("Export chart"), tr("%1: cannot be written").arg(file));
  });
  menu.addAction(tr("Export as CSV…"), this, [this, base] {
    const QString file = QFileDialog::getSaveFileName(this, tr("Export points"), base + ".csv",
                                                      tr("CSV table (*.csv)"));
    if (!file.isEmpty() && !exportCsv(file))
      QMessageBox::warning(this, tr("Export points"), tr("%1: cannot be written").arg(file));
  });
  menu.addSeparator();
  QAction* reset = menu.addAction(tr("Reset zoom"), this, &LiveChart::resetZoom);
  reset->setEnabled(zoomed_);
  menu.exec(view_->mapToGlobal(pos));
}

BarChart::BarChart(const QString& title, QWidget* parent) : QWidget(parent), chart_(new QChart) {
  chart_->setTitle(title);
  chart_->legend()->hide();
  view_ = makeView(chart_, this);
  counts_ = new CountBars(title, this);
  counts_->hide();
  layout()->addWidget(counts_);
}

void BarChart::clear() {
  chart_->removeAllSeries();
  for (QAbstractAxis* axis : chart_->axes()) {
    chart_->removeAxis(axis);
    delete axis;
  }
  counts_->clear();
  bars_ = 0;
}

void BarChart::setBars(const QStringList& categories, const QVector<double>& values,
                       const QString& /*seriesName*/) {
  clear();
  // Painted, not a QtCharts bar series: its category axis got a few pixels at 1024x700 and
  // drew the names and the count ticks as "...".
  counts_->setBars(categories, values);
  view_->hide();
  counts_->show();
  bars_ = values.size();
}

QStringList BarChart::categoryLabels() const {
  return counts_->drawnLabels();
}

QString BarChart::toolTipAt(const QPoint& pos) const {
  return counts_->toolTipAt(pos);
}

QPoint BarChart::barCenter(int index) const {
  return counts_->barCenter(index);
}

void BarChart::setHistogram(double lo, double hi, const QVector<double>& counts,
                            const QString& xTitle) {
  clear();
  counts_->hide();
  view_->show();
  auto* set = new QBarSet(QString());
  double top = 0;
  for (double v : counts) {
    *set << v;
    top = std::max(top, v);
  }
  auto* series = new QBarSeries;
  series->append(set);
  series->setBarWidth(1.0);
  chart_->addSeries(series);
  // The bars sit on a hidden category axis (bin i spans [i - 0.5, i + 0.5]), whose full range
  // coincides with [lo, hi] on a visible value axis that no series uses.
  auto* bins = new QBarCategoryAxis;
  QStringList names;
  for (int i = 0; i < counts.size(); ++i) names << QString::number(i);
  bins->append(names);
  bins->setVisible(false);
  chart_->addAxis(bins, Qt::AlignBottom);
  series->attachAxis(bins);
  auto* x = new QValueAxis;
  if (!(hi > lo)) hi = lo + 1;
  x->setRange(lo, hi);
  roundTicks(x, hi - lo);
  x->setLabelFormat(decimalsFormat(x->tickInterval()));
  x->setTitleText(xTitle);
  x->setGridLineVisible(false);
  chart_->addAxis(x, Qt::AlignBottom);
  series->attachAxis(countAxis(chart_, top));
  bars_ = counts.size();
}

QStringList BarChart::axisLabels() const {
  for (QAbstractAxis* axis : chart_->axes(Qt::Horizontal)) {
    if (!axis->isVisible()) continue;
    if (auto* cats = qobject_cast<QBarCategoryAxis*>(axis)) return cats->categories();
    if (auto* values = qobject_cast<QValueAxis*>(axis)) return valueAxisLabels(values);
  }
  return {};
}
