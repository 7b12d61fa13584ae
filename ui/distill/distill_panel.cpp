#include "ui/distill/distill_panel.h"

#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalBlocker>
#include <QVBoxLayout>

#include <cmath>

#include "core/workspace.h"
#include "student/distill.h"
#include "student/reports.h"
#include "student/run_folder.h"
#include "ui/common/device_setting.h"
#include "ui/common/json_files.h"
#include "ui/common/kept_epoch.h"
#include "ui/common/live_chart.h"
#include "ui/common/option_form.h"
#include "ui/common/panel_util.h"
#include "ui/common/run_info.h"
#include "ui/common/staleness.h"
#include "ui/jobs/job_progress.h"
#include "ui/jobs/job_runner.h"
#include "ui/jobs/job_status.h"
#include "ui/jobs/kdw_process.h"

DistillPanel::~DistillPanel() = default;

namespace {
// The kept epoch marked on the dev and alive curves; returns why it was kept (from the run's
// config and curves) for the result text under the charts (a note under each chart would take
// height the charts lack at 1024x700).
QString markKeptEpoch(LiveChart* dev, LiveChart* alive, const QString& runDir, int kept) {
  const QJsonObject config =
      readJsonObjectFile(QDir(runDir).filePath(QString::fromLatin1(kdw::RunFolder::kConfig)));
  showKeptEpoch(dev, kept, QString());
  showKeptEpoch(alive, kept, QString());
  const QString why = distillKeptReason(kept, config, epochScores(readMetrics(runDir)));
  return why.isEmpty() ? QString() : QStringLiteral("<br>") + why.toHtmlEscaped();
}
}  // namespace

