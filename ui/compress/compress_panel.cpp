#include "ui/compress/compress_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonObject>
#include <QLabel>
#include <QPushButton>
#include <QSlider>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <exception>
#include <tuple>

#include "compress/cut_report.h"
#include "student/run_folder.h"
#include "ui/common/human_units.h"
#include "ui/common/replace_question.h"
#include "ui/common/run_info.h"
#include "ui/compress/component_strip.h"
#include "ui/compress/heatmap_view.h"
#include "ui/compress/student_source.h"
#include "ui/jobs/job_runner.h"

namespace {
constexpr int kSliderSteps = 1000;

QString directionName(int d) {
  return d == 0 ? QStringLiteral("fwd") : QStringLiteral("bwd");
}

// First model_distill_*.pt of a run folder.
QString modelInRun(const QString& runDir) {
  try {
    const auto models = kdw::RunFolder(runDir.toStdString()).models();
    return models.empty() ? QString() : QString::fromStdString(models.front().string());
  } catch (const std::exception&) {
    return {};
  }
}
}  // namespace

CompressPanel::CompressPanel(JobRunner* jobs, QWidget* parent) : QWidget(parent), jobs_(jobs) {
  auto* layout = new QVBoxLayout(this);
  title_ = new QLabel(tr("No run open. Open one from the Runs panel or the Distill panel."), this);
  title_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(title_);

  auto* bar = new QHBoxLayout;
  bar->addWidget(new QLabel(tr("Matrix:"), this));
  matrix_box_ = new QComboBox(this);
  matrix_box_->setMinimumContentsLength(22);
  bar->addWidget(matrix_box_);
  bar->addWidget(new QLabel(tr("Show:"), this));
  mode_box_ = new QComboBox(this);
  mode_box_->addItems({tr("value"), tr("|w|"), tr("log |w|")});
  bar->addWidget(mode_box_);
  auto* fit = new QPushButton(tr("Fit"), this);
  fit->setToolTip(tr("Show the whole matrix (or double-click it)"));
  bar->addWidget(fit);
  bar->addStretch(1);
  layout->addLayout(bar);

  auto* split = new QSplitter(Qt::Horizontal, this);
  heatmap_ = new HeatmapView(split);
  split->addWidget(heatmap_);

  auto* side = new QWidget(split);
  auto* sl = new QVBoxLayout(side);
  sl->setContentsMargins(4, 0, 0, 0);
  auto* group_row = new QHBoxLayout;
  group_row->addWidget(new QLabel(tr("Units of:"), side));
  group_box_ = new QComboBox(side);
  group_row->addWidget(group_box_, 1);
  sorted_box_ = new QCheckBox(tr("sorted"), side);
  sorted_box_->setToolTip(tr("Order the units by their ISS group norm"));
  group_row->addWidget(sorted_box_);
  sl->addLayout(group_row);
  strip_ = new ComponentStrip(side);
  strip_->setToolTip(tr("Click: pick/unpick a unit; shift-click: range; drag: paint"));
  sl->addWidget(strip_, 1);
  auto* th_row = new QHBoxLayout;
  th_row->addWidget(new QLabel(tr("Threshold:"), side));
  slider_ = new QSlider(Qt::Horizontal, side);
  slider_->setRange(0, kSliderSteps);
  th_row->addWidget(slider_, 1);
  threshold_label_ = new QLabel(QStringLiteral("0"), side);
  threshold_label_->setMinimumWidth(60);
  th_row->addWidget(threshold_label_);
  auto* clear = new QPushButton(tr("Clear"), side);
  th_row->addWidget(clear);
  sl->addLayout(th_row);
  summary_ = new QLabel(side);
  summary_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  sl->addWidget(summary_);
  auto* buttons = new QHBoxLayout;
  cut_button_ = new QPushButton(tr("Cut && Evaluate"), side);
  export_button_ = new QPushButton(tr("Export…"), side);
  export_button_->setEnabled(false);
  buttons->addWidget(cut_button_);
  buttons->addWidget(export_button_);
  sl->addLayout(buttons);
  results_ = new QTableWidget(0, 3, side);
  results_->setHorizontalHeaderLabels({tr(""), tr("before"), tr("after")});
  results_->verticalHeader()->hide();
  results_->verticalHeader()->setDefaultSectionSize(results_->fontMetrics().height() + 6);
  results_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
  results_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  results_->setMaximumHeight(210);
  sl->addWidget(results_);
  split->addWidget(side);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 1);
  split->setSizes({700, 330});
  layout->addWidget(split, 1);

  status_ = new QLabel(this);
  layout->addWidget(status_);

  connect(matrix_box_, QOverload<int>::of(&QComboBox::currentIndexChanged), this,
          &CompressPanel::showMatrix);
  connect(mode_box_, QOverload<int>::of(&QComboBox::currentIndexChanged), this,
          [this](int i) { heatmap_->setMode(static_cast<HeatmapView::Mode>(i)); });
  connect(fit, &QPushButton::clicked, heatmap_, &HeatmapView::resetView);
  connect(group_box_, QOverload<int>::of(&QComboBox::currentIndexChanged), this,
          &CompressPanel::showGroup);
  connect(sorted_box_, &QCheckBox::toggled, strip_, &ComponentStrip::setSorted);
  connect(slider_, &QSlider::valueChanged, this, &CompressPanel::onSlider);
  connect(clear, &QPushButton::clicked, this, [this] {
    const QSignalBlocker block(slider_);
    slider_->setValue(0);
    onSlider(0);
  });
  connect(strip_, &ComponentStrip::selectionEdited, this, &CompressPanel::selectionChanged);
  connect(heatmap_, &HeatmapView::hovered, status_, &QLabel::setText);
  connect(strip_, &ComponentStrip::hovered, status_, &QLabel::setText);
  connect(cut_button_, &QPushButton::clicked, this, [this] { cutAndEvaluate(); });
  connect(export_button_, &QPushButton::clicked, this, &CompressPanel::exportCut);
  if (jobs_) {
    connect(jobs_, &JobRunner::finished, this, [this](int id, const QJsonObject& result) {
      if (id == cut_job_) showCutResult(result);
      if (id == export_job_) status_->setText(tr("Exported to %1").arg(export_target_));
    });
    connect(jobs_, &JobRunner::failed, this, [this](int id, const QString& message) {
      if (id == cut_job_) status_->setText(tr("Cut failed: %1").arg(message));
      if (id == export_job_) status_->setText(tr("Export failed: %1").arg(message));
    });
  }
  cut_button_->setEnabled(false);
}

