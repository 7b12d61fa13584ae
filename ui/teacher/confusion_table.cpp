#include "ui/teacher/confusion_table.h"

#include <QHeaderView>
#include <QScrollBar>

#include <algorithm>
#include <numeric>

namespace {
constexpr int kMaxRows = 8;
constexpr int kPadding = 12;  // a section's margins around its text
}  // namespace

ConfusionTable::ConfusionTable(QWidget* parent) : QTableWidget(parent) {
  setEditTriggers(QAbstractItemView::NoEditTriggers);
  horizontalHeader()->setSectionResizeMode(QHeaderView::Fixed);
  horizontalHeader()->setMinimumSectionSize(8);
  verticalHeader()->setDefaultSectionSize(22);
  setToolTip(
      tr("Rows: true class; columns: predicted class, then the per-class precision, recall and "
         "F1"));
  setSizeAdjustPolicy(QAbstractScrollArea::AdjustToContents);
  setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
  fitHeight();
}

void ConfusionTable::showResults(const QStringList& names,
                                 const std::vector<std::vector<qint64>>& confusion,
                                 const std::vector<double>& precision,
                                 const std::vector<double>& recall, const std::vector<double>& f1) {
  const int n = int(names.size());
  names_ = names;
  scores_ = int(precision.size()) == n && int(recall.size()) == n && int(f1.size()) == n;
  clear();
  setRowCount(n);
  setColumnCount(n + (scores_ ? 3 : 0));
  for (int g = 0; g < n && g < int(confusion.size()); ++g) {
    for (int p = 0; p < n && p < int(confusion[g].size()); ++p) {
      auto* item = new QTableWidgetItem(QString::number(confusion[g][p]));
      item->setTextAlignment(Qt::AlignCenter);
      if (g == p) item->setBackground(QColor(0xd8, 0xef, 0xd8));
      setItem(g, p, item);
    }
    if (!scores_) continue;
    const std::vector<double>* scores[] = {&precision, &recall, &f1};
    for (int k = 0; k < 3; ++k) {
      auto* item = new QTableWidgetItem(QString::number((*scores[k])[g], 'f', 3));
      item->setTextAlignment(Qt::AlignCenter);
      item->setForeground(QColor(0x30, 0x30, 0x60));
      setItem(g, n + k, item);
    }
  }
  fitColumns();
  fitHeight();
}

void ConfusionTable::clearResults() {
  names_.clear();
  setRowCount(0);
  setColumnCount(0);
  fitHeight();
}

void ConfusionTable::resizeEvent(QResizeEvent* event) {
  QTableWidget::resizeEvent(event);
  fitColumns();
}

void ConfusionTable::showEvent(QShowEvent* event) {
  QTableWidget::showEvent(event);
  fitColumns();
}

void ConfusionTable::setHeaders(bool full) {
  full_ = full;
  const int n = int(names_.size());
  QStringList rows, columns, tips;
  for (int i = 0; i < n; ++i) {
    rows << (full ? names_[i] : QStringLiteral("%1 %2").arg(i + 1).arg(names_[i]));
    columns << (full ? tr("→ %1").arg(names_[i]) : tr("→ %1").arg(i + 1));
    tips << tr("Predicted %1").arg(names_[i]);
  }
  if (scores_) {
    columns << (full ? QStringList{tr("precision"), tr("recall"), tr("F1")}
                     : QStringList{tr("P"), tr("R"), tr("F1")});
    tips << tr("Precision") << tr("Recall") << tr("F1");
  }
  setVerticalHeaderLabels(rows);
  setHorizontalHeaderLabels(columns);
  for (int c = 0; c < columnCount(); ++c)
    if (QTableWidgetItem* header = horizontalHeaderItem(c)) header->setToolTip(tips.value(c));
}

std::vector<int> ConfusionTable::columnNeeds() const {
  const QFontMetrics headerFont = horizontalHeader()->fontMetrics(), cellFont = fontMetrics();
  std::vector<int> needs;
  for (int c = 0; c < columnCount(); ++c) {
    int need = 0;
    if (const QTableWidgetItem* header = horizontalHeaderItem(c))
      need = headerFont.horizontalAdvance(header->text());
    for (int r = 0; r < rowCount(); ++r)
      if (const QTableWidgetItem* cell = item(r, c))
        need = std::max(need, cellFont.horizontalAdvance(cell->text()));
    needs.push_back(need + kPadding);
  }
  return needs;
}

// The class names where they fit, else the row numbers; the spare width goes to every column
// alike. Decided from the width alone (never from the current headers): no back and forth.
void ConfusionTable::fitColumns() {
  if (names_.isEmpty()) return;
  // A table not shown has no real width yet: the names, until it is shown (and resized).
  if (!isVisible()) return setHeaders(true);
  const int room = width() - 2 * frameWidth() -
                   (rowCount() > kMaxRows ? verticalScrollBar()->sizeHint().width() : 0);
  auto fits = [&](bool full, std::vector<int>* needs) {
    setHeaders(full);
    *needs = columnNeeds();
    const int header = verticalHeader()->sizeHint().width();
    return header + std::accumulate(needs->begin(), needs->end(), 0) <= room;
  };
  std::vector<int> needs;
  const bool scrolled = scrolls_;
  scrolls_ = !fits(true, &needs) && !fits(false, &needs);
  const int spare =
      room - verticalHeader()->sizeHint().width() - std::accumulate(needs.begin(), needs.end(), 0);
  const int n = int(needs.size());
  for (int c = 0; c < n; ++c)
    horizontalHeader()->resizeSection(
        c, needs[std::size_t(c)] + (spare > 0 ? spare / n + (c < spare % n ? 1 : 0) : 0));
  if (scrolled != scrolls_) fitHeight();
}

// Room for the horizontal scroll bar only when the columns are wider than the table.
void ConfusionTable::fitHeight() {
  setVisible(rowCount() > 0);  // an empty table is a blank white box
  const int rows = std::min(rowCount(), kMaxRows);
  int height = horizontalHeader()->sizeHint().height() + 2 * frameWidth();
  for (int r = 0; r < rows; ++r) height += rowHeight(r);
  if (rowCount() > rows || rowCount() == 0) height += 22;
  if (scrolls_) height += horizontalScrollBar()->sizeHint().height();
  setFixedHeight(height);
}