DistillPanel::DistillPanel(JobRunner* runner, QWidget* parent) : QWidget(parent), runner_(runner) {
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(makeHeading(tr("Distill: train the student on the teacher's logits"), this));

  auto* form = form_ = new QGroupBox(tr("Student and training"), this);
  auto* formLayout = new QVBoxLayout(form);
  // Every field, its limits, default and tooltip come from the engine's option table.
  options_ = std::make_unique<OptionForm>(kdw::distill_option_table().specs(), form);
  // One click to the settings a use needs: the original scripts' defaults train a wide student
  // without the group lasso, of which Compress can cut little; the demo's are ready for it.
  preset_ = new QComboBox(form);
  preset_->setObjectName(QStringLiteral("settingsPreset"));
  for (DistillPreset p : {DistillPreset::OriginalScripts, DistillPreset::ReadyForCompression})
    preset_->addItem(presetName(p));
  preset_->setPlaceholderText(tr("Custom"));
  preset_->setToolTip(tr("Fill the form with these settings (the student type stays):\n%1\n%2")
                          .arg(presetDescription(DistillPreset::OriginalScripts),
                               presetDescription(DistillPreset::ReadyForCompression)));
  // First in the grid, where a spare cell costs no height at the usual widths.
  formLayout->addWidget(options_->flowWidget(form, 4, {{new QLabel(tr("Settings")), preset_}}));
  layout->addWidget(form);
  connect(preset_, &QComboBox::activated, this,
          [this](int index) { applyPreset(DistillPreset(index)); });
  options_->onChanged(this, [this] { updatePresetChoice(); });
  updatePresetChoice();

  auto* buttons = new QHBoxLayout;
  start_ = new QPushButton(tr("Start"), this);
  stop_ = new QPushButton(tr("Stop"), this);
  stop_->setToolTip(tr("Stops after the current step; the best model so far is kept"));
  stop_->setEnabled(false);
  bar_ = new QProgressBar(this);
  bar_->setObjectName(QStringLiteral("runProgress"));
  bar_->setMaximumWidth(260);
  // Said as this run's: beside the status bar's (the whole demo while it runs), two bare
  // percentages left users guessing which was which.
  bar_->setFormat(tr("This run: %p%"));
  bar_->setMinimumWidth(bar_->fontMetrics().horizontalAdvance(tr("This run: 100%")) + 40);
  bar_->setToolTip(
      tr("This training run's progress over all its epochs (the status bar shows the job queue: "
         "the whole demo while it runs)"));
  bar_->hide();  // shown while a run trains
  status_ = new QLabel(this);
  status_->setWordWrap(true);  // a long line wraps instead of widening the window
  status_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
  buttons->addWidget(start_);
  buttons->addWidget(stop_);
  buttons->addWidget(bar_);
  buttons->addWidget(status_, 1);
  layout->addLayout(buttons);  // the run picker joins this row below

  auto* charts = new QHBoxLayout;
  loss_ = new LiveChart(tr("Loss"), tr("step"), QString(), this);
  s_loss_ = loss_->addSeries(tr("total"));
  s_ce_ = loss_->addSeries(tr("CE"));
  s_distill_ = loss_->addSeries(tr("distill"));
  dev_ = new LiveChart(tr("Dev scores"), tr("epoch"), QString(), this);
  s_acc_ = dev_->addSeries(tr("accuracy"));
  s_f1_ = dev_->addSeries(tr("macro-F1"));
  s_lasso_ = loss_->addSeries(tr("lambda x lasso"));
  loss_->setSmoothingControl(true);
  alive_ = new LiveChart(tr("Alive ISS components"), tr("epoch"), QString(), this);
  loss_->setIntegerX(true);  // steps and epochs: no 1.5 ticks
  dev_->setIntegerX(true);
  alive_->setIntegerX(true);
  charts->addWidget(loss_, 2);
  charts->addWidget(dev_, 1);
  charts->addWidget(alive_, 1);
  layout->addLayout(charts, 1);

  result_ = new QLabel(tr("No run yet."), this);
  result_->setWordWrap(true);
  result_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  open_ = new QPushButton(tr("Open in Compress"), this);
  open_->setEnabled(false);
  // Any earlier run of the workspace: its curves, results and settings.
  runs_ = new QComboBox(this);
  runs_->setObjectName(QStringLiteral("runPicker"));
  runs_->setToolTip(tr("Open an earlier run: its curves, results and settings (in the form)"));
  runs_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  // The picker beside Start, the result under the charts across the whole width: beside the
  // picker it wrapped to six lines, which a 1024x700 window took from the charts' height.
  buttons->addWidget(new QLabel(tr("Run:"), this));
  buttons->addWidget(runs_);
  buttons->addWidget(open_);
  layout->addWidget(result_);
  // A student trained on logits computed again since: said, with the one click that redoes it.
  const StaleRow staleRow =
      addStaleRow(layout, this, tr("Redo with these settings"), QStringLiteral("redoRun"),
                  tr("Train this run's student again, on the current logits"));
  stale_ = staleRow.note;
  redo_ = staleRow.redo;
  connect(redo_, &QPushButton::clicked, this, &DistillPanel::redo);

  connect(start_, &QPushButton::clicked, this, &DistillPanel::start);
  connect(stop_, &QPushButton::clicked, this, [this] { runner_->cancel(job_); });
  connect(open_, &QPushButton::clicked, this, [this] { Q_EMIT openInCompress(run_dir_); });
  connect(runs_, &QComboBox::activated, this,
          [this](int index) { openRun(runs_->itemData(index).toString()); });
  // Any code that picks a run in the list (the screenshot tour, a test) shows it as a user's pick
  // does, settings included (refreshRuns sets the current item with the signals blocked).
  connect(runs_, &QComboBox::currentIndexChanged, this, [this](int index) {
    if (index >= 0 && job_ == 0) showRun(runs_->itemData(index).toString());
  });
  // A distillation queued elsewhere (the demo, the Runs browser) is shown here as it trains.
  connect(runner_, &JobRunner::started, this, [this](int id, const QString&) {
    if (job_ == 0 && runner_->currentKind() == QLatin1String(JobRunner::kDistillKind))
      followJob(id);
    else if (id == job_)
      runs_before_ = runFolderNames(runParent());
  });
  connect(runner_, &JobRunner::metrics, this, &DistillPanel::onMetrics);
  connect(runner_, &JobRunner::progress, this,
          [this](int id, const QString& stage, qint64 d, qint64 t, const QString& msg) {
            if (id != job_) return;
            // The whole run (all epochs, as the status bar counts a job), not the epoch's
            // batches; the stages before and after the epochs leave it be (busy at first).
            if (stage.startsWith(QLatin1String("epoch ")) && t > 0) {
              bar_->setRange(0, 1000);
              bar_->setValue(int(jobFraction(stage, d, t) * 1000));
            }
            QStringList parts;
            for (const QString& part : {stage, msg})
              if (!part.trimmed().isEmpty()) parts << part.trimmed();
            if (samples_per_s_ > 0) parts << tr("%1 samples/s").arg(samples_per_s_, 0, 'f', 0);
            status_->setText(parts.join(QStringLiteral(" · ")));
          });
  connect(runner_, &JobRunner::finished, this, [this](int id, const JobResult& r) {
    if (id != job_) return;
    const auto* result = r.get<kdw::DistillResult>();
    if (!result) return finish(tr("The job handed back no run."));
    run_dir_ = QString::fromStdString(result->run_dir.string());
    // The run list shows the finished run: the form shows its settings (edits made meanwhile
    // were not what it trained with).
    showRunSettings(run_dir_);
    finish(resultSummary(result->report));
    open_->setEnabled(!run_dir_.isEmpty());
    if (!run_dir_.isEmpty())
      result_->setText(result_->text() +
                       markKeptEpoch(dev_, alive_, run_dir_, result->report.best_epoch));
  });
  connect(runner_, &JobRunner::failed, this, [this](int id, const QString& m) {
    if (id == job_) finish(tr("Failed: %1").arg(m));
  });
  connect(runner_, &JobRunner::cancelled, this, [this](int id, const JobResult& partial) {
    if (id != job_) return;
    // The job hands back what it finished: its run folder and the best epoch so far.
    const auto* result = partial.get<kdw::DistillResult>();
    if (!result || result->report.best_epoch == 0) {
      finish(tr("Stopped before the first epoch ended; no model was kept."));
      return;
    }
    run_dir_ = QString::fromStdString(result->run_dir.string());
    showRunSettings(run_dir_);
    finish(QString());
    result_->setText(tr("Stopped; the best model so far is kept.<br>") +
                     resultSummary(result->report) +
                     markKeptEpoch(dev_, alive_, run_dir_, result->report.best_epoch));
    open_->setEnabled(true);
  });
}

