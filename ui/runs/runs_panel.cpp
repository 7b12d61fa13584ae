#include "ui/runs/runs_panel.h"

#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QClipboard>
#include <QComboBox>
#include <QDesktopServices>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHash>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QJsonObject>
#include <QLabel>
#include <QLineSeries>
#include <QLocale>
#include <QMessageBox>
#include <QPixmap>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QUrl>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <optional>

#include "compress/cut_report.h"
#include "student/run_folder.h"
#include "ui/common/json_files.h"
#include "ui/common/kept_epoch.h"
#include "ui/common/live_chart.h"
#include "ui/compress/student_source.h"
#include "ui/jobs/job_runner.h"
#include "ui/runs/run_list_model.h"

namespace {

// The run's cut_report.json through the engine's mapping; nothing when absent or unreadable.
// A line chart of several curves sharing one x axis.
void setCurves(QChartView* view, const QString& title, const QString& x_label,
               const QList<Curve>& curves) {
  auto* chart = new QChart;
  chart->setTitle(title);
  chart->legend()->setAlignment(Qt::AlignBottom);
  auto* ax = new QValueAxis;
  auto* ay = new QValueAxis;
  ax->setTitleText(x_label);
  ax->setLabelFormat(QStringLiteral("%g"));
  ay->setLabelFormat(QStringLiteral("%.3g"));
  chart->addAxis(ax, Qt::AlignBottom);
  chart->addAxis(ay, Qt::AlignLeft);
  double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
  for (const Curve& c : curves) {
    if (c.points.isEmpty()) continue;
    auto* s = new QLineSeries;
    s->setName(c.name);
    s->append(QList<QPointF>(c.points.begin(), c.points.end()));
    if (c.points.size() <= 40) s->setPointsVisible(true);
    chart->addSeries(s);
    s->attachAxis(ax);
    s->attachAxis(ay);
    for (const QPointF& p : c.points) {
      x0 = std::min(x0, p.x());
      x1 = std::max(x1, p.x());
      y0 = std::min(y0, p.y());
      y1 = std::max(y1, p.y());
    }
  }
  if (std::isfinite(x0)) {
    if (!(x1 > x0)) x1 = x0 + 1;
    ax->setRange(x0, x1);
    const double pad = y1 > y0 ? 0.05 * (y1 - y0) : std::max(0.05, 0.05 * std::abs(y0));
    ay->setRange(y0 - pad, y1 + pad);
  }
  QChart* old = view->chart();
  view->setChart(chart);
  delete old;  // QChartView does not delete a replaced chart
  // Ticks sized to the plot (steps and epochs are whole numbers: never 2.25 epochs), so that a
  // short chart at 1024x700 shows fewer labels rather than "..." for each.
  keepTicksFitted(view, true);
}

QTableWidget* makeTable(int cols, QWidget* parent) {
  auto* t = new QTableWidget(0, cols, parent);
  t->verticalHeader()->hide();
  t->verticalHeader()->setDefaultSectionSize(t->fontMetrics().height() + 6);
  t->setEditTriggers(QAbstractItemView::NoEditTriggers);
  t->horizontalHeader()->setStretchLastSection(true);
  return t;
}

void addRow(QTableWidget* t, const QStringList& cells) {
  const int r = t->rowCount();
  t->insertRow(r);
  for (int c = 0; c < cells.size() && c < t->columnCount(); ++c) {
    auto* item = new QTableWidgetItem(cells[c]);
    if (cells[c].size() > 30) item->setToolTip(cells[c]);
    t->setItem(r, c, item);
  }
}

QString metricText(double v) {
  return std::isnan(v) ? QStringLiteral("–") : QString::number(v, 'f', 4);
}

QString scoresText(const kdw::SplitScores& s) {
  return RunsPanel::tr("accuracy %1, macro-F1 %2, %3 samples")
      .arg(metricText(s.accuracy), metricText(s.macro_f1))
      .arg(s.samples);
}

}  // namespace