CompressPanel::~CompressPanel() = default;

void CompressPanel::setWorkspace(const QString& root) {
  const bool changed = root != root_;
  root_ = root;
  // A run of another workspace stays open only until the new workspace has one of its own.
  if (!changed && student_) return;
  const QString latest = latestRunDir(root);
  if (!latest.isEmpty())
    openRun(latest);
  else if (changed)
    closeRun();
}

void CompressPanel::closeRun() {
  student_.reset();
  run_dir_.clear();
  selection_ = UnitSelection();
  title_->setText(tr("No run open. Open one from the Runs panel or the Distill panel."));
  title_->setToolTip(QString());
  {
    const QSignalBlocker b1(matrix_box_), b2(group_box_), b3(slider_);
    matrix_box_->clear();
    group_box_->clear();
    slider_->setValue(0);
  }
  threshold_label_->setText(QStringLiteral("0"));
  heatmap_->setMatrix(nullptr);
  strip_->setSelection(nullptr, -1);
  summary_->clear();
  results_->setRowCount(0);
  status_->clear();
  cut_button_->setEnabled(false);
  export_button_->setEnabled(false);
}

void CompressPanel::openRun(const QString& runDir) {
  const QString model = modelInRun(runDir);
  if (model.isEmpty()) {
    status_->setText(tr("%1: no %2*%3 in this folder")
                         .arg(runDir, QString::fromLatin1(kdw::RunFolder::kModelPrefix),
                              QString::fromLatin1(kdw::RunFolder::kModelSuffix)));
    return;
  }
  openModel(model);
}