void DistillPanel::setWorkspace(const QString& root) {
  const bool changed = root != workspace_;
  workspace_ = root;
  if (job_ == 0 && runner_->currentKind() == QLatin1String(JobRunner::kDistillKind))
    followJob(runner_->currentId());  // one that started before this panel saw the workspace
  if (job_ != 0) return;
  // Show the newest run of the workspace (or nothing when it has none).
  const QString latest = latestRunDir(root);
  if (!latest.isEmpty() && (changed || run_dir_.isEmpty())) {
    showRun(latest);
  } else if (latest.isEmpty()) {
    run_dir_.clear();
    clearCharts();
    result_->setText(tr("No run yet."));
    open_->setEnabled(false);
  }
  updateStale();  // the logits may have been computed again since the run was shown
  refreshRuns();
}

bool DistillPanel::showRun(const QString& runDir) {
  const RunInfo run = readRunInfo(runDir);
  const QVector<QJsonObject> records = readMetrics(runDir);
  if (records.isEmpty() && !run.report) return false;
  clearCharts();
  lambda_ = run.options ? run.options->group_lasso : 0.0;
  for (const QJsonObject& r : records) addRecord(r);
  loss_->redraw();
  dev_->redraw();
  alive_->redraw();
  run_dir_ = run.path;
  // Whatever shows a run (the newest of a workspace, a pick in the list) shows its settings:
  // the form is what a rerun would use.
  showRunOptions(run);
  result_->setToolTip(run_dir_);
  if (run.report)
    result_->setText(resultSummary(*run.report) +
                     markKeptEpoch(dev_, alive_, run_dir_, run.report->best_epoch));
  else if (!run.problem.isEmpty())
    result_->setText(tr("Run %1: %2").arg(run_dir_.toHtmlEscaped(), run.problem.toHtmlEscaped()));
  else
    result_->setText(tr("Run %1: no %2 (interrupted?)")
                         .arg(run_dir_, QString::fromLatin1(kdw::RunFolder::kResult)));
  open_->setEnabled(true);
  updateStale();
  return true;
}

