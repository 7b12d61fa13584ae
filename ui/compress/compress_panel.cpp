#include "ui/compress/compress_panel.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonObject>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QToolButton>
#include <QUndoStack>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <exception>
#include <tuple>

#include "compress/compress_options.h"
#include "compress/cut_report.h"
#include "core/error.h"
#include "student/distill.h"
#include "student/run_folder.h"
#include "ui/common/form_settings.h"
#include "ui/common/human_units.h"
#include "ui/common/option_form.h"
#include "ui/common/replace_question.h"
#include "ui/common/run_info.h"
#include "ui/compress/component_strip.h"
#include "ui/compress/heatmap_view.h"
#include "ui/compress/student_source.h"
#include "ui/compress/train_on.h"
#include "ui/jobs/job_runner.h"

namespace {
constexpr int kSliderSteps = 1000;

// A threshold box that shows and takes norms in any magnitude ("3.2e-05", "0.41").
class ThresholdSpin : public QDoubleSpinBox {
 public:
  using QDoubleSpinBox::QDoubleSpinBox;
  QString textFromValue(double value) const override { return QString::number(value, 'g', 4); }
  double valueFromText(const QString& text) const override { return text.toDouble(); }
  QValidator::State validate(QString& text, int&) const override {
    if (text.isEmpty()) return QValidator::Intermediate;
    bool ok = false;
    const double v = text.toDouble(&ok);
    if (!ok) return QValidator::Intermediate;  // "1e-" on the way to "1e-3"
    return v >= minimum() && v <= maximum() ? QValidator::Acceptable : QValidator::Intermediate;
  }
};

// A scroll area as wide as its widget needs (it scrolls only up and down): the summary's lines
// and the fields are never squeezed, whatever they show.
class SideScroll : public QScrollArea {
 public:
  using QScrollArea::QScrollArea;
  QSize minimumSizeHint() const override {
    QSize size = QScrollArea::minimumSizeHint();
    if (widget())
      size.setWidth(widget()->minimumSizeHint().width() + verticalScrollBar()->sizeHint().width() +
                    2 * frameWidth());
    return size;
  }
  bool eventFilter(QObject* watched, QEvent* event) override {
    if (watched == widget() && event->type() == QEvent::LayoutRequest) updateGeometry();
    return QScrollArea::eventFilter(watched, event);
  }
};

// The cut's before/after table: as tall as its rows, never scrolled itself (at 1024x700 its
// share of the side column showed two of eight rows); the side column scrolls instead. Hidden
// while it has no rows.
class RowsTable : public QTableWidget {
 public:
  using QTableWidget::QTableWidget;
  QSize sizeHint() const override { return {QTableWidget::sizeHint().width(), rowsHeight()}; }
  QSize minimumSizeHint() const override {
    return {QTableWidget::minimumSizeHint().width(), rowsHeight()};
  }

 protected:
  void rowsInserted(const QModelIndex& parent, int first, int last) override {
    QTableWidget::rowsInserted(parent, first, last);
    setVisible(rowCount() > 0);
    updateGeometry();
  }
  void rowsAboutToBeRemoved(const QModelIndex& parent, int first, int last) override {
    QTableWidget::rowsAboutToBeRemoved(parent, first, last);
    setVisible(rowCount() > last - first + 1);
    updateGeometry();  // laid out again after the rows are gone
  }