bool CompressPanel::openModel(const QString& modelFile) {
  std::shared_ptr<LoadedStudent> loaded;
  try {
    loaded = loadStudentForView(modelFile.toStdString());
  } catch (const std::exception& e) {
    status_->setText(QString::fromUtf8(e.what()));
    return false;
  }
  student_ = std::move(loaded);
  run_dir_ = QFileInfo(modelFile).absolutePath();
  selection_ = UnitSelection(student_->groups);
  title_->setText(tr("<b>%1</b> — %2, %3 parameters")
                      .arg(QDir(run_dir_).dirName(), QString::fromStdString(student_->model_type),
                           QString::fromStdString(humanCount(sizesBefore().parameterCount()))));
  title_->setToolTip(modelFile);
  {
    const QSignalBlocker b1(matrix_box_), b2(group_box_), b3(slider_);
    matrix_box_->clear();
    for (const MatrixInfo& m : student_->matrices)
      matrix_box_->addItem(QStringLiteral("%1  [%2 x %3]")
                               .arg(m.matrix->name)
                               .arg(m.matrix->rows)
                               .arg(m.matrix->cols));
    group_box_->clear();
    for (const UnitGroup& g : student_->groups)
      group_box_->addItem(tr("layer %1 %2").arg(g.layer).arg(directionName(g.direction)));
    slider_->setValue(0);
  }
  // Start on the first recurrent matrix: the one the strip's units belong to.
  int first = 0;
  for (size_t i = 0; i < student_->matrices.size(); ++i)
    if (student_->matrices[i].kind == MatrixInfo::Kind::HiddenHidden) {
      first = static_cast<int>(i);
      break;
    }
  matrix_box_->setCurrentIndex(first);
  showMatrix(first);
  showGroup(group_box_->currentIndex());
  onSlider(0);
  cut_button_->setEnabled(true);
  export_button_->setEnabled(QFileInfo::exists(cutModelFile()));
  results_->setRowCount(0);
  return true;
}

void CompressPanel::showMatrix(int index) {
  if (!student_ || index < 0 || index >= static_cast<int>(student_->matrices.size())) return;
  const MatrixInfo& info = student_->matrices[static_cast<size_t>(index)];
  heatmap_->setMatrix(info.matrix);
  if (info.kind == MatrixInfo::Kind::InputHidden || info.kind == MatrixInfo::Kind::HiddenHidden) {
    const int g = selection_.findGroup(info.layer, info.direction);
    if (g >= 0 && g != group_box_->currentIndex()) group_box_->setCurrentIndex(g);
  }
  selectionChanged();
}

void CompressPanel::showGroup(int group) {
  strip_->setSelection(&selection_, group);
}

float CompressPanel::thresholdForSlider(int value) const {
  return selection_.maxNorm() * float(value) / float(kSliderSteps);
}

void CompressPanel::onSlider(int value) {
  const float t = thresholdForSlider(value);
  threshold_label_->setText(QString::number(double(t), 'g', 3));
  selection_.applyThreshold(t);
  strip_->setThreshold(t);
  strip_->refresh();
  selectionChanged();
}

ArchSizes CompressPanel::sizesBefore() const {
  return student_ ? student_->sizes : ArchSizes{};
}

ArchSizes CompressPanel::sizesAfter() const {
  return sizesBefore().afterCut(selection_);
}

QString CompressPanel::summary() const {
  return summary_->text();
}
QString CompressPanel::statusText() const {
  return status_->text();
}

void CompressPanel::selectionChanged() {
  if (!student_) return;
  summary_->setText(QString::fromStdString(summaryText(sizesBefore(), sizesAfter())));
  const int index = matrix_box_->currentIndex();
  if (index >= 0 && index < static_cast<int>(student_->matrices.size())) {
    std::vector<char> rows, cols;
    highlightFor(student_->matrices[static_cast<size_t>(index)], student_->sizes, selection_, rows,
                 cols);
    heatmap_->setHighlight(std::move(rows), std::move(cols));
  }
  strip_->update();
}

QString CompressPanel::cutModelFile() const {
  if (!student_) return {};
  const kdw::RunFolder run(run_dir_.toStdString());
  return QString::fromStdString(
      run.cut_model_file(kdw::parse_student_type(student_->model_type)).string());
}