RunsPanel::RunsPanel(JobRunner* jobs, QWidget* parent) : QWidget(parent), jobs_(jobs) {
  auto* layout = new QVBoxLayout(this);
  auto* bar = new QHBoxLayout;
  auto* refresh_button = new QPushButton(tr("Refresh"), this);
  auto* open_button = new QPushButton(tr("Open in Compress"), this);
  auto* eval_button = new QPushButton(tr("Evaluate"), this);
  compare_button_ = new QPushButton(tr("Compare"), this);
  compare_button_->setToolTip(tr("Select two or more runs (Ctrl-click) to compare them"));
  auto* reveal_button = new QPushButton(tr("Reveal"), this);
  auto* copy_button = new QPushButton(tr("Copy path"), this);
  auto* delete_button = new QPushButton(tr("Delete…"), this);
  for (QPushButton* b : {refresh_button, open_button, eval_button, compare_button_, reveal_button,
                         copy_button, delete_button})
    bar->addWidget(b);
  bar->addStretch(1);
  layout->addLayout(bar);
  single_run_buttons_ = {open_button, eval_button, reveal_button, copy_button};

  auto* split = new QSplitter(Qt::Vertical, this);
  model_ = new RunListModel(this);
  table_ = new QTableView(split);
  table_->setModel(model_);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::ExtendedSelection);
  table_->verticalHeader()->hide();
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table_->horizontalHeader()->setStretchLastSection(true);
  split->addWidget(table_);

  tabs_ = new QTabWidget(split);
  config_table_ = makeTable(2, tabs_);
  config_table_->setHorizontalHeaderLabels({tr("option"), tr("value")});
  tabs_->addTab(config_table_, tr("Configuration"));
  auto* curves = new QWidget(tabs_);
  auto* cl = new QHBoxLayout(curves);
  loss_chart_ = new QChartView(curves);
  dev_chart_ = new QChartView(curves);
  loss_chart_->setRenderHint(QPainter::Antialiasing);
  dev_chart_->setRenderHint(QPainter::Antialiasing);
  cl->addWidget(loss_chart_);
  cl->addWidget(dev_chart_);
  tabs_->addTab(curves, tr("Curves"));
  result_table_ = makeTable(2, tabs_);
  result_table_->setHorizontalHeaderLabels({tr("result"), tr("value")});
  tabs_->addTab(result_table_, tr("Results"));
  auto* scroll = new QScrollArea(tabs_);
  images_box_ = new QWidget(scroll);
  images_layout_ = new QVBoxLayout(images_box_);
  scroll->setWidget(images_box_);
  scroll->setWidgetResizable(true);
  tabs_->addTab(scroll, tr("Weights"));
  auto* compare = new QWidget(tabs_);
  auto* cmp = new QHBoxLayout(compare);
  compare_chart_ = new QChartView(compare);
  compare_chart_->setRenderHint(QPainter::Antialiasing);
  compare_table_ = makeTable(1, compare);
  compare_table_->setTextElideMode(Qt::ElideMiddle);
  compare_table_->setWordWrap(false);
  auto* chart_column = new QVBoxLayout;
  auto* metric_row = new QHBoxLayout;
  metric_row->addWidget(new QLabel(tr("Overlay:"), compare));
  compare_metric_ = new QComboBox(compare);
  compare_metric_->addItems({tr("dev accuracy"), tr("dev macro-F1"), tr("training loss")});
  compare_metric_->setCurrentIndex(0);
  metric_row->addWidget(compare_metric_);
  metric_row->addStretch(1);
  chart_column->addLayout(metric_row);
  chart_column->addWidget(compare_chart_, 1);
  cmp->addLayout(chart_column, 1);
  cmp->addWidget(compare_table_, 1);
  tabs_->addTab(compare, tr("Compare"));
  split->addWidget(tabs_);
  split->setStretchFactor(0, 1);
  split->setStretchFactor(1, 2);
  layout->addWidget(split, 1);
  status_ = new QLabel(this);
  // "N run(s) in <workspace>": a long path wraps instead of widening the window.
  status_->setWordWrap(true);
  status_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
  layout->addWidget(status_);

  connect(refresh_button, &QPushButton::clicked, this, &RunsPanel::refresh);
  connect(compare_metric_, QOverload<int>::of(&QComboBox::currentIndexChanged), this,
          [this] { showCompareCurves(); });
  connect(table_->selectionModel(), &QItemSelectionModel::selectionChanged, this,
          &RunsPanel::selectionChanged);
  connect(open_button, &QPushButton::clicked, this, [this] {
    const QStringList paths = selectedPaths();
    if (!paths.isEmpty()) Q_EMIT openInCompress(paths.first());
  });
  connect(eval_button, &QPushButton::clicked, this, &RunsPanel::evaluateSelected);
  connect(compare_button_, &QPushButton::clicked, this, [this] {
    showCompare(selectedRows());
    tabs_->setCurrentIndex(tabs_->count() - 1);
  });
  connect(reveal_button, &QPushButton::clicked, this, [this] {
    for (const QString& p : selectedPaths()) QDesktopServices::openUrl(QUrl::fromLocalFile(p));
  });
  connect(copy_button, &QPushButton::clicked, this,
          [this] { QApplication::clipboard()->setText(selectedPaths().join(QLatin1Char('\n'))); });
  connect(delete_button, &QPushButton::clicked, this, &RunsPanel::deleteSelected);
  connect(table_, &QTableView::doubleClicked, this, [this](const QModelIndex& index) {
    Q_EMIT openInCompress(model_->run(index.row()).path);
  });
  if (jobs_) {
    connect(jobs_, &JobRunner::finished, this, [this](int id, const JobResult& result) {
      if (id != eval_job_) return;
      const auto* report = result.get<kdw::EvaluateReport>();
      if (!report) return;
      addRow(result_table_, {tr("— evaluation —"), QString()});
      addRow(result_table_, {tr("evaluation: dev"), scoresText(report->dev)});
      addRow(result_table_, {tr("evaluation: test"), scoresText(report->test)});
      addRow(result_table_,
             {tr("evaluation: parameters"), QLocale().toString(qint64(report->parameters))});
      addRow(result_table_, {tr("evaluation: bytes"), QLocale().toString(qint64(report->bytes))});
      addRow(result_table_, {tr("evaluation: latency ms/sample"),
                             QString::number(report->latency_ms_per_sample, 'g', 4)});
      status_->setText(tr("Evaluation done"));
      tabs_->setCurrentIndex(2);
    });
    connect(jobs_, &JobRunner::failed, this, [this](int id, const QString& message) {
      if (id == eval_job_) status_->setText(tr("Evaluation failed: %1").arg(message));
    });
  }
  selectionChanged();
}

