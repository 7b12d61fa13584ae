#include "ui/compress/heatmap_view.h"

#include <QElapsedTimer>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

#include "compress/colormap.h"
#include "ui/compress/unit_selection.h"

namespace {
constexpr int kLeftMargin = 22;    // gate letters
constexpr int kTopMargin = 7;      // marks of picked columns
constexpr int kBottomMargin = 30;  // colour legend
constexpr double kMaxPixelsPerCell = 48.0;
const char kGates[] = {'i', 'f', 'g', 'o'};

// Decades of |w| shown by the log mode (below that everything is the lightest colour).
constexpr double kLogDecades = 4.0;

QRgb colorOf(float v, float max_abs, HeatmapView::Mode mode) {
  kdw::Rgb c;
  if (std::isnan(v)) return qRgb(0, 200, 0);  // NaN must stand out
  switch (mode) {
    case HeatmapView::Mode::Signed:
      c = kdw::diverging_color(v, max_abs);
      break;
    case HeatmapView::Mode::Abs:
      c = kdw::sequential_color(max_abs > 0 ? std::fabs(v) / max_abs : 0.0);
      break;
    case HeatmapView::Mode::LogAbs: {
      const double a = std::fabs(v);
      const double top = std::log10(std::max(max_abs, 1e-30f));
      const double f = a > 0 ? (std::log10(a) - (top - kLogDecades)) / kLogDecades : 0.0;
      c = kdw::sequential_color(std::clamp(f, 0.0, 1.0));
      break;
    }
  }
  return qRgb(c.r, c.g, c.b);
}
// Picked units: a magenta no colour map uses, so a picked band never reads as a weight.
const QColor kPickEdge(255, 0, 200);
}  // namespace

std::pair<int, int> UnitAxis::unitOf(int64_t i) const {
  if (i < 0) return {-1, -1};
  if (period > 0) i %= period;
  for (const Segment& s : segments)
    if (i >= s.begin && i < s.begin + s.count) return {s.group, static_cast<int>(i - s.begin)};
  return {-1, -1};
}

std::pair<int64_t, int64_t> UnitAxis::indexOf(int group, int unit, int64_t block) const {
  for (const Segment& s : segments)
    if (s.group == group && unit >= 0 && unit < s.count) {
      const int64_t i = s.begin + unit + (period > 0 ? block * period : 0);
      return {i, i};
    }
  return {-1, -1};
}

HeatmapView::HeatmapView(QWidget* parent) : QWidget(parent) {
  setMouseTracking(true);
  setMinimumSize(200, 150);
  setFocusPolicy(Qt::WheelFocus);
}

void HeatmapView::setMatrix(std::shared_ptr<const HeatmapMatrix> matrix) {
  matrix_ = std::move(matrix);
  levels_.clear();
  images_.clear();
  hl_rows_.clear();
  hl_cols_.clear();
  selection_ = nullptr;
  row_units_ = UnitAxis();
  col_units_ = UnitAxis();
  picking_ = false;
  anchor_group_ = anchor_unit_ = -1;
  max_abs_ = 0.0f;
  if (matrix_ && (matrix_->rows <= 0 || matrix_->cols <= 0)) matrix_.reset();
  if (matrix_)
    for (float v : matrix_->values)
      if (std::isfinite(v)) max_abs_ = std::max(max_abs_, std::fabs(v));
  fitted_ = false;
  resetView();
}

void HeatmapView::setMode(Mode mode) {
  mode_ = mode;
  update();
}

void HeatmapView::setHighlight(std::vector<char> rows, std::vector<char> cols) {
  hl_rows_ = std::move(rows);
  hl_cols_ = std::move(cols);
  update();
}

void HeatmapView::setUnits(UnitSelection* selection, UnitAxis rows, UnitAxis cols) {
  selection_ = selection;
  row_units_ = std::move(rows);
  col_units_ = std::move(cols);
  picking_ = false;
  anchor_group_ = anchor_unit_ = -1;
  update();
}

QRect HeatmapView::plotRect() const {
  return QRect(kLeftMargin, kTopMargin, std::max(1, width() - kLeftMargin - 4),
               std::max(1, height() - kBottomMargin - kTopMargin - 2));
}