int CompressPanel::cutAndEvaluate(bool askFirst) {
  if (!student_ || !jobs_) return 0;
  // The run's previous cut model and its report: ask before replacing them (or keep them aside).
  QString error;
  if (askFirst && !confirmReplace(this, tr("the cut model"),
                                  {cutModelFile(), QDir(run_dir_).filePath(QString::fromLatin1(
                                                       kdw::RunFolder::kCutReport))},
                                  &error)) {
    status_->setText(error.isEmpty() ? tr("Not cut; the previous cut model is unchanged.")
                                     : tr("Not cut: %1").arg(error));
    return 0;
  }
  CutRequest request;
  request.model_file = student_->model_file;
  request.removed = removedUnits(selection_, student_->sizes);
  // Evaluate on the workspace's data when there is one (the run folder's parent otherwise).
  const QString data = !root_.isEmpty() ? root_ : QFileInfo(run_dir_).absolutePath();
  if (QFileInfo::exists(QDir(data).filePath(QStringLiteral("files/data/tokens"))) ||
      QFileInfo::exists(QDir(data).filePath(QStringLiteral("data/tokens"))))
    request.data_path = data.toStdString();
  status_->setText(tr("Cutting…"));
  cut_job_ =
      jobs_->submit(tr("Cut & evaluate %1").arg(QDir(run_dir_).dirName()),
                    [request](kdw::JobContext& job) { return ::cutAndEvaluate(request, job); });
  return cut_job_;
}

void CompressPanel::showCutResult(const QJsonObject& result) {
  const kdw::CutReport report = fromQJson(result).get<kdw::CutReport>();
  results_->setRowCount(0);
  auto add = [this](const QString& name, const QString& b, const QString& a) {
    const int r = results_->rowCount();
    results_->insertRow(r);
    results_->setItem(r, 0, new QTableWidgetItem(name));
    results_->setItem(r, 1, new QTableWidgetItem(b));
    results_->setItem(r, 2, new QTableWidgetItem(a));
  };
  auto num = [](double v, int digits = 4) { return QString::number(v, 'g', digits); };
  auto count = [](int64_t v) { return QString::fromStdString(humanCount(v)); };
  auto bytes = [](int64_t v) { return QString::fromStdString(humanBytes(v)); };
  add(tr("hidden"), QString::fromStdString(report.hidden_before),
      QString::fromStdString(report.hidden_after));
  add(tr("parameters"), count(report.parameters_before), count(report.parameters_after));
  add(tr("bytes"), bytes(report.bytes_before), bytes(report.bytes_after));
  if (report.evaluation) {
    const kdw::EvaluateReport& rb = report.evaluation->before;
    const kdw::EvaluateReport& ra = report.evaluation->after;
    add(tr("latency ms/sample"), num(rb.latency_ms_per_sample, 3),
        num(ra.latency_ms_per_sample, 3));
    for (const auto& [split, b, a] :
         {std::tuple{"dev", rb.dev, ra.dev}, std::tuple{"test", rb.test, ra.test}}) {
      const QString s = QString::fromLatin1(split);
      add(s + QLatin1Char(' ') + tr("accuracy"), num(b.accuracy), num(a.accuracy));
      add(s + QLatin1Char(' ') + tr("macro-F1"), num(b.macro_f1), num(a.macro_f1));
    }
  }
  export_button_->setEnabled(true);
  status_->setText(tr("Wrote %1 and %2")
                       .arg(QString::fromStdString(report.cut_model_file),
                            QString::fromLatin1(kdw::RunFolder::kCutReport)));
  Q_EMIT cutFinished(run_dir_);
}

void CompressPanel::exportCut() {
  if (!student_ || !jobs_) return;
  const QString out =
      QFileDialog::getExistingDirectory(this, tr("Export the cut model into"), run_dir_);
  if (!out.isEmpty()) exportCutTo(out);
}

int CompressPanel::exportCutTo(const QString& dir) {
  if (!student_ || !jobs_) return 0;
  const QString model = cutModelFile();
  const QString target = QDir(dir).filePath(QStringLiteral("cut_export"));
  export_target_ = target;
  status_->setText(tr("Exporting to %1…").arg(target));
  export_job_ = jobs_->submit(tr("Export cut model"), [model, target](kdw::JobContext&) {
    return exportModel(model.toStdString(), target.toStdString());
  });
  return export_job_;
}