void DistillPanel::showRunShape(const RunInfo& run) {
  QString from = QString::fromStdString(
      run.options ? run.options->restore_model_path.filename().string() : std::string());
  // The title must not widen the window: a long name is shortened (the tooltip has it whole).
  constexpr int kNameShown = 36;
  if (from.size() > kNameShown) from = from.left(kNameShown - 1) + QChar(0x2026);
  // A saved model trained on: the shape fields cannot hold a cut model's per-layer sizes and the
  // form has no field for the model, so the form's title says whose they are. In the title: a
  // line of its own grew a 1024x700 window (the charts have no height to give there).
  run_shape_text_ = from.isEmpty() ? QString()
                    : run.arch
                        ? tr("this run trained %1 further at its own shape; shape fields are a new "
                             "student's")
                              .arg(from)
                        : tr("this run trained %1 further at that model's shape; shape fields are "
                             "not this run's")
                              .arg(from);
  form_->setTitle(run_shape_text_.isEmpty() ? tr("Student and training")
                                            : tr("Student and training · %1").arg(run_shape_text_));
  form_->setToolTip(run.arch && !from.isEmpty() ? tr("%1\nat its own shape: %2, embedding %3")
                                                      .arg(run.startedFrom(), run.shapeText())
                                                      .arg(run.arch->emb_dim)
                                                : run.startedFrom());
}

QString DistillPanel::runShapeText() const {
  return run_shape_text_;
}

void DistillPanel::updateStale() {
  const QString reason = job_ == 0 && !run_dir_.isEmpty() ? runStaleReason(run_dir_) : QString();
  stale_->setText(reason);
  stale_->setVisible(!reason.isEmpty());
  redo_->setVisible(!reason.isEmpty());
}

QString DistillPanel::staleText() const {
  return stale_->isHidden() ? QString() : stale_->text();
}

// The shown run's options go into the form, and a new run starts with them (the stale run stays).
void DistillPanel::redo() {
  if (run_dir_.isEmpty() || job_ != 0) return;
  options_->setValues(
      readJsonObjectFile(QDir(run_dir_).filePath(QString::fromLatin1(kdw::RunFolder::kConfig))));
  start();
}

QString DistillPanel::resultSummary(const kdw::DistillReport& r) const {
  const kdw::SplitScores dev = r.dev.value_or(kdw::SplitScores{});
  const kdw::SplitScores test = r.test.value_or(kdw::SplitScores{});
  // The run's key options (h, layers, epochs, lr, alpha, lasso): the form may hold others.
  const QString options = readRunInfo(run_dir_).keyOptions();
  QString text = tr("<b>Run %1</b> (%2)%3<br>best epoch %4 of %5 · dev accuracy <b>%6</b>, "
                    "macro-F1 %7 · test accuracy <b>%8</b>, macro-F1 %9 · %10 parameters, %11")
                     .arg(QDir(run_dir_).dirName().toHtmlEscaped(),
                          (QString::fromStdString(r.model_type) +
                           (options.isEmpty() ? QString() : QStringLiteral(", ") + options))
                              .toHtmlEscaped(),
                          r.stopped ? tr(", stopped early") : QString())
                     .arg(r.best_epoch)
                     .arg(r.epochs_done)
                     .arg(dev.accuracy, 0, 'f', 4)
                     .arg(dev.macro_f1, 0, 'f', 4)
                     .arg(test.accuracy, 0, 'f', 4)
                     .arg(test.macro_f1, 0, 'f', 4)
                     .arg(QLocale().toString(qint64(r.parameters)))
                     .arg(QLocale().formattedDataSize(qint64(r.bytes)));
  return text;  // the folder's path is the label's tooltip: a line less under the charts
}