void HeatmapView::resetView() {
  if (!matrix_) return;
  const QRect pr = plotRect();
  sx_ = double(pr.width()) / double(matrix_->cols);
  sy_ = double(pr.height()) / double(matrix_->rows);
  ox_ = oy_ = 0.0;
  fitted_ = true;
  at_fit_ = true;
  update();
}

void HeatmapView::clampView() {
  if (!matrix_) return;
  const QRect pr = plotRect();
  const double fit_x = double(pr.width()) / double(matrix_->cols);
  const double fit_y = double(pr.height()) / double(matrix_->rows);
  sx_ = std::clamp(sx_, fit_x, std::max(fit_x, kMaxPixelsPerCell));
  sy_ = std::clamp(sy_, fit_y, std::max(fit_y, kMaxPixelsPerCell));
  ox_ = std::clamp(ox_, 0.0, std::max(0.0, double(matrix_->cols) - pr.width() / sx_));
  oy_ = std::clamp(oy_, 0.0, std::max(0.0, double(matrix_->rows) - pr.height() / sy_));
}

void HeatmapView::zoomAt(QPointF pos, double factor) {
  if (!matrix_) return;
  const QRect pr = plotRect();
  const double mx = ox_ + (pos.x() - pr.left()) / sx_;
  const double my = oy_ + (pos.y() - pr.top()) / sy_;
  sx_ *= factor;
  sy_ *= factor;
  at_fit_ = false;
  clampView();
  ox_ = mx - (pos.x() - pr.left()) / sx_;
  oy_ = my - (pos.y() - pr.top()) / sy_;
  clampView();
  update();
}

void HeatmapView::panBy(QPointF pixels) {
  at_fit_ = false;
  ox_ -= pixels.x() / sx_;
  oy_ -= pixels.y() / sy_;
  clampView();
  update();
}

HeatmapView::Hover HeatmapView::hoverAt(QPointF pos) const {
  Hover h;
  if (!matrix_) return h;
  const QRect pr = plotRect();
  if (!QRectF(pr).contains(pos)) return h;
  const double c = ox_ + (pos.x() - pr.left()) / sx_;
  const double r = oy_ + (pos.y() - pr.top()) / sy_;
  if (c < 0 || r < 0 || c >= double(matrix_->cols) || r >= double(matrix_->rows)) return h;
  h.valid = true;
  h.row = static_cast<int64_t>(r);
  h.col = static_cast<int64_t>(c);
  h.value = matrix_->at(h.row, h.col);
  if (matrix_->gate_rows > 0) {
    const int64_t g = h.row / matrix_->gate_rows;
    if (g >= 0 && g < 4) h.gate = QLatin1Char(kGates[g]);
  }
  h.row_unit = unitRef(row_units_, h.row);
  h.col_unit = unitRef(col_units_, h.col);
  return h;
}

HeatmapView::UnitRef HeatmapView::unitRef(const UnitAxis& axis, int64_t index) const {
  UnitRef ref;
  if (!selection_) return ref;
  const auto [g, u] = axis.unitOf(index);
  if (g < 0 || g >= selection_->groupCount() || u < 0 || u >= selection_->unitCount(g)) return ref;
  const UnitGroup& group = selection_->group(g);
  ref.group = g;
  ref.unit = u;
  ref.layer = group.layer;
  ref.direction = group.direction;
  ref.norm = group.norms[static_cast<size_t>(u)];
  ref.picked = selection_->isPicked(g, u);
  return ref;
}

HeatmapView::UnitRef HeatmapView::pickTarget(QPointF pos, Qt::KeyboardModifiers mods,
                                             bool& on_cols) const {
  const Hover h = hoverAt(pos);
  on_cols = false;
  if (!h.valid) return {};
  const bool rows_ok = h.row_unit.group >= 0, cols_ok = h.col_unit.group >= 0;
  on_cols = cols_ok && (!rows_ok || (mods & Qt::ControlModifier));
  return on_cols ? h.col_unit : h.row_unit;
}

QPointF HeatmapView::cellCenter(int64_t row, int64_t col) const {
  const QRect pr = plotRect();
  return QPointF(pr.left() + (double(col) + 0.5 - ox_) * sx_,
                 pr.top() + (double(row) + 0.5 - oy_) * sy_);
}