void RunsPanel::setWorkspace(const QString& root) {
  if (root != root_) clearViews();  // the old workspace's runs must not stay in the tabs
  root_ = root;
  model_->setRoot(root);
  status_->setText(tr("%n run(s) in %1", nullptr, model_->rowCount()).arg(root));
  selectionChanged();
}

void RunsPanel::refresh() {
  setWorkspace(root_);
}

QList<int> RunsPanel::selectedRows() const {
  QList<int> rows;
  for (const QModelIndex& i : table_->selectionModel()->selectedRows()) rows << i.row();
  std::sort(rows.begin(), rows.end());
  return rows;
}

QStringList RunsPanel::selectedPaths() const {
  QStringList paths;
  for (int r : selectedRows()) paths << model_->run(r).path;
  return paths;
}

void RunsPanel::selectRows(const QList<int>& rows) {
  table_->clearSelection();
  for (int r : rows)
    table_->selectionModel()->select(model_->index(r, 0),
                                     QItemSelectionModel::Select | QItemSelectionModel::Rows);
}

void RunsPanel::selectionChanged() {
  const QList<int> rows = selectedRows();
  for (QPushButton* b : single_run_buttons_) b->setEnabled(rows.size() == 1);
  compare_button_->setEnabled(rows.size() >= 2);
  if (rows.size() == 1) showRun(model_->run(rows.first()));
  if (rows.size() >= 2) showCompare(rows);
}