QString DistillPanel::resultText() const {
  return result_ ? result_->text() : QString();
}

QString DistillPanel::statusText() const {
  return status_ ? status_->text() : QString();
}

void DistillPanel::clearCharts() {
  loss_->clear();
  dev_->clear();
  alive_->clear();
}

void DistillPanel::start() {
  kdw::DistillOptions o;
  try {
    options_->applyTo(kdw::distill_option_table(), o);
  } catch (const kdw::Error& e) {
    result_->setText(tr("Not started: %1").arg(QString::fromUtf8(e.what()).toHtmlEscaped()));
    return;
  }
  o.device = jobDevice();
  o.data_path = workspace_.toStdString();
  o.output_dir = output_dir_.toStdString();
  const QString type = QString::fromStdString(kdw::student_type_name(o.model_type));
  clearCharts();
  lambda_ = o.group_lasso;
  samples_per_s_ = 0;
  following_ = false;
  job_ = -1;  // its own job: not one to follow when submit() starts it at once
  const int workers = jobWorkers();
  JobRunner::JobFn fn = [o](kdw::JobContext& job) { return kdw::run_distill(o, job); };
  if (workers > 1) {
    // N local processes through kdw (one job here); its options from the same table.
    QStringList args{QStringLiteral("distill")};
    for (const std::string& a : kdw::distill_option_table().to_cli_args(o))
      args << QString::fromStdString(a);
    args << workerFlags(workers);
    fn = [args](kdw::JobContext& job) { return runKdwJob<kdw::DistillResult>(args, job); };
  }
  job_ = runner_->submit(workers > 1 ? tr("Distill %1 (%2 workers)").arg(type).arg(workers)
                                     : tr("Distill %1").arg(type),
                         std::move(fn), QString::fromLatin1(JobRunner::kDistillKind));
  if (runner_->currentId() == job_) runs_before_ = runFolderNames(runParent());
  start_->setEnabled(false);
  stop_->setEnabled(true);
  open_->setEnabled(false);
  runs_->setEnabled(false);  // the charts belong to the job until it ends
  showTrainingInPicker();
  stale_->hide();
  redo_->hide();
  bar_->setRange(0, 0);
  bar_->show();
  run_dir_.clear();
  result_->setText(tr("Training %1 (%2 epochs); the results show here when the run ends.")
                       .arg(type)
                       .arg(o.epochs));
  status_->setText(tr("Waiting for the job queue…"));
}

void DistillPanel::finish(const QString& text) {
  job_ = 0;
  following_ = false;
  start_->setEnabled(true);
  stop_->setEnabled(false);
  runs_->setEnabled(true);
  bar_->hide();
  result_->setText(text);
  status_->clear();
  refreshRuns();
}

void DistillPanel::followJob(int id) {
  if (id == 0 || id == job_) return;
  job_ = id;
  following_ = true;
  runs_before_ = runFolderNames(runParent());
  clearCharts();
  lambda_ = 0;
  samples_per_s_ = 0;
  run_dir_.clear();
  start_->setEnabled(false);
  stop_->setEnabled(true);
  open_->setEnabled(false);
  runs_->setEnabled(false);
  showTrainingInPicker();
  bar_->setRange(0, 0);
  bar_->show();
  result_->setText(tr("Training: %1 (queued elsewhere); the results show here when the run ends.")
                       .arg(runner_->currentName().toHtmlEscaped()));
  status_->clear();
}