QString HeatmapView::hoverText(const Hover& h) {
  if (!h.valid) return QString();
  QString text = QStringLiteral("row %1, col %2").arg(h.row).arg(h.col);
  if (!h.gate.isNull()) text += QStringLiteral(", gate %1").arg(h.gate);
  text += QStringLiteral(", value %1").arg(double(h.value), 0, 'g', 5);
  auto unit = [&](const char* axis, const UnitRef& u) {
    if (u.group < 0) return;
    text += tr("  |  %1: unit %2 of layer %3 %4, group norm %5%6")
                .arg(QLatin1String(axis))
                .arg(u.unit)
                .arg(u.layer)
                .arg(u.direction == 0 ? QStringLiteral("fwd") : QStringLiteral("bwd"))
                .arg(double(u.norm), 0, 'g', 4)
                .arg(u.picked ? tr(", picked") : QString());
  };
  unit("row", h.row_unit);
  unit("col", h.col_unit);
  return text;
}

std::pair<int, int> HeatmapView::currentLevel() const {
  if (!matrix_) return {0, 0};
  // Per axis: pool so that one pooled cell covers at most one screen pixel (never less
  // detail than the screen can show, never more elements than pixels to sample from).
  auto axis = [](double pixels_per_element, int64_t n) {
    int level = pixels_per_element < 1.0
                    ? static_cast<int>(std::floor(std::log2(1.0 / pixels_per_element)))
                    : 0;
    while (level > 0 && (n >> level) < 1) --level;
    return std::max(level, 0);
  };
  return {axis(sy_, matrix_->rows), axis(sx_, matrix_->cols)};
}

const kdw::PooledMatrix& HeatmapView::level(std::pair<int, int> lv) {
  auto it = levels_.find(lv);
  if (it != levels_.end()) return it->second;
  const int64_t rows = (matrix_->rows + (int64_t{1} << lv.first) - 1) >> lv.first;
  const int64_t cols = (matrix_->cols + (int64_t{1} << lv.second) - 1) >> lv.second;
  return levels_
      .emplace(lv, kdw::pool_max_abs(matrix_->values.data(), matrix_->rows, matrix_->cols,
                                     std::max<int64_t>(rows, 1), std::max<int64_t>(cols, 1)))
      .first->second;
}

const QImage& HeatmapView::levelImage(std::pair<int, int> lv) {
  const auto key = std::make_tuple(lv.first, lv.second, static_cast<int>(mode_));
  auto it = images_.find(key);
  if (it != images_.end()) return it->second;
  const bool full = lv.first == 0 && lv.second == 0;
  // Full resolution needs no pooling: colour straight from the matrix.
  const int64_t rows = full ? matrix_->rows : level(lv).rows;
  const int64_t cols = full ? matrix_->cols : level(lv).cols;
  const float* values = full ? matrix_->values.data() : level(lv).values.data();
  // Colours through a table over [-max, max] (finer than 8-bit colour steps): a colour-map
  // call per element made the full-resolution image of 4000 x 1000 take ~0.5 s.
  constexpr int kSteps = 2048;
  const float max_abs = max_abs_;
  std::vector<QRgb> lut(kSteps + 1);
  for (int i = 0; i <= kSteps; ++i)
    lut[static_cast<size_t>(i)] =
        colorOf(max_abs * (2.0f * float(i) / kSteps - 1.0f), max_abs, mode_);
  const float scale = max_abs > 0 ? kSteps / (2.0f * max_abs) : 0.0f;
  const bool log_mode = mode_ == Mode::LogAbs;
  QImage img(static_cast<int>(cols), static_cast<int>(rows), QImage::Format_RGB32);
  for (int64_t r = 0; r < rows; ++r) {
    auto* line = reinterpret_cast<QRgb*>(img.scanLine(static_cast<int>(r)));
    const float* src = values + r * cols;
    for (int64_t c = 0; c < cols; ++c) {
      const float v = src[c];
      if (log_mode || !std::isfinite(v)) {  // log is not linear: no table
        line[c] = colorOf(v, max_abs, mode_);
        continue;
      }
      const int i = static_cast<int>((std::clamp(v, -max_abs, max_abs) + max_abs) * scale);
      line[c] = lut[static_cast<size_t>(std::clamp(i, 0, kSteps))];
    }
  }
  return images_.emplace(key, std::move(img)).first->second;
}

