// The Runs browser: every run folder of the workspace in a table; the selected run's
// configuration, curves (from metrics.jsonl), results and weight pictures; two or more
// selected runs compared (curves overlaid, differing options and results side by side).
#pragma once

#include <QString>
#include <QWidget>

class JobRunner;
class RunListModel;
class QTableView;
class QTabWidget;
class QTableWidget;
class QLabel;
class QPushButton;
class QChartView;
class QComboBox;
class QVBoxLayout;
class QJsonObject;
struct RunInfo;

class RunsPanel : public QWidget {
  Q_OBJECT

 public:
  RunsPanel(JobRunner* jobs, QWidget* parent = nullptr);

  void setWorkspace(const QString& root);
  void refresh();

  // For tests and screenshots.
  RunListModel* model() const { return model_; }
  QTableView* table() const { return table_; }
  QTabWidget* tabs() const { return tabs_; }
  /// What the Compare tab overlays: 0 dev accuracy, 1 dev macro-F1, 2 training loss.
  QComboBox* compareMetric() const { return compare_metric_; }
  /// Selects the given rows (by index) and updates the detail / compare views.
  void selectRows(const QList<int>& rows);
  QStringList selectedPaths() const;
  QTableWidget* resultTable() const { return result_table_; }
  QTableWidget* compareTable() const { return compare_table_; }

 Q_SIGNALS:
  void openInCompress(const QString& runDir);

 private:
  void selectionChanged();
  void showRun(const RunInfo& run);
  void showCompare(const QList<int>& rows);
  void showCompareCurves();
  /// Empties the run, result and compare views (another workspace was opened).
  void clearViews();
  void evaluateSelected();
  void deleteSelected();
  QList<int> selectedRows() const;

  JobRunner* jobs_;
  QString root_;
  int eval_job_ = 0;
  RunListModel* model_ = nullptr;
  QTableView* table_ = nullptr;
  QTabWidget* tabs_ = nullptr;
  QTableWidget* config_table_ = nullptr;
  QTableWidget* result_table_ = nullptr;
  QChartView* loss_chart_ = nullptr;
  QChartView* dev_chart_ = nullptr;
  QWidget* images_box_ = nullptr;
  QVBoxLayout* images_layout_ = nullptr;
  QChartView* compare_chart_ = nullptr;
  QComboBox* compare_metric_ = nullptr;
  QList<int> compare_rows_;
  QTableWidget* compare_table_ = nullptr;
  QLabel* status_ = nullptr;
  QList<QPushButton*> single_run_buttons_;
  QPushButton* compare_button_ = nullptr;
};