 private:
  int rowsHeight() const {
    int height = horizontalHeader()->sizeHint().height() + 2 * frameWidth();
    for (int r = 0; r < rowCount(); ++r) height += rowHeight(r);
    return height;
  }
};

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
  // A run trained without the group lasso has no weak units to cut: said at once, with the way
  // to a run that has (hidden otherwise).
  training_note_ = new QLabel(this);
  training_note_->setObjectName(QStringLiteral("trainingNote"));
  training_note_->setWordWrap(true);
  training_note_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
  training_note_->setStyleSheet(QStringLiteral("color: #8a5300;"));
  training_note_->hide();
  connect(training_note_, &QLabel::linkActivated, this,
          [this] { Q_EMIT compressionSettingsRequested(); });
  layout->addWidget(training_note_);

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
  fit->setToolTip(tr("Show the whole matrix (or right-button double-click on it)"));
  bar->addWidget(fit);
  bar->addStretch(1);
  history_ = new PickHistory(this);
  // Undo/redo of picks, for this panel only (another panel may use Ctrl+Z for its own edits).
  QAction* undo = undo_ = history_->stack()->createUndoAction(this, tr("Undo"));
  undo->setObjectName(QStringLiteral("undoPicks"));
  undo->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Z));
  QAction* redo = redo_ = history_->stack()->createRedoAction(this, tr("Redo"));
  redo->setObjectName(QStringLiteral("redoPicks"));
  redo->setShortcuts(
      {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), QKeySequence(Qt::CTRL | Qt::Key_Y)});
  for (QAction* a : {undo, redo}) {
    a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(a);
  }
  for (const auto& [action, label, keys] : {std::tuple{undo, tr("Undo"), tr("Ctrl+Z")},
                                            std::tuple{redo, tr("Redo"), tr("Ctrl+Shift+Z")}}) {
    auto* b = new QToolButton(this);
    b->setText(label);
    b->setToolTip(tr("%1 the last change of the picked units (%2)").arg(label, keys));
    b->setEnabled(false);
    connect(b, &QToolButton::clicked, action, &QAction::trigger);
    connect(action, &QAction::changed, b, [b, action] { b->setEnabled(action->isEnabled()); });
    bar->addWidget(b);
  }
  layout->addLayout(bar);

  auto* split = new QSplitter(Qt::Horizontal, this);
  auto* left = new QWidget(split);
  auto* ll = new QVBoxLayout(left);
  ll->setContentsMargins(0, 0, 0, 0);
  ll->setSpacing(2);
  heatmap_ = new HeatmapView(left);
  ll->addWidget(heatmap_, 1);
  auto* hint = new QLabel(tr("Click a row: pick or unpick its unit (Ctrl+click: the column's "
                             "unit, Shift+click: a range) · drag: a range · right- or "
                             "middle-drag: pan · wheel: zoom"),
                          left);
  hint->setWordWrap(true);
  QFont small = hint->font();
  small.setPointSizeF(small.pointSizeF() * 0.9);
  hint->setFont(small);
  hint->setForegroundRole(QPalette::PlaceholderText);
  ll->addWidget(hint);
  split->addWidget(left);

  // The side column scrolls rather than grow the window: with a run open and a cut's table it
  // needed ~30 px more than a 1024x700 window has (the window grew to 1024x730).
  side_scroll_ = new SideScroll(split);
  side_scroll_->setObjectName(QStringLiteral("compressSide"));
  side_scroll_->setFrameShape(QFrame::NoFrame);
  side_scroll_->setWidgetResizable(true);
  side_scroll_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  auto* side = new QWidget(side_scroll_);
  auto* sl = new QVBoxLayout(side);
  sl->setContentsMargins(4, 0, 0, 0);
  sl->setSpacing(4);  // eleven rows: the default spacing alone took ~20 px more
  auto* group_row = new QHBoxLayout;
  group_row->addWidget(new QLabel(tr("Units of:"), side));
  group_box_ = new QComboBox(side);
  group_row->addWidget(group_box_, 1);
  sorted_box_ = new QCheckBox(tr("sorted"), side);
  sorted_box_->setToolTip(tr("Order the units by their ISS group norm"));
  group_row->addWidget(sorted_box_);
  sl->addLayout(group_row);
  strip_scroll_ = new QScrollArea(side);
  strip_ = new ComponentStrip;
  strip_->setToolTip(
      tr("Click: pick/unpick a unit; shift-click: range; drag: paint; "
         "Ctrl+wheel: zoom the rows"));
  strip_scroll_->setWidget(strip_);
  strip_scroll_->setWidgetResizable(true);
  strip_scroll_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  strip_scroll_->setMinimumHeight(100);
  sl->addWidget(strip_scroll_, 2);
  auto* th_row = new QHBoxLayout;
  th_row->addWidget(new QLabel(tr("Threshold:"), side));
  slider_ = new QSlider(Qt::Horizontal, side);
  slider_->setRange(0, kSliderSteps);
  slider_->setToolTip(
      tr("Picks the units whose group norm is below the threshold; the scale "
         "is logarithmic from the smallest to the largest norm"));
  th_row->addWidget(slider_, 1);
  threshold_spin_ = new ThresholdSpin(side);
  threshold_spin_->setDecimals(12);  // the box shows 4 significant digits; keep the value whole
  threshold_spin_->setRange(0.0, 0.0);
  threshold_spin_->setKeyboardTracking(false);
  threshold_spin_->setStepType(QAbstractSpinBox::AdaptiveDecimalStepType);
  threshold_spin_->setToolTip(
      tr("Type a threshold: the units whose group norm is below it "
         "are picked"));
  threshold_spin_->setMinimumWidth(
      threshold_spin_->fontMetrics().horizontalAdvance(QStringLiteral("0.0000e-00")) + 30);
  th_row->addWidget(threshold_spin_);
  auto* clear = new QPushButton(tr("Clear"), side);
  th_row->addWidget(clear);
  sl->addLayout(th_row);
  threshold_label_ = new QLabel(side);
  sl->addWidget(threshold_label_);
  summary_ = new QLabel(side);
  summary_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  sl->addWidget(summary_);
  // The cut's options come from the engine's compress table (the components from the picks).
  auto* cut_options = new QGridLayout;
  options_ = std::make_unique<OptionForm>(kdw::compress_option_table().specs(), side);
  options_->addTo(cut_options, 2);
  sl->addLayout(cut_options);
  auto* buttons = new QHBoxLayout;
  cut_button_ = new QPushButton(tr("Cut && Evaluate"), side);
  export_button_ = new QPushButton(tr("Export…"), side);
  export_button_->setEnabled(false);
  buttons->addWidget(cut_button_);
  buttons->addWidget(export_button_);
  sl->addLayout(buttons);
  // Training on after the cut recovers what the cut cost (Wen et al. 2018).
  auto* train_row = new QHBoxLayout;
  train_on_button_ = new QPushButton(tr("Train the cut model on"), side);
  train_on_button_->setObjectName(QStringLiteral("trainOn"));
  train_on_button_->setToolTip(
      tr("Train the cut model further at its smaller shape, with the run's own training options "
         "and without the lasso (kdw distill --restore_model_path CUT --epochs N); the new run "
         "appears in Distill and Runs"));
  train_on_button_->setEnabled(false);
  train_on_epochs_ = new QSpinBox(side);
  train_on_epochs_->setObjectName(QStringLiteral("trainOnEpochs"));
  train_on_epochs_->setRange(1, 1000);
  train_on_epochs_->setValue(4);
  train_on_epochs_->setSuffix(tr(" epochs"));
  train_row->addWidget(train_on_button_);
  train_row->addWidget(train_on_epochs_);
  sl->addLayout(train_row);
  results_ = new RowsTable(0, 3, side);
  results_->setHorizontalHeaderLabels({tr(""), tr("before"), tr("after")});
  results_->verticalHeader()->hide();
  results_->verticalHeader()->setDefaultSectionSize(results_->fontMetrics().height() + 6);
  results_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
  // The figures as wide as they are: the names beside them get the rest ("latency ms/sample"
  // was elided at 1024x700 beside two 100 px columns).
  results_->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
  results_->horizontalHeader()->setSectionResizeMode(2, QHeaderView::ResizeToContents);
  results_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  results_->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  results_->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
  results_->hide();  // no empty box before a cut
  sl->addWidget(results_);
  side_scroll_->setWidget(side);
  split->addWidget(side_scroll_);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 1);
  split->setSizes({700, 330});
  layout->addWidget(split, 1);

  status_ = new QLabel(this);
  // A long hover read-out must not widen the window (at 1024 px it is cut at the right).
  status_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
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
  // A slider drag is one undo step, recorded when the slider is let go.
  connect(slider_, &QSlider::sliderReleased, this,
          [this] { history_->record(pickState(), tr("threshold %1").arg(double(threshold_))); });
  connect(threshold_spin_, QOverload<double>::of(&QDoubleSpinBox::valueChanged), this,
          &CompressPanel::onSpin);
  connect(clear, &QPushButton::clicked, this, [this] {
    {
      const QSignalBlocker b1(slider_), b2(threshold_spin_);
      slider_->setValue(0);
      threshold_spin_->setValue(0.0);
    }
    applyThreshold(0.0f);
    history_->record(pickState(), tr("clear the picks"));
  });
  connect(history_, &PickHistory::restore, this, &CompressPanel::restorePicks);
  connect(strip_, &ComponentStrip::selectionEdited, this, &CompressPanel::picksEdited);
  connect(heatmap_, &HeatmapView::selectionEdited, this, &CompressPanel::picksEdited);
  connect(strip_, &ComponentStrip::editFinished, this,
          [this] { history_->record(pickState(), tr("pick units")); });
  connect(heatmap_, &HeatmapView::editFinished, this,
          [this] { history_->record(pickState(), tr("pick units")); });
  connect(heatmap_, &HeatmapView::hovered, status_, &QLabel::setText);
  // The unit under the cursor on the heatmap (its row's, else its column's when that one is of
  // the strip's group) is marked on the strip, scrolled into view.
  connect(heatmap_, &HeatmapView::hoverMoved, this, [this](const HeatmapView::Hover& h) {
    const int g = strip_->group();
    int unit = -1;
    if (h.valid && g >= 0 && h.row_unit.group == g)
      unit = h.row_unit.unit;
    else if (h.valid && g >= 0 && h.col_unit.group == g)
      unit = h.col_unit.unit;
    strip_->setHoveredUnit(unit);
    if (unit >= 0) strip_scroll_->ensureVisible(0, strip_->unitY(unit), 0, 24);
  });
  connect(strip_, &ComponentStrip::hovered, status_, &QLabel::setText);
  connect(cut_button_, &QPushButton::clicked, this, [this] { cutAndEvaluate(); });
  connect(export_button_, &QPushButton::clicked, this, &CompressPanel::exportCut);
  connect(train_on_button_, &QPushButton::clicked, this, [this] { trainCutOn(); });
  if (jobs_) {
    connect(jobs_, &JobRunner::finished, this, [this](int id, const JobResult& result) {
      if (id == cut_job_)
        if (const auto* report = result.get<kdw::CutReport>()) showCutResult(*report);
      if (id == export_job_) status_->setText(tr("Exported to %1").arg(export_target_));
      if (id == train_on_job_)
        if (const auto* run = result.get<kdw::DistillResult>())
          status_->setText(tr("The cut model, trained on, is in %1")
                               .arg(QString::fromStdString(run->run_dir.string())));
    });
    connect(jobs_, &JobRunner::failed, this, [this](int id, const QString& message) {
      if (id == cut_job_) status_->setText(tr("Cut failed: %1").arg(message));
      if (id == export_job_) status_->setText(tr("Export failed: %1").arg(message));
      if (id == train_on_job_) status_->setText(tr("Training on failed: %1").arg(message));
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
  updateTrainingNote(RunInfo{});
  selection_ = UnitSelection();
  title_->setText(tr("No run open. Open one from the Runs panel or the Distill panel."));
  title_->setToolTip(QString());
  {
    const QSignalBlocker b1(matrix_box_), b2(group_box_), b3(slider_), b4(threshold_spin_);
    matrix_box_->clear();
    group_box_->clear();
    slider_->setValue(0);
    threshold_spin_->setRange(0.0, 0.0);
  }
  threshold_ = 0.0f;
  threshold_label_->clear();
  history_->reset(PickState{});
  heatmap_->setMatrix(nullptr);
  strip_->setSelection(nullptr, -1);
  summary_->clear();
  results_->setRowCount(0);
  status_->clear();
  cut_button_->setEnabled(false);
  export_button_->setEnabled(false);
  train_on_button_->setEnabled(false);
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
  const RunInfo run = readRunInfo(run_dir_);  // config.json: the note and the threshold
  updateTrainingNote(run);
  {
    const QSignalBlocker b1(matrix_box_), b2(group_box_), b3(slider_), b4(threshold_spin_);
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
    threshold_spin_->setRange(0.0, double(thresholdForSlider(kSliderSteps)));
    threshold_spin_->setValue(0.0);
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
  // The run's own ISS threshold, the one its "alive" counts used, picks the units its group
  // lasso drove out: ready to cut as trained, and the user moves it from there.
  const float start =
      run.options && run.options->iss_threshold > 0 ? float(run.options->iss_threshold) : 0.0f;
  {
    const QSignalBlocker b1(slider_), b2(threshold_spin_);
    slider_->setValue(sliderForThreshold(start));
    threshold_spin_->setValue(double(start));
  }
  applyThreshold(start);
  history_->reset(pickState());
  cut_button_->setEnabled(true);
  export_button_->setEnabled(QFileInfo::exists(cutModelFile()));
  train_on_button_->setEnabled(QFileInfo::exists(cutModelFile()));
  results_->setRowCount(0);
  return true;
}

void CompressPanel::updateTrainingNote(const RunInfo& run) {
  // A cut model trained on runs without the lasso by design (Train the cut model on).
  const bool noLasso =
      run.options && run.options->group_lasso <= 0 && run.options->restore_model_path.empty();
  training_note_->setText(
      noLasso ? tr("This run was trained without the group lasso (Group lasso 0 in its "
                   "settings): its units stay alike in strength, so few can be cut without "
                   "losing accuracy. For a model that cuts well, train a student with the "
                   "settings ready for compression: <a href=\"distill\">Distill → Settings: "
                   "Compressible</a>.")
              : QString());
  training_note_->setVisible(noLasso);
}

QString CompressPanel::trainingNote() const {
  return training_note_->isHidden() ? QString() : training_note_->text();
}

void CompressPanel::showMatrix(int index) {
  if (!student_ || index < 0 || index >= static_cast<int>(student_->matrices.size())) return;
  const MatrixInfo& info = student_->matrices[static_cast<size_t>(index)];
  heatmap_->setMatrix(info.matrix);
  UnitAxis rows, cols;
  unitAxesFor(info, student_->sizes, selection_, rows, cols);
  heatmap_->setUnits(&selection_, std::move(rows), std::move(cols));
  if (info.kind == MatrixInfo::Kind::InputHidden || info.kind == MatrixInfo::Kind::HiddenHidden) {
    const int g = selection_.findGroup(info.layer, info.direction);
    if (g >= 0 && g != group_box_->currentIndex()) group_box_->setCurrentIndex(g);
  }
  selectionChanged();
}

void CompressPanel::showGroup(int group) {
  strip_->setSelection(&selection_, group);
}

namespace {
// The slider's log scale: [lo, top] with top just above the largest norm (so that the right end
// picks every unit); lo = the smallest non-zero norm (a dead unit's 0 is below every position).
std::pair<double, double> logRange(const UnitSelection& s) {
  const double hi = s.maxNorm();
  double lo = s.minNonZeroNorm();
  if (lo <= 0.0 || lo > hi) lo = hi;
  return {lo, hi * 1.0001};
}
}  // namespace

float CompressPanel::thresholdForSlider(int value) const {
  const auto [lo, top] = logRange(selection_);
  if (value <= 0 || top <= 0.0) return 0.0f;
  if (value >= kSliderSteps) return float(top);
  const double f = double(value - 1) / double(kSliderSteps - 1);
  return float(lo * std::pow(top / lo, f));
}

int CompressPanel::sliderForThreshold(float threshold) const {
  const auto [lo, top] = logRange(selection_);
  if (threshold <= 0.0f || top <= 0.0) return 0;
  if (threshold <= lo) return 1;
  if (threshold >= top) return kSliderSteps;
  const double f = std::log(double(threshold) / lo) / std::log(top / lo);
  return std::clamp(1 + static_cast<int>(std::lround(f * (kSliderSteps - 1))), 1, kSliderSteps);
}

void CompressPanel::onSlider(int value) {
  const float t = thresholdForSlider(value);
  {
    const QSignalBlocker block(threshold_spin_);
    threshold_spin_->setValue(double(t));
  }
  applyThreshold(t);
  if (!slider_->isSliderDown()) history_->record(pickState(), tr("threshold %1").arg(double(t)));
}

void CompressPanel::onSpin(double value) {
  const float t = static_cast<float>(value);
  {
    const QSignalBlocker block(slider_);
    slider_->setValue(sliderForThreshold(t));
  }
  applyThreshold(t);
  history_->record(pickState(), tr("threshold %1").arg(value));
}

void CompressPanel::applyThreshold(float t) {
  threshold_ = t;
  selection_.applyThreshold(t);
  strip_->setThreshold(t);
  strip_->refresh();
  threshold_label_->setText(thresholdCountText());
  picksEdited();
}

QString CompressPanel::thresholdCountText() const {
  if (!student_) return {};
  return tr("%1 of %2 units below the threshold")
      .arg(selection_.countBelow(threshold_))
      .arg(selection_.totalUnits());
}

PickState CompressPanel::pickState() const {
  return PickState{selection_.picks(), threshold_};
}

void CompressPanel::restorePicks(const PickState& state) {
  selection_.setPicks(state.picks);
  threshold_ = state.threshold;
  {
    const QSignalBlocker b1(slider_), b2(threshold_spin_);
    slider_->setValue(sliderForThreshold(threshold_));
    threshold_spin_->setValue(double(threshold_));
  }
  strip_->setThreshold(threshold_);
  strip_->refresh();
  threshold_label_->setText(thresholdCountText());
  picksEdited();
}

void CompressPanel::picksEdited() {
  // The before/after figures belong to the picks they were cut with.
  results_->setRowCount(0);
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
  try {
    options_->applyTo(kdw::compress_option_table(), request.options);
  } catch (const kdw::Error& e) {
    status_->setText(tr("Not started: %1").arg(QString::fromUtf8(e.what())));
    return 0;
  }
  request.model_file = student_->model_file;
  request.removed = removedUnits(selection_, student_->sizes);
  cut_picks_ = selection_.picks();
  request.data_path = dataPath().toStdString();
  status_->setText(tr("Cutting…"));
  cut_job_ =
      jobs_->submit(tr("Cut & evaluate %1").arg(QDir(run_dir_).dirName()),
                    [request](kdw::JobContext& job) { return ::cutAndEvaluate(request, job); });
  return cut_job_;
}

QString CompressPanel::dataPath() const {
  const QString data = !root_.isEmpty() ? root_ : QFileInfo(run_dir_).absolutePath();
  if (QFileInfo::exists(QDir(data).filePath(QStringLiteral("files/data/tokens"))) ||
      QFileInfo::exists(QDir(data).filePath(QStringLiteral("data/tokens"))))
    return data;
  return {};
}

int CompressPanel::trainCutOn() {
  if (!student_ || !jobs_) return 0;
  const QString cut = cutModelFile();
  if (!QFileInfo::exists(cut)) {
    status_->setText(tr("Not started: cut the model first (%1 is missing)").arg(cut));
    return 0;
  }
  const QString data = dataPath();
  if (data.isEmpty()) {
    status_->setText(tr("Not started: no prepared data beside %1 to train on").arg(run_dir_));
    return 0;
  }
  const kdw::DistillOptions o = trainOnOptions(run_dir_, cut, data, train_on_epochs_->value());
  train_on_job_ = jobs_->submit(
      tr("Train the cut %1 on").arg(QString::fromStdString(student_->model_type)),
      [o](kdw::JobContext& job) { return kdw::run_distill(o, job); },
      QString::fromLatin1(JobRunner::kDistillKind));
  status_->setText(tr("Training the cut model on for %n epoch(s); the Distill panel follows it",
                      nullptr, o.epochs));
  Q_EMIT trainOnStarted(train_on_job_);
  return train_on_job_;
}

void CompressPanel::showCutResult(const kdw::CutReport& report) {
  results_->setRowCount(0);
  export_button_->setEnabled(true);
  train_on_button_->setEnabled(true);
  if (selection_.picks() != cut_picks_) {
    // The picks changed while it ran: its figures would sit next to other picks.
    status_->setText(tr("Wrote %1 for the earlier picks; Cut & Evaluate again for these")
                         .arg(QString::fromStdString(report.cut_model_file)));
    Q_EMIT cutFinished(run_dir_);
    return;
  }
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
  // Below the side column's fold at 1024x700: scrolled to once the rows are laid out.
  QMetaObject::invokeMethod(
      this, [this] { side_scroll_->ensureWidgetVisible(results_); }, Qt::QueuedConnection);
  status_->setText(tr("Wrote %1 and %2")
                       .arg(QString::fromStdString(report.cut_model_file),
                            QString::fromLatin1(kdw::RunFolder::kCutReport)));
  Q_EMIT cutFinished(run_dir_);
}

void CompressPanel::loadSettings(QSettings& settings) {
  loadFormFields(settings, QStringLiteral("compress"), options_->fields());
}

void CompressPanel::saveSettings(QSettings& settings) const {
  saveFormFields(settings, QStringLiteral("compress"), options_->fields());
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