void HeatmapView::paintEvent(QPaintEvent*) {
  QElapsedTimer timer;
  timer.start();
  QPainter p(this);
  p.fillRect(rect(), palette().window());
  const QRect pr = plotRect();
  if (!matrix_) {
    p.drawText(pr, Qt::AlignCenter, tr("No matrix"));
    return;
  }
  if (!fitted_) resetView();
  p.fillRect(pr, QColor(235, 235, 235));
  p.save();
  p.setClipRect(pr);

  // Visible part of the matrix in matrix coordinates, clipped to the matrix.
  const double c0 = ox_, r0 = oy_;
  const double c1 = std::min(double(matrix_->cols), ox_ + pr.width() / sx_);
  const double r1 = std::min(double(matrix_->rows), oy_ + pr.height() / sy_);
  const auto lv = currentLevel();
  const QImage& img = levelImage(lv);
  const double fx = double(img.width()) / double(matrix_->cols);
  const double fy = double(img.height()) / double(matrix_->rows);
  const QRectF target(pr.left(), pr.top(), (c1 - c0) * sx_, (r1 - r0) * sy_);
  const QRectF source(c0 * fx, r0 * fy, (c1 - c0) * fx, (r1 - r0) * fy);
  p.drawImage(target, img, source);

  // Units to be cut: their bands shaded, hatched and edged in magenta, runs merged, so they
  // stand out at any zoom (a thin band is drawn at least a pixel wide, all magenta).
  const QBrush hatch(QColor(255, 255, 255, 190), Qt::BDiagPattern);
  auto band = [&](const QRectF& r, bool rows) {
    p.fillRect(r, QColor(0, 0, 0, 110));
    const double thickness = rows ? r.height() : r.width();
    if (thickness < 4.0) {
      p.fillRect(r, QColor(kPickEdge.red(), kPickEdge.green(), kPickEdge.blue(), 150));
      return;
    }
    p.fillRect(r, hatch);
    p.setPen(QPen(kPickEdge, 1.5));
    if (rows) {
      p.drawLine(r.topLeft(), r.topRight());
      p.drawLine(r.bottomLeft(), r.bottomRight());
    } else {
      p.drawLine(r.topLeft(), r.bottomLeft());
      p.drawLine(r.topRight(), r.bottomRight());
    }
  };
  std::vector<QRectF> marks;  // in the margins, outside the clip
  // Picked [a, b) in widget pixels along the rows (y) or the columns (x).
  auto draw = [&](double a, double b, bool rows) {
    if (rows) {
      const QRectF r(target.left(), a, target.width(), std::max(1.0, b - a));
      band(r, true);
      marks.push_back(QRectF(kLeftMargin - 4, r.top(), 3, r.height())
                          .intersected(QRectF(0, pr.top(), kLeftMargin, pr.height())));
    } else {
      const QRectF r(a, target.top(), std::max(1.0, b - a), target.height());
      band(r, false);
      marks.push_back(QRectF(r.left(), 1, r.width(), kTopMargin - 3)
                          .intersected(QRectF(pr.left(), 0, pr.width(), kTopMargin)));
    }
  };
  auto veil = [&](const std::vector<char>& flags, bool rows) {
    const int64_t n = static_cast<int64_t>(flags.size());
    const double scale = rows ? sy_ : sx_, origin = rows ? oy_ : ox_;
    const double p0 = rows ? pr.top() : pr.left();
    const int extent = rows ? pr.height() : pr.width();
    // Below 4 pixels a unit, bands are gathered per screen pixel first: never more draws than
    // pixels, however many units are picked (4000 rows stay one pass of at most ~700 bands).
    std::vector<char> covered(scale < 4.0 ? static_cast<size_t>(extent) + 1 : 0, 0);
    for (int64_t i = 0; i < n; ++i) {
      if (!flags[static_cast<size_t>(i)]) continue;
      int64_t j = i;
      while (j + 1 < n && flags[static_cast<size_t>(j + 1)]) ++j;
      const double a = p0 + (double(i) - origin) * scale;
      const double b = p0 + (double(j + 1) - origin) * scale;
      i = j;
      if (b < p0 || a > p0 + extent) continue;
      if (covered.empty()) {
        draw(a, b, rows);
        continue;
      }
      const int ia = std::clamp(static_cast<int>(std::floor(a - p0)), 0, extent);
      const int ib = std::clamp(static_cast<int>(std::ceil(b - p0)) - 1, ia, extent);
      std::fill(covered.begin() + ia, covered.begin() + ib + 1, 1);
    }
    for (int k = 0; k < static_cast<int>(covered.size()); ++k) {
      if (!covered[static_cast<size_t>(k)]) continue;
      int l = k;
      while (l + 1 < static_cast<int>(covered.size()) && covered[static_cast<size_t>(l + 1)]) ++l;
      draw(p0 + k, p0 + l + 1, rows);
      k = l;
    }
  };
  if (static_cast<int64_t>(hl_rows_.size()) == matrix_->rows) veil(hl_rows_, true);
  if (static_cast<int64_t>(hl_cols_.size()) == matrix_->cols) veil(hl_cols_, false);
  p.restore();
  for (const QRectF& m : marks)
    if (!m.isEmpty()) p.fillRect(m, kPickEdge);

  // Gate boundaries and letters.
  if (matrix_->gate_rows > 0) {
    p.setPen(QPen(QColor(0, 0, 0), 1.0));
    for (int g = 0; g < 4; ++g) {
      const double y0 = pr.top() + (double(g * matrix_->gate_rows) - oy_) * sy_;
      const double y1 = pr.top() + (double((g + 1) * matrix_->gate_rows) - oy_) * sy_;
      if (g > 0 && y0 >= pr.top() && y0 <= pr.bottom())
        p.drawLine(QPointF(0, y0), QPointF(target.right(), y0));
      const double mid = (std::max(y0, double(pr.top())) + std::min(y1, double(pr.bottom()))) / 2;
      if (y1 > pr.top() && y0 < pr.bottom())
        p.drawText(QRectF(0, mid - 10, kLeftMargin - 4, 20), Qt::AlignCenter,
                   QString(QLatin1Char(kGates[g])));
    }
  }
  p.setPen(palette().windowText().color());
  p.drawRect(QRectF(target).adjusted(-0.5, -0.5, 0.5, 0.5));
  drawLegend(p);
  last_paint_ms_ = double(timer.nsecsElapsed()) / 1e6;
}