void RunsPanel::showRun(const RunInfo& run) {
  config_table_->setRowCount(0);
  for (const auto& [option, value] : run.optionTexts()) addRow(config_table_, {option, value});
  if (!run.dataDir.isEmpty()) addRow(config_table_, {tr("data folder"), run.dataDir});
  result_table_->setRowCount(0);
  addRow(result_table_, {tr("folder"), run.path});
  addRow(result_table_, {tr("model"), run.modelFile.isEmpty() ? tr("none") : run.modelFile});
  addRow(result_table_, {tr("cut model"), run.hasCut ? tr("yes") : tr("no")});
  // The shape of the model the run trained (a saved model trained on keeps its own).
  if (!run.shapeText().isEmpty()) addRow(result_table_, {tr("shape"), run.shapeText()});
  if (!run.startedFrom().isEmpty())
    addRow(result_table_, {tr("started from"), run.startedFrom()});
  if (const std::optional<kdw::DistillReport>& r = run.report) {
    addRow(result_table_, {tr("model type"), QString::fromStdString(r->model_type)});
    addRow(result_table_, {tr("epochs done"), QString::number(r->epochs_done)});
    addRow(result_table_, {tr("best epoch"), QString::number(r->best_epoch)});
    addRow(result_table_, {tr("steps"), QString::number(r->steps)});
    if (r->stopped) addRow(result_table_, {tr("stopped"), tr("yes, the best model so far kept")});
    if (!r->failed.empty())
      addRow(result_table_, {tr("failed"), QString::fromStdString(r->failed)});
    if (r->dev) addRow(result_table_, {QStringLiteral("dev"), scoresText(*r->dev)});
    if (r->test) addRow(result_table_, {QStringLiteral("test"), scoresText(*r->test)});
    addRow(result_table_, {tr("parameters"), QLocale().toString(qint64(r->parameters))});
    addRow(result_table_, {tr("bytes"), QLocale().toString(qint64(r->bytes))});
  }
  if (!run.problem.isEmpty()) addRow(result_table_, {tr("problem"), run.problem});
  if (const std::optional<kdw::CutReport>& cut = run.cut) {
    addRow(result_table_, {tr("cut: hidden after"), QString::fromStdString(cut->hidden_after)});
    addRow(result_table_,
           {tr("cut: parameters after"), QLocale().toString(qint64(cut->parameters_after))});
    addRow(result_table_, {tr("cut: bytes after"), QLocale().toString(qint64(cut->bytes_after))});
  }

  const QList<Curve> curves = runCurves(readMetrics(run.path));
  setCurves(loss_chart_, tr("Training loss"), tr("step"), {curves[0]});
  setCurves(dev_chart_, tr("Dev scores"), tr("epoch"), {curves[1], curves[2]});

  while (QLayoutItem* item = images_layout_->takeAt(0)) {
    delete item->widget();
    delete item;
  }
  for (const QString& name : run.images) {
    auto* caption = new QLabel(name, images_box_);
    auto* picture = new QLabel(images_box_);
    QPixmap pm(QDir(run.path).filePath(name));
    if (pm.width() > 1000) pm = pm.scaledToWidth(1000, Qt::SmoothTransformation);
    picture->setPixmap(pm);
    images_layout_->addWidget(caption);
    images_layout_->addWidget(picture);
  }
  if (run.images.isEmpty())
    images_layout_->addWidget(
        new QLabel(tr("No weight pictures in this run (kdw compress --show_weight writes them)."),
                   images_box_));
  images_layout_->addStretch(1);
}

void RunsPanel::clearViews() {
  config_table_->setRowCount(0);
  result_table_->setRowCount(0);
  setCurves(loss_chart_, tr("Training loss"), tr("step"), {});
  setCurves(dev_chart_, tr("Dev scores"), tr("epoch"), {});
  while (QLayoutItem* item = images_layout_->takeAt(0)) {
    delete item->widget();
    delete item;
  }
  compare_rows_.clear();
  compare_table_->clear();
  compare_table_->setRowCount(0);
  compare_table_->setColumnCount(0);
  setCurves(compare_chart_, compare_metric_->currentText(), tr("epoch"), {});
}

void RunsPanel::showCompareCurves() {
  // runCurves(): [0] loss per step, [1] dev accuracy, [2] dev macro-F1 per epoch.
  const int metric = compare_metric_->currentIndex();
  const int curve = metric == 2 ? 0 : metric + 1;
  QList<Curve> curves;
  QHash<QString, int> kept;  // each run's kept epoch, by run name (its series' name)
  for (int r : compare_rows_) {
    if (r < 0 || r >= model_->rowCount()) continue;
    const RunInfo& run = model_->run(r);
    Curve c = runCurves(readMetrics(run.path))[curve];
    c.name = run.name;
    curves << c;
    kept.insert(run.name, run.report ? run.report->best_epoch : 0);
  }
  setCurves(compare_chart_, compare_metric_->currentText(), metric == 2 ? tr("step") : tr("epoch"),
            curves);
  if (metric == 2) return;
  // Each run's kept epoch drawn large on its curve (the "kept epoch" row says why): a run's
  // "best" row is its kept epoch, which need not be its curve's peak (the sparse tolerance).
  for (QAbstractSeries* series : compare_chart_->chart()->series()) {
    auto* line = qobject_cast<QXYSeries*>(series);
    if (!line || !kept.contains(line->name())) continue;
    const QList<QPointF> points = line->points();
    for (int p = 0; p < points.size(); ++p) {
      if (int(points[p].x()) != kept.value(line->name())) continue;
      line->setPointConfiguration(p, {{QXYSeries::PointConfiguration::Size, 6.0}});
    }
  }
}

