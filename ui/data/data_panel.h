// Data panel: open a labelled table (read on a worker), preview it, pick columns, cleaning,
// split and tokenizer options, see class balance and text lengths, and prepare the workspace's
// student and teacher data (kdw::run_prepare) as a job.
#pragma once

#include <QJsonObject>
#include <QWidget>

#include <memory>

#include "data/prepare_report.h"
#include "ui/common/form_settings.h"

class BarChart;
class JobRunner;
class OptionForm;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSettings;
class QSpinBox;
class QTableView;
class QTableWidget;
class QTabWidget;
class TableModel;

namespace kdw {
struct Table;
}

class DataPanel : public QWidget {
  Q_OBJECT

 public:
  DataPanel(JobRunner* runner, QWidget* parent = nullptr);
  ~DataPanel() override;
  /// Shows what the workspace holds (files/data/prepare.json) and, when the input file named
  /// there still exists, loads it into the preview and the charts.
  void setWorkspace(const QString& root);
  /// Re-reads prepare.json when it changed since it was last shown (after a job).
  void refresh();
  /// Shows the progress and result of a prepare job submitted elsewhere (the demo pipeline).
  void followJob(int id);
  /// The prepare.json shown (empty when the workspace has no prepared data).
  QJsonObject preparedSummary() const { return prepared_; }
  /// Text of the prepared-data table: rows = classes + total, columns = split names + all.
  QString preparedCell(int row, int column) const;
  bool showingPrepared() const;
  QString textColumn() const;
  QString labelColumn() const;
  /// The line under the preview (rows and columns, or why the file could not be read).
  QString tableInfo() const;
  /// The line under the Prepare button (progress, result, or why the table cannot be prepared).
  QString resultText() const;
  /// Loads `file` in the background (fills the preview, the column pickers and the charts).
  void loadFile(const QString& file);
  /// Loads `csv` and prepares it with the form's options (the demo workspace).
  void prepareDemo(const QString& csv);
  /// Starts preparing the loaded file; returns the job id (0 when nothing is loaded).
  int prepare();
  /// Chooses `vocabFile` as the BERT vocabulary for the next Prepare (the Teacher panel's
  /// "prepare the data with this vocabulary").
  void useBertVocab(const QString& vocabFile);
  TableModel* model() const { return model_; }
  void loadSettings(QSettings& settings);
  void saveSettings(QSettings& settings) const;

 Q_SIGNALS:
  void tableLoaded();
  /// A prepare job finished: what it prepared (prepare.json's figures).
  void prepared(const kdw::PrepareReport& report);

 private:
  /// The table's options on the form (not the split: its three boxes are saved as "split").
  std::vector<FormField> formFields() const;
  /// The three boxes as the table's split option writes it ("60:20:20").
  QString splitText() const;
  QList<QCheckBox*> cleaningBoxes() const;
  void browse();
  void onLoaded(std::shared_ptr<kdw::Table> table);
  void showPrepared(const QJsonObject& summary);
  void fitColumns();
  void updateStats();
  void setBusy(bool busy);
  /// Empties the preview, the column pickers and the charts.
  void clearPreview();

  JobRunner* runner_;
  QString workspace_;
  QString file_;
  bool prepare_after_load_ = false;
  QJsonObject prepared_;
  qint64 prepared_stamp_ = -1;              ///< prepare.json's mtime (ms) when it was read
  QString want_text_col_, want_label_col_;  ///< columns to pick once a file has loaded
  int load_job_ = 0, prepare_job_ = 0, stats_job_ = 0;
  TableModel* model_ = nullptr;
  QLineEdit* path_ = nullptr;
  QComboBox* format_ = nullptr;
  QComboBox* encoding_ = nullptr;
  QComboBox* text_col_ = nullptr;
  QComboBox* label_col_ = nullptr;
  QTableView* view_ = nullptr;
  QTabWidget* tabs_ = nullptr;
  QTableWidget* prepared_table_ = nullptr;
  QLabel* prepared_info_ = nullptr;
  QLabel* table_info_ = nullptr;
  /// The cleaning and token options, made from kdw::prepare_option_table().
  std::unique_ptr<OptionForm> options_;
  QSpinBox *train_ = nullptr, *dev_ = nullptr, *test_ = nullptr, *seed_ = nullptr,
           *max_len_ = nullptr, *min_freq_ = nullptr;
  QComboBox* bert_vocab_ = nullptr;
  QComboBox* tokenizer_ = nullptr;
  QPushButton* prepare_ = nullptr;
  QPushButton* cancel_ = nullptr;
  QProgressBar* bar_ = nullptr;
  QLabel* result_ = nullptr;
  BarChart* classes_ = nullptr;
  BarChart* lengths_ = nullptr;
};