QString HeatmapView::legendInfo() const {
  if (!matrix_) return {};
  const QString mode_name = mode_ == Mode::Signed ? tr("value")
                            : mode_ == Mode::Abs  ? tr("|w|")
                                                  : tr("log |w|");
  return QStringLiteral("%1   %2 x %3   pooled 1/%4 x 1/%5")
      .arg(mode_name)
      .arg(matrix_->rows)
      .arg(matrix_->cols)
      .arg(1 << currentLevel().first)
      .arg(1 << currentLevel().second);
}

namespace {
// The colour bar's width: up to 240 px, less where the read-out after it would not fit (at
// 1024x700 it lost its end: "pooled 1/1 x 1").
int legendBarWidth(int width, int textWidth) {
  return std::clamp(width - (kLeftMargin + 70) - 70 - textWidth - 4, 40, std::min(240, width / 3));
}
}  // namespace

QRect HeatmapView::legendInfoRect() const {
  const int bar_w = legendBarWidth(width(), fontMetrics().horizontalAdvance(legendInfo()));
  const int x = kLeftMargin + 70 + bar_w + 70;
  return {x, height() - kBottomMargin + 6, width() - x, 16};
}

void HeatmapView::drawLegend(QPainter& p) {
  const float max_abs = max_abs_;
  const int y = height() - kBottomMargin + 8;
  const int bar_w = legendBarWidth(width(), fontMetrics().horizontalAdvance(legendInfo()));
  const int x = kLeftMargin + 70;
  QImage bar(bar_w, 1, QImage::Format_RGB32);
  for (int i = 0; i < bar_w; ++i) {
    const double f = double(i) / double(std::max(1, bar_w - 1));
    float v = 0;
    switch (mode_) {
      case Mode::Signed:
        v = static_cast<float>((2 * f - 1) * max_abs);
        break;
      case Mode::Abs:
        v = static_cast<float>(f * max_abs);
        break;
      case Mode::LogAbs:
        v = static_cast<float>(max_abs * std::pow(10.0, (f - 1.0) * kLogDecades));
        break;
    }
    bar.setPixel(i, 0, colorOf(v, max_abs, mode_));
  }
  p.drawImage(QRect(x, y, bar_w, 12), bar);
  p.drawRect(QRect(x, y, bar_w, 12));
  const QString lo = mode_ == Mode::Signed ? QString::number(-max_abs, 'g', 3)
                     : mode_ == Mode::Abs  ? QStringLiteral("0")
                                           : QString::number(max_abs * 1e-4, 'g', 2);
  p.drawText(QRect(kLeftMargin, y - 2, 66, 16), Qt::AlignRight | Qt::AlignVCenter, lo);
  p.drawText(QRect(x + bar_w + 4, y - 2, 60, 16), Qt::AlignLeft | Qt::AlignVCenter,
             QString::number(max_abs, 'g', 3));
  p.drawText(legendInfoRect(), Qt::AlignLeft | Qt::AlignVCenter, legendInfo());
}