void RunsPanel::showCompare(const QList<int>& rows) {
  QList<RunInfo> runs;
  for (int r : rows) runs << model_->run(r);
  compare_rows_ = rows;
  showCompareCurves();

  compare_table_->clear();
  compare_table_->setRowCount(0);
  compare_table_->setColumnCount(1 + static_cast<int>(runs.size()));
  QStringList header{tr("")};
  for (const RunInfo& run : runs) header << run.name;
  compare_table_->setHorizontalHeaderLabels(header);
  auto row = [&](const QString& name, auto&& cell) {
    QStringList cells{name};
    for (const RunInfo& run : runs) cells << cell(run);
    addRow(compare_table_, cells);
  };
  row(tr("model type"), [](const RunInfo& r) { return r.modelType; });
  row(tr("shape"), [](const RunInfo& r) { return r.shapeText(); });
  // model_type has its row.
  for (const QString& option : differingOptions(runs))
    if (option != QLatin1String("model_type"))
      row(option, [&option](const RunInfo& r) { return r.optionText(option); });
  row(tr("best dev accuracy"), [](const RunInfo& r) { return metricText(r.bestDevAccuracy()); });
  row(tr("best dev macro-F1"), [](const RunInfo& r) { return metricText(r.bestDevMacroF1()); });
  row(tr("kept epoch"), [](const RunInfo& r) {
    return distillKeptReason(r.report ? r.report->best_epoch : 0,
                             r.options ? toQJson(r.options->to_json()) : QJsonObject(),
                             epochScores(readMetrics(r.path)));
  });
  // The sentences are long: whole in the tooltip.
  for (int c = 1; c < compare_table_->columnCount(); ++c)
    if (QTableWidgetItem* item = compare_table_->item(compare_table_->rowCount() - 1, c))
      item->setToolTip(item->text());
  row(tr("test accuracy"), [](const RunInfo& r) { return metricText(r.testAccuracy()); });
  row(tr("test macro-F1"), [](const RunInfo& r) { return metricText(r.testMacroF1()); });
  row(tr("parameters"), [](const RunInfo& r) {
    return r.parameters() < 0 ? QStringLiteral("–") : QLocale().toString(r.parameters());
  });
  row(tr("cut model"), [](const RunInfo& r) {
    if (!r.hasCut) return tr("no");
    const qint64 after = r.cut ? r.cut->parameters_after : 0;
    return after > 0 ? tr("yes, %1 parameters").arg(QLocale().toString(after)) : tr("yes");
  });
  compare_table_->resizeColumnsToContents();
  // Long values (paths) are elided: the run names in the header must stay in view.
  for (int c = 0; c < compare_table_->columnCount(); ++c)
    compare_table_->setColumnWidth(c, std::min(compare_table_->columnWidth(c), 230));
}

void RunsPanel::evaluateSelected() {
  const QList<int> rows = selectedRows();
  if (rows.size() != 1 || !jobs_) return;
  const RunInfo& run = model_->run(rows.first());
  if (run.modelFile.isEmpty()) {
    status_->setText(tr("%1 holds no model").arg(run.path));
    return;
  }
  const std::string model = QDir(run.path).filePath(run.modelFile).toStdString();
  const std::string data = root_.toStdString();
  status_->setText(tr("Evaluating %1…").arg(run.name));
  eval_job_ = jobs_->submit(tr("Evaluate %1").arg(run.name), [model, data](kdw::JobContext& job) {
    return evaluateModel(model, data, job);
  });
}

void RunsPanel::deleteSelected() {
  const QStringList paths = selectedPaths();
  if (paths.isEmpty()) return;
  if (QMessageBox::question(
          this, tr("Delete runs"),
          tr("Move %n run folder(s) to the trash?\n\n%1", nullptr, static_cast<int>(paths.size()))
              .arg(paths.join(QLatin1Char('\n')))) != QMessageBox::Yes)
    return;
  QStringList failed;
  for (const QString& p : paths)
    if (!QFile::moveToTrash(p) && !QDir(p).removeRecursively()) failed << p;
  refresh();
  if (!failed.isEmpty())
    status_->setText(tr("Could not delete: %1").arg(failed.join(QStringLiteral(", "))));
}
