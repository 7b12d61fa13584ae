#include "ui/common/count_bars.h"

#include <QFontMetrics>
#include <QHelpEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace {
// The look of the QtCharts cards beside it (light theme): a white card, the first series colour.
const QColor kBar(0x20, 0x9f, 0xdf);
constexpr int kCardMargin = 4, kPad = 8, kGap = 6;

QString countText(double v) {
  return QString::number(v, 'f', 0);
}
}  // namespace

CountBars::CountBars(const QString& title, QWidget* parent) : QWidget(parent), title_(title) {
  setMinimumSize(minimumSizeHint());
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void CountBars::setBars(const QStringList& names, const QVector<double>& values) {
  names_ = names;
  values_ = values;
  values_.resize(names_.size());
  update();
}

CountBars::Geometry CountBars::geometry() const {
  Geometry g;
  const QFontMetrics titleMetrics(font());
  const QRectF card = QRectF(rect()).adjusted(kCardMargin, kCardMargin, -kCardMargin, -kCardMargin);
  g.rows = card.adjusted(kPad, titleMetrics.height() + kPad, -kPad, -kPad);
  const int n = int(names_.size());
  g.font = font();
  if (n == 0) return g;
  // The font the rows have room for, down to 7 pt.
  while (n * QFontMetrics(g.font).height() > g.rows.height() && g.font.pointSizeF() > 7.0)
    g.font.setPointSizeF(std::max(7.0, g.font.pointSizeF() - 0.5));
  const QFontMetrics fm(g.font);
  // Few classes: bars no thicker than two lines, from the top.
  g.row = std::min(g.rows.height() / n, 2.0 * fm.height());
  g.step = std::max(1, int(std::ceil(fm.height() / std::max(1.0, g.row))));
  double top = 0;
  for (double v : values_) top = std::max(top, v);
  g.count_width = fm.horizontalAdvance(countText(top));
  int widest = 0;
  for (const QString& name : names_) widest = std::max(widest, fm.horizontalAdvance(name));
  // The names get what they need up to ~60 % of the width; the bars keep the rest.
  g.name_width = std::min(widest + 2, int(g.rows.width() * 0.6));  // +2: elidedText rounds
  return g;
}

QRectF CountBars::barRect(const Geometry& g, int index) const {
  double top = 0;
  for (double v : values_) top = std::max(top, v);
  const double x0 = g.rows.left() + g.name_width + kGap;
  const double room = std::max(1.0, g.rows.right() - g.count_width - kGap - x0);
  const double length = top > 0 ? room * values_[index] / top : 0;
  const double y = g.rows.top() + g.row * index;
  return {x0, y + g.row * 0.12, std::max(1.0, length), g.row * 0.76};
}

QString CountBars::drawnName(const Geometry& g, int index) const {
  if (index % g.step != 0) return {};
  return QFontMetrics(g.font).elidedText(names_[index], Qt::ElideRight, g.name_width);
}

QStringList CountBars::drawnLabels() const {
  const Geometry g = geometry();
  QStringList out;
  for (int i = 0; i < names_.size(); ++i) out << drawnName(g, i);
  return out;
}

QString CountBars::toolTipAt(const QPoint& pos) const {
  const Geometry g = geometry();
  if (names_.isEmpty() || pos.x() < g.rows.left() || pos.x() > g.rows.right()) return {};
  const int index = int(std::floor((pos.y() - g.rows.top()) / g.row));
  if (index < 0 || index >= names_.size()) return {};
  return QStringLiteral("%1: %2").arg(names_[index], countText(values_[index]));
}

QPoint CountBars::barCenter(int index) const {
  if (index < 0 || index >= names_.size()) return {};
  return barRect(geometry(), index).center().toPoint();
}

bool CountBars::event(QEvent* e) {
  if (e->type() == QEvent::ToolTip) {
    auto* help = static_cast<QHelpEvent*>(e);
    const QString tip = toolTipAt(help->pos());
    if (tip.isEmpty())
      QToolTip::hideText();
    else
      QToolTip::showText(help->globalPos(), tip, this);
    return true;
  }
  return QWidget::event(e);
}

void CountBars::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing);
  const QRectF card = QRectF(rect()).adjusted(kCardMargin, kCardMargin, -kCardMargin, -kCardMargin);
  p.setPen(Qt::NoPen);
  p.setBrush(Qt::white);
  p.drawRoundedRect(card, 5, 5);
  p.setPen(palette().color(QPalette::WindowText));
  p.drawText(card.adjusted(0, kPad / 2, 0, 0), Qt::AlignHCenter | Qt::AlignTop, title_);
  const Geometry g = geometry();
  p.setFont(g.font);
  const QFontMetrics fm(g.font);
  for (int i = 0; i < names_.size(); ++i) {
    const QRectF bar = barRect(g, i);
    const QRectF row(g.rows.left(), g.rows.top() + g.row * i, g.rows.width(), g.row);
    p.setPen(palette().color(QPalette::WindowText));
    p.drawText(QRectF(row.left(), row.top(), g.name_width, row.height()),
               Qt::AlignRight | Qt::AlignVCenter, drawnName(g, i));
    p.fillRect(bar, kBar);
    p.drawText(QRectF(bar.right() + kGap / 2.0, row.top(), g.count_width + kGap, row.height()),
               Qt::AlignLeft | Qt::AlignVCenter, countText(values_[i]));
  }
}