void HeatmapView::resizeEvent(QResizeEvent*) {
  // A view showing the whole matrix keeps doing so; a zoomed one keeps its scale.
  if (matrix_) {
    if (at_fit_ || !fitted_)
      resetView();
    else
      clampView();
  }
}

void HeatmapView::wheelEvent(QWheelEvent* event) {
  const double steps = event->angleDelta().y() / 120.0;
  zoomAt(event->position(), std::pow(1.25, steps));
  event->accept();
}

void HeatmapView::mousePressEvent(QMouseEvent* event) {
  const bool left = event->button() == Qt::LeftButton;
  bool on_cols = false;
  const UnitRef target =
      left && selection_ ? pickTarget(event->position(), event->modifiers(), on_cols) : UnitRef{};
  if (target.group >= 0) {
    const int g = target.group;
    if ((event->modifiers() & Qt::ShiftModifier) && anchor_group_ == g) {
      selection_->setRange(g, anchor_unit_, target.unit, selection_->isPicked(g, anchor_unit_));
    } else {
      selection_->toggle(g, target.unit);
      anchor_group_ = g;
      anchor_unit_ = target.unit;
    }
    // A drag from here sets [anchor, unit under the cursor] to the anchor's new state over the
    // picks as they were after this press (so dragging back un-picks again).
    picking_ = true;
    pick_on_cols_ = on_cols;
    pick_group_ = g;
    pick_anchor_ = anchor_unit_;
    pick_state_ = selection_->isPicked(g, anchor_unit_);
    pick_last_ = target.unit;
    pick_before_ = selection_->picks()[static_cast<size_t>(g)];
    update();
    Q_EMIT selectionEdited();
    return;
  }
  // Right or middle drag pans; so does a left drag where there are no units to pick.
  if (event->button() == Qt::RightButton || event->button() == Qt::MiddleButton || left) {
    dragging_ = true;
    drag_last_ = event->position();
    setCursor(Qt::ClosedHandCursor);
  }
}

void HeatmapView::mouseMoveEvent(QMouseEvent* event) {
  if (dragging_) {
    panBy(event->position() - drag_last_);
    drag_last_ = event->position();
  } else if (picking_ && (event->buttons() & Qt::LeftButton)) {
    const Hover h = hoverAt(event->position());
    const UnitRef ref = !h.valid ? UnitRef{} : pick_on_cols_ ? h.col_unit : h.row_unit;
    if (ref.group == pick_group_ && ref.unit != pick_last_) {
      for (int u = 0; u < static_cast<int>(pick_before_.size()); ++u)
        selection_->setPicked(pick_group_, u, pick_before_[static_cast<size_t>(u)] != 0);
      selection_->setRange(pick_group_, pick_anchor_, ref.unit, pick_state_);
      pick_last_ = ref.unit;
      update();
      Q_EMIT selectionEdited();
    }
  }
  const Hover h = hoverAt(event->position());
  const QString text = hoverText(h);
  setToolTip(text);
  Q_EMIT hovered(text);
  Q_EMIT hoverMoved(h);
}

void HeatmapView::leaveEvent(QEvent*) {
  Q_EMIT hoverMoved(Hover{});
}

void HeatmapView::mouseReleaseEvent(QMouseEvent*) {
  const bool edited = picking_;
  dragging_ = false;
  picking_ = false;
  unsetCursor();
  if (edited) Q_EMIT editFinished();
}

void HeatmapView::mouseDoubleClickEvent(QMouseEvent* event) {
  // The second click of a quick double click on a unit toggles it again, like any click;
  // elsewhere a double click fits the whole matrix.
  bool on_cols = false;
  if (event->button() == Qt::LeftButton && selection_ &&
      pickTarget(event->position(), event->modifiers(), on_cols).group >= 0) {
    mousePressEvent(event);
    return;
  }
  resetView();
}