QString DistillPanel::runParent() const {
  // A job queued elsewhere writes where kdw distill does by default: the workspace root.
  return !following_ && !output_dir_.isEmpty() ? output_dir_ : workspace_;
}

QStringList DistillPanel::runFolderNames(const QString& parent) {
  QStringList names;
  if (parent.isEmpty()) return names;
  for (const QString& name : QDir(parent).entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name))
    if (kdw::is_run_folder_name(name.toStdString())) names << name;
  return names;
}

void DistillPanel::findRunFolder() {
  // The job makes its run folder before its first metric record: the one folder with a
  // config.json that was not there when the job started (the newest, should there be several).
  const QDir dir(runParent());
  const QStringList names = runFolderNames(runParent());
  for (auto it = names.crbegin(); it != names.crend(); ++it) {
    if (runs_before_.contains(*it)) continue;
    const QString run = dir.absoluteFilePath(*it);
    const QJsonObject config =
        readJsonObjectFile(QDir(run).filePath(QString::fromLatin1(kdw::RunFolder::kConfig)));
    if (config.isEmpty()) continue;
    run_dir_ = run;
    if (following_) {
      lambda_ = config.value(QStringLiteral("group_lasso")).toDouble();
      // A config the table cannot read leaves the form as it was; the curves still show. A cut
      // model trained on (Compress) shows its shape.
      showRunOptions(readRunInfo(run));
    }
    result_->setText(result_->text() +
                     QStringLiteral("<br><small>%1</small>").arg(run_dir_.toHtmlEscaped()));
    return;
  }
}

void DistillPanel::refreshRuns() {
  const QSignalBlocker block(runs_);
  runs_->clear();
  const QList<RunInfo> runs = scanRuns(workspace_);
  for (auto it = runs.crbegin(); it != runs.crend(); ++it) {  // newest first
    QString text = it->name;
    if (!it->modelType.isEmpty()) text += QStringLiteral(" · ") + it->modelType;
    runs_->addItem(text, it->path);
  }
  // The run shown, or none: a run outside the workspace (another output folder) is not in the
  // list, and the list must not name another run than the one whose settings the form shows.
  const int current = runs_->findData(QFileInfo(run_dir_).absoluteFilePath());
  runs_->setPlaceholderText(current < 0 && !run_dir_.isEmpty()
                                ? tr("%1 (elsewhere)").arg(QDir(run_dir_).dirName())
                                : QStringLiteral("–"));
  runs_->setCurrentIndex(current);
  runs_->setEnabled(job_ == 0 && runs_->count() > 0);
}

bool DistillPanel::openRun(const QString& runDir) {
  if (job_ != 0 || !showRun(runDir)) return false;
  refreshRuns();
  return true;
}

void DistillPanel::showTrainingInPicker() {
  // The list names no earlier run while the form and the charts are the training one's.
  showRunShape(RunInfo());
  const QSignalBlocker block(runs_);
  runs_->setPlaceholderText(tr("the run training now"));
  runs_->setCurrentIndex(-1);
}

void DistillPanel::showRunSettings(const QString& runDir) {
  showRunOptions(readRunInfo(runDir));
}

void DistillPanel::showRunOptions(const RunInfo& run) {
  if (run.options) {
    kdw::DistillOptions o = *run.options;
    // A saved model trained on: the shape fields hold its shape where they can (older runs
    // recorded the options as given there). Where its layers differ no hidden_size says it
    // (the note does) and the table's default would pass for one: the field keeps its value.
    if (!o.restore_model_path.empty() && run.arch) {
      o.num_layers = int(run.arch->hidden.size());
      o.emb_dim = run.arch->emb_dim;
      o.dropout = run.arch->dropout;
      o.hidden_size =
          run.arch->uniform_hidden().value_or(std::get<int64_t>(options_->value("hidden_size")));
    }
    options_->show(kdw::distill_option_table(), o);
  }
  showRunShape(run);
}

