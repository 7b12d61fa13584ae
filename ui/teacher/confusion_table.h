// The Teacher's dev results: the confusion matrix (rows: true class, columns: predicted), then
// each class's precision, recall and F1. Its columns fit the table's width: headed by the class
// names where they fit, else by the classes' row numbers ("→ 2"; the rows say "2 education")
// and P / R / F1, each header naming its column in full in its tooltip. The table is as tall
// as its rows (up to 8, then it scrolls).
#pragma once

#include <QStringList>
#include <QTableWidget>

#include <vector>

class ConfusionTable : public QTableWidget {
  Q_OBJECT

 public:
  explicit ConfusionTable(QWidget* parent = nullptr);
  /// `confusion[g][p]`; `precision`, `recall`, `f1` one per class, or empty (not shown).
  void showResults(const QStringList& names, const std::vector<std::vector<qint64>>& confusion,
                   const std::vector<double>& precision, const std::vector<double>& recall,
                   const std::vector<double>& f1);
  void clearResults();
  /// True when the headers name the classes in full (false: by row number).
  bool fullHeaders() const { return full_; }

 protected:
  void resizeEvent(QResizeEvent* event) override;
  void showEvent(QShowEvent* event) override;

 private:
  /// Headers and column widths for the current width.
  void fitColumns();
  void setHeaders(bool full);
  /// The columns' widths their headers and cells need.
  std::vector<int> columnNeeds() const;
  void fitHeight();

  QStringList names_;
  bool scores_ = false;
  bool full_ = true;
  bool scrolls_ = false;  ///< the columns are wider than the table even with short headers
};