void DistillPanel::applyPreset(DistillPreset preset) {
  const auto& table = kdw::distill_option_table();
  kdw::DistillOptions o = presetOptions(preset);
  for (const kdw::OptionSpec& s : options_->specs())
    if (presetKeeps(s.name)) table.set(o, s.name, options_->value(s.name));
  options_->show(table, o);
  updatePresetChoice();
}

int DistillPanel::currentPreset() const {
  const auto& table = kdw::distill_option_table();
  for (DistillPreset p : {DistillPreset::OriginalScripts, DistillPreset::ReadyForCompression}) {
    const kdw::DistillOptions o = presetOptions(p);
    bool same = true;
    for (const kdw::OptionSpec& s : options_->specs()) {
      if (presetKeeps(s.name)) continue;
      const kdw::OptionValue shown = options_->value(s.name), wanted = table.get(o, s.name);
      const double* a = std::get_if<double>(&shown);
      const double* b = std::get_if<double>(&wanted);
      // A spin box holds its value rounded to the decimals it shows.
      same = a && b ? std::abs(*a - *b) <= 1e-9 * std::max(1.0, std::abs(*b)) : shown == wanted;
      if (!same) break;
    }
    if (same) return int(p);
  }
  return -1;
}

void DistillPanel::updatePresetChoice() {
  const QSignalBlocker block(preset_);
  preset_->setCurrentIndex(currentPreset());
}

void DistillPanel::onMetrics(int id, const QJsonArray& records) {
  if (id != job_) return;
  if (run_dir_.isEmpty()) findRunFolder();
  for (const auto& value : records) addRecord(value.toObject());
}

void DistillPanel::addRecord(const QJsonObject& r) {
  const QString kind = r.value("kind").toString();
  if (kind == QLatin1String("step")) {
    const double step = r.value("step").toDouble();
    loss_->append(s_loss_, step, r.value("loss").toDouble());
    loss_->append(s_ce_, step, r.value("ce").toDouble());
    loss_->append(s_distill_, step, r.value("distill").toDouble());
    // "lasso" is the plain sum of group norms; the loss holds lambda times it.
    if (lambda_ > 0) loss_->append(s_lasso_, step, lambda_ * r.value("lasso").toDouble());
    samples_per_s_ = r.value("samples_per_s").toDouble();
  } else if (kind == QLatin1String("epoch")) {
    const double epoch = r.value("epoch").toDouble();
    const QJsonObject dev = r.value("dev").toObject();
    dev_->append(s_acc_, epoch, dev.value("accuracy").toDouble());
    dev_->append(s_f1_, epoch, dev.value("macro_f1").toDouble());
    // "alive": per layer, a count or a list of counts (one per direction).
    const QJsonArray alive = r.value("alive").toArray();
    for (int layer = 0; layer < alive.size(); ++layer) {
      while (alive_series_.size() <= layer)
        alive_series_ << alive_->addSeries(tr("layer %1").arg(alive_series_.size() + 1));
      double count = 0;
      if (alive[layer].isArray())
        for (const auto& c : alive[layer].toArray()) count += c.toDouble();
      else
        count = alive[layer].toDouble();
      alive_->append(alive_series_[layer], epoch, count);
    }
  }
}

void DistillPanel::loadSettings(QSettings& s) {
  loadFormFields(s, QStringLiteral("distill"), formFields());
}

void DistillPanel::saveSettings(QSettings& s) const {
  saveFormFields(s, QStringLiteral("distill"), formFields());
}

std::vector<FormField> DistillPanel::formFields() const {
  return options_->fields();
}
