#include "ui/teacher/teacher_panel.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QJsonArray>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSpinBox>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <iterator>

#include "bert/bert_copy.h"
#include "bert/bert_io.h"
#include "bert/finetune.h"
#include "bert/finetune_report.h"
#include "bert/teacher_data.h"
#include "bert/teacher_options.h"
#include "core/demo_recipe.h"
#include "core/workspace.h"
#include "ui/common/device_setting.h"
#include "ui/common/human_units.h"
#include "ui/common/json_files.h"
#include "ui/common/kept_epoch.h"
#include "ui/common/live_chart.h"
#include "ui/common/option_form.h"
#include "ui/common/panel_util.h"
#include "ui/common/replace_question.h"
#include "ui/common/workspace_state.h"
#include "ui/jobs/job_runner.h"
#include "ui/jobs/job_status.h"
#include "ui/jobs/kdw_process.h"
#include "ui/teacher/teacher_settings.h"

TeacherPanel::~TeacherPanel() = default;

namespace {
// A folder's check (a light job): what the folder holds and, when the workspace's teacher data
// was prepared with another vocabulary, the problem fine-tuning would refuse with.
struct FolderCheck {
  kdw::BertFolderInfo info;
  QString vocab_problem;
};

// The rule that kept the teacher's best epoch, under its dev results.
void appendKeptReason(QLabel* summary, int kept, const QJsonObject& dev) {
  const EpochScores scores{kept, dev.value(QStringLiteral("accuracy")).toDouble(),
                           dev.value(QStringLiteral("macro_f1")).toDouble()};
  summary->setText(summary->text() + QStringLiteral("<br>") +
                   teacherKeptReason(kept, {scores}).toHtmlEscaped());
}
}  // namespace

TeacherPanel::TeacherPanel(JobRunner* runner, QWidget* parent) : QWidget(parent), runner_(runner) {
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(makeHeading(tr("Teacher: fine-tune BERT"), this));
  auto* top = new QHBoxLayout;
  auto* modelBox = new QGroupBox(tr("Pretrained model (files/bert/)"), this);
  auto* modelLayout = new QVBoxLayout(modelBox);
  folder_ = new QComboBox(modelBox);
  folder_->setObjectName(QStringLiteral("bertFolder"));
  // A chosen folder is a long absolute path: it must not widen the panel past a 1024 px window.
  folder_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  folder_->setMinimumContentsLength(16);
  folder_info_ = new QLabel(modelBox);
  folder_info_->setWordWrap(true);
  folder_info_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  folder_info_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
  // The browse button beside the folders, not on a row of its own: at 1024x700 the box is the
  // top row's tallest, and that row cost the folder's description its last line.
  auto* folderRow = new QHBoxLayout;
  folderRow->addWidget(folder_, 1);
  modelLayout->addLayout(folderRow);
  auto* browse = new QToolButton(modelBox);
  browse->setObjectName(QStringLiteral("useBertFolderButton"));
  browse->setText(tr("Use a BERT folder…"));
  browse->setIcon(style()->standardIcon(QStyle::SP_DirOpenIcon));
  browse->setToolButtonStyle(Qt::ToolButtonIconOnly);
  browse->setToolTip(
      tr("Use a BERT folder…: a DeepPavlov or Hugging Face BERT folder anywhere, "
         "fine-tuned in place"));
  folderRow->addWidget(browse);
  connect(browse, &QToolButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("BERT folder"));
    if (!dir.isEmpty()) useBertFolder(dir);
  });
  copy_ = new QPushButton(tr("Copy into workspace"), modelBox);
  copy_->setObjectName(QStringLiteral("copyBertButton"));
  copy_->setToolTip(
      tr("Copy the chosen folder's config, vocabulary and weights into files/bert/ of this "
         "workspace (a job; the folder chosen stays as it is)"));
  connect(copy_, &QPushButton::clicked, this, [this] { copyIntoWorkspace(); });
  scratch_ = new QPushButton(tr("Small BERT from scratch"), modelBox);
  scratch_->setObjectName(QStringLiteral("smallBertButton"));
  scratch_->setToolTip(
      tr("The demo's small BERT (2 layers, hidden 128, no pretrained weights) "
         "into files/bert/, trained from scratch by Start"));
  connect(scratch_, &QPushButton::clicked, this, [this] { smallBertFromScratch(); });
  modelLayout->addWidget(copy_);
  modelLayout->addWidget(scratch_);
  modelLayout->addWidget(folder_info_, 1);
  // The teacher data's vocabulary against the folder's, said when the folder is chosen rather
  // than when Start refuses; the button goes to the Data panel with the folder's vocab.txt.
  vocab_warning_ = new QLabel(modelBox);
  vocab_warning_->setObjectName(QStringLiteral("vocabWarning"));
  vocab_warning_->setWordWrap(true);
  vocab_warning_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
  vocab_warning_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  vocab_warning_->setStyleSheet(QStringLiteral("color: #a33;"));
  prepare_vocab_ = new QPushButton(tr("Prepare the data with this vocabulary…"), modelBox);
  prepare_vocab_->setObjectName(QStringLiteral("prepareWithVocab"));
  prepare_vocab_->setToolTip(
      tr("Open the Data panel with this folder's vocab.txt chosen as the "
         "BERT vocabulary, to prepare the data again"));
  connect(prepare_vocab_, &QPushButton::clicked, this,
          [this] { Q_EMIT prepareWithVocab(vocab_file_); });
  modelLayout->addWidget(vocab_warning_);
  modelLayout->addWidget(prepare_vocab_);
  vocab_warning_->hide();
  prepare_vocab_->hide();
  top->addWidget(modelBox, 1);

  // Hyper-parameters in a compact grid (up to three label/field pairs per row, as the width
  // allows): the charts below need the height.
  auto* hyper = new QGroupBox(tr("Hyper-parameters"), this);
  auto* hyperLayout = new QVBoxLayout(hyper);
  // Every field, its limits, default and tooltip come from the engine's option table.
  options_ = std::make_unique<OptionForm>(kdw::finetune_option_table().specs(), hyper);
  // Whose settings the form shows: a form at its defaults beside a teacher trained otherwise
  // left users guessing how the teacher they have was made. One short line in the grid's last
  // cell (11 fields leave it free at 2 and 3 columns), where it costs the charts no height; the
  // details in its tooltip.
  settings_note_ = new QLabel(hyper);
  settings_note_->setObjectName(QStringLiteral("teacherSettingsNote"));
  settings_note_->hide();
  connect(settings_note_, &QLabel::linkActivated, this, [this] { applyTeacherSettings(); });
  hyperLayout->addWidget(options_->flowWidget(hyper, 3, {}, {{nullptr, settings_note_}}));
  options_->onChanged(this, [this] { updateSettingsNote(); });
  top->addWidget(hyper);
  layout->addLayout(top);

  auto* buttons = new QHBoxLayout;
  start_ = new QPushButton(tr("Start"), this);
  stop_ = new QPushButton(tr("Stop"), this);
  resume_ = new QPushButton(tr("Resume"), this);
  resume_->setToolTip(tr("Continue an unfinished fine-tuning from its checkpoint"));
  stop_->setEnabled(false);
  bar_ = new QProgressBar(this);
  bar_->setRange(0, 1000);
  bar_->setValue(0);
  bar_->setTextVisible(false);
  bar_->setMaximumWidth(220);
  bar_->hide();  // shown while a job of this panel runs
  status_ = new QLabel(this);
  // A long message (a failure naming a path) wraps instead of widening the window.
  status_->setWordWrap(true);
  status_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
  buttons->addWidget(start_);
  buttons->addWidget(stop_);
  buttons->addWidget(resume_);
  buttons->addWidget(bar_);
  buttons->addWidget(status_, 1);
  layout->addLayout(buttons);

  auto* charts = new QHBoxLayout;
  loss_ = new LiveChart(tr("Training loss"), tr("optimizer step"), tr("loss"), this);
  loss_series_ = loss_->addSeries(tr("loss"));
  loss_->setSmoothingControl(true);
  dev_ = new LiveChart(tr("Dev scores"), tr("epoch"), QString(), this);
  dev_->setIntegerX(true);
  acc_series_ = dev_->addSeries(tr("accuracy"));
  f1_series_ = dev_->addSeries(tr("macro-F1"));
  // Readable at 1024x700 (ticks apart, legends shown): the results beside them take the rest.
  loss_->setMinimumWidth(230);
  dev_->setMinimumWidth(190);
  charts->addWidget(loss_, 3);
  charts->addWidget(dev_, 3);
  layout->addLayout(charts, 1);  // the charts take all the height the rest leaves

  auto* results = new QGroupBox(tr("Dev results (best epoch)"), this);
  auto* resultsLayout = new QVBoxLayout(results);
  dev_summary_ = new QLabel(tr("No fine-tuning run yet."), results);
  dev_summary_->setWordWrap(true);
  confusion_ = new ConfusionTable(results);
  resultsLayout->addWidget(dev_summary_);
  resultsLayout->addWidget(confusion_);
  resultsLayout->addStretch(1);
  // Beside the charts, not below them: a 1024x700 window has no height to spare.
  // Half the width: at 1600x1000 the table of 4 classes shows every column (with 4 of 10 it
  // scrolled, its recall and F1 cut, beside charts with room to spare); at 1024 the headers
  // shorten instead.
  charts->addWidget(results, 6);

  connect(folder_, &QComboBox::currentIndexChanged, this, &TeacherPanel::inspect);
  // A failure is about the folder it was tried with: another folder's choice takes it away.
  connect(folder_, &QComboBox::currentIndexChanged, this, [this] {
    if (job_ != 0 || copy_job_ != 0 || failure_.isEmpty() || status_->text() != failure_) return;
    failure_.clear();
    finetune_stamp_ = -1;  // the saved teacher's line again
    showFinetuned();
  });
  connect(start_, &QPushButton::clicked, this, [this] { start(false); });
  connect(resume_, &QPushButton::clicked, this, [this] { start(true); });
  connect(stop_, &QPushButton::clicked, this,
          [this] { runner_->cancel(job_ != 0 ? job_ : copy_job_); });
  connect(runner_, &JobRunner::metrics, this, &TeacherPanel::onMetrics);
  connect(runner_, &JobRunner::progress, this, &TeacherPanel::onProgress);
  auto done = [this](int id, const QString& text) {
    if (id != job_) return false;
    job_ = 0;
    bar_->hide();
    stop_->setEnabled(false);
    start_->setEnabled(copy_job_ == 0 && folder_->count() > 0);
    updateResume();
    updateFolderButtons();
    status_->setText(text);
    // A stopped or failed run may have saved its best epoch as the teacher: said in the form.
    loadTeacherSettings();
    updateSettingsNote();
    return true;
  };
  connect(runner_, &JobRunner::finished, this, [this, done](int id, const JobResult& result) {
    const auto* r = result.get<kdw::FinetuneResult>();
    if (!r) return;
    if (!done(id, tr("Finished: %1 epoch(s)%2")
                      .arg(r->epochs_run)
                      .arg(r->early_stopped ? tr(", stopped early") : QString())))
      return;
    bar_->setValue(bar_->maximum());
    // The saved teacher (labels, curves and best epoch as written to disk).
    finetune_stamp_ = -1;
    refresh();
  });
  connect(runner_, &JobRunner::failed, this, [this, done](int id, const QString& m) {
    if (done(id, QObject::tr("Failed: %1").arg(m))) failure_ = status_->text();
  });
  connect(runner_, &JobRunner::cancelled, this, [done](int id) {
    done(id, QObject::tr("Stopped; Resume continues from the last checkpoint."));
  });

  // The copy into files/bert/ (or the small BERT's config): the new folder is selected.
  auto copyDone = [this](int id, const QString& text) {
    if (id == 0 || id != copy_job_) return false;
    copy_job_ = 0;
    bar_->hide();
    stop_->setEnabled(job_ != 0);
    start_->setEnabled(job_ == 0 && folder_->count() > 0);
    status_->setText(text);
    updateFolderButtons();
    return true;
  };
  connect(runner_, &JobRunner::finished, this, [this, copyDone](int id, const JobResult& result) {
    const auto* r = result.get<kdw::BertCopyResult>();
    if (!r || id != copy_job_) return;
    const QString name = copy_name_;
    copyDone(id, copy_source_.isEmpty()
                     ? tr("Small BERT in files/bert/%1: Start trains it from scratch, with the "
                          "demo teacher's settings (%2).")
                           .arg(name, useScratchSettings())
                     : tr("Copied into files/bert/%1 (%2).")
                           .arg(name, QString::fromStdString(humanBytes(r->bytes))));
    // The workspace's copy takes the place of the folder it came from.
    external_.removeAll(copy_source_);
    refresh();
    folder_->setCurrentText(name);
    folder_->setToolTip(QString());
    inspect();
  });
  connect(runner_, &JobRunner::failed, this, [this, copyDone](int id, const QString& m) {
    if (copyDone(id, QObject::tr("Nothing written to files/bert/: %1").arg(m)))
      failure_ = status_->text();
  });

  // Inspections (light jobs): a result counts only while it is the latest one asked for and,
  // for the selected folder, that folder is still selected.
  connect(runner_, &JobRunner::finished, this, [this](int id, const JobResult& result) {
    const auto* check = result.get<FolderCheck>();
    if (!check || id == 0) return;
    if (id == use_job_) {
      use_job_ = 0;
      const QString folder = use_folder_;
      if (!external_.contains(folder)) external_ << folder;
      refresh();
      folder_->setCurrentText(folder);
      folder_->setToolTip(folder);
      inspect();
    } else if (id == inspect_job_) {
      inspect_job_ = 0;
      if (!folder_->currentText().isEmpty() && kdw::Workspace{workspace_.toStdString()}.bert_dir() /
                                                       folder_->currentText().toStdString() ==
                                                   inspected_) {
        showFolderInfo(check->info);
        showVocabProblem(check->vocab_problem,
                         QString::fromStdString(check->info.vocab_file.string()));
      }
    }
  });
  connect(runner_, &JobRunner::failed, this, [this](int id, const QString& m) {
    if (id == 0) return;
    if (id == use_job_) {
      use_job_ = 0;
      folder_info_->setText(tr("Not a BERT folder: %1").arg(m));
    } else if (id == inspect_job_) {
      inspect_job_ = 0;
      folder_info_->setText(tr("Not usable: %1").arg(m));
    }
  });
  connect(runner_, &JobRunner::cancelled, this, [copyDone](int id) {
    copyDone(id, QObject::tr("Cancelled; nothing was written to files/bert/."));
  });
}

void TeacherPanel::setWorkspace(const QString& root) {
  if (root != workspace_) {
    external_.clear();  // folders chosen for another workspace
    use_job_ = 0;       // and a check of one still running
  }
  workspace_ = root;
  finetune_stamp_ = -1;
  if (job_ == 0) {
    loss_->clear();
    dev_->clear();
    confusion_->clearResults();
    dev_summary_->setText(tr("No fine-tuning run yet."));
    status_->clear();  // the previous workspace's teacher ("best epoch 5 of 12") is not this one's
  }
  refresh();
}

void TeacherPanel::refresh() {
  if (workspace_.isEmpty()) return;
  const WorkspaceState state = scanWorkspace(workspace_);
  labels_ = state.labels;
  const QString previous = folder_->currentText();
  const QStringList folders = QStringList(state.pretrained) + external_;
  if (folders != [this] {
        QStringList items;
        for (int i = 0; i < folder_->count(); ++i) items << folder_->itemText(i);
        return items;
      }()) {
    folder_->clear();
    folder_->addItems(folders);
    if (folders.contains(previous)) folder_->setCurrentText(previous);
  }
  // Data prepared again since the folder was checked: its vocabulary is checked again.
  if (!folder_->currentText().isEmpty() && prepareStamp(workspace_) != prepare_stamp_) inspect();
  if (folders.isEmpty())
    folder_info_->setText(tr("No pretrained BERT folder under %1/files/bert/: use a BERT folder "
                             "from elsewhere, or start a small BERT from scratch.")
                              .arg(workspace_));
  start_->setEnabled(job_ == 0 && copy_job_ == 0 && !folders.isEmpty());
  updateResume();
  updateFolderButtons();
  if (job_ == 0) showFinetuned();
}

void TeacherPanel::followJob(int id, const QJsonObject& options) {
  job_ = id;
  if (options.contains("bert_folder")) {
    if (folder_->findText(options.value("bert_folder").toString()) < 0)
      folder_->addItem(options.value("bert_folder").toString());
    folder_->setCurrentText(options.value("bert_folder").toString());
  }
  options_->setValues(options);
  loss_->clear();
  dev_->clear();
  bar_->setValue(0);
  bar_->show();
  clock_.invalidate();
  start_->setEnabled(false);
  resume_->setEnabled(false);
  stop_->setEnabled(true);
  updateFolderButtons();
  updateSettingsNote();
  status_->setText(tr("Waiting for the job queue…"));
}

// Resume continues an unfinished fine-tune: only when this workspace holds its checkpoint.
void TeacherPanel::updateResume() {
  const kdw::Workspace ws{workspace_.toStdString()};
  resume_->setEnabled(
      job_ == 0 && !workspace_.isEmpty() &&
      std::filesystem::is_directory(kdw::finetune_checkpoint_dir(ws.finetune_dir())));
}

QString TeacherPanel::statusText() const {
  return status_->text();
}

bool TeacherPanel::canResume() const {
  return resume_->isEnabled();
}

QString TeacherPanel::devSummary() const {
  return dev_summary_ ? dev_summary_->text() : QString();
}

// The fine-tuned teacher already in the workspace: curves from metrics.jsonl, best dev results
// from finetune.json. Read again only when finetune.json changed.
void TeacherPanel::showFinetuned() {
  const kdw::Workspace ws{workspace_.toStdString()};
  const QDir dir(QString::fromStdString(ws.finetune_dir().string()));
  const QFileInfo info(dir.filePath(QString::fromLatin1(kdw::kFinetuneNotesFile)));
  const qint64 stamp = info.exists() ? info.lastModified().toMSecsSinceEpoch() : 0;
  if (stamp == finetune_stamp_) return;
  finetune_stamp_ = stamp;
  loss_->clear();
  dev_->clear();
  confusion_->clearResults();
  if (!info.exists()) {
    dev_summary_->setText(tr("No fine-tuned teacher in this workspace yet."));
    status_->setText(tr("No fine-tuned teacher yet."));
    teacher_settings_.reset();
    updateSettingsNote();
    return;
  }
  const QJsonObject summary = readJsonObjectFile(info.filePath());
  for (const QJsonObject& record : readJsonLines(dir.filePath(QStringLiteral("metrics.jsonl"))))
    addRecord(record);
  loss_->redraw();
  dev_->redraw();
  const QJsonArray labels = summary.value(QStringLiteral("labels")).toArray();
  if (!labels.isEmpty()) {
    labels_.clear();
    for (const auto& v : labels) labels_ << v.toString();
  }
  const QJsonObject best = summary.value(QStringLiteral("best")).toObject();
  showDev(best.value(QStringLiteral("dev")).toObject());
  const int kept = best.value(QStringLiteral("epoch")).toInt();
  showKeptEpoch(dev_, kept, QString());
  if (kept > 0) appendKeptReason(dev_summary_, kept, best.value(QStringLiteral("dev")).toObject());
  const QJsonObject options = summary.value(QStringLiteral("options")).toObject();
  status_->setText(
      tr("Fine-tuned teacher: from %1%2, best epoch %3 of %4, %5")
          .arg(QFileInfo(summary.value("bert_path").toString()).fileName(),
               summary.value("from_scratch").toBool() ? tr(" (trained from scratch)") : QString())
          .arg(best.value("epoch").toInt())
          .arg(options.value("epochs").toInt())
          .arg(options.value("precision").toString(QStringLiteral("float32"))));
  // Whatever shows the teacher shows its settings, as the Distill panel does for a run (last:
  // choosing its folder may take a failure's line away, which shows the teacher again).
  teacher_settings_ = std::make_unique<TeacherSettings>(readTeacherSettings(summary, *options_));
  applyTeacherSettings();
}

void TeacherPanel::loadTeacherSettings() {
  const kdw::Workspace ws{workspace_.toStdString()};
  const QString notes =
      QString::fromStdString((ws.finetune_dir() / kdw::kFinetuneNotesFile).string());
  if (workspace_.isEmpty() || !QFileInfo::exists(notes))
    teacher_settings_.reset();
  else
    teacher_settings_ = std::make_unique<TeacherSettings>(
        readTeacherSettings(readJsonObjectFile(notes), *options_));
}

void TeacherPanel::applyTeacherSettings() {
  if (!teacher_settings_ || !teacher_settings_->problem.isEmpty()) return updateSettingsNote();
  // The starting folder: under this workspace's files/bert/ (or that of the workspace it was
  // copied from) by its name, a folder from elsewhere by its path.
  const QFileInfo from(teacher_settings_->bertPath);
  int index = folder_->findText(teacher_settings_->bertPath);
  if (index < 0 && QDir::cleanPath(from.path()).endsWith(QStringLiteral("files/bert")))
    index = folder_->findText(from.fileName());
  const bool sameFolder = index < 0 || index == folder_->currentIndex();
  if (index >= 0) folder_->setCurrentIndex(index);  // another folder is inspected, then capped
  // The cap of the folder shown may be below the teacher's max_seq_len until its own folder's
  // check: the table's limit first, the folder's again after.
  auto* seqLen = qobject_cast<QSpinBox*>(options_->widget("max_seq_len"));
  if (seqLen && seqLen->property("tableMaximum").isValid())
    seqLen->setMaximum(seqLen->property("tableMaximum").toInt());
  options_->show(kdw::finetune_option_table(), teacher_settings_->options);
  if (sameFolder && seq_cap_ > 0) capSeqLen(seq_cap_);
  updateSettingsNote();
}

void TeacherPanel::updateSettingsNote() {
  if (!settings_note_) return;
  if (job_ != 0 || !teacher_settings_) {
    settings_note_->clear();
    settings_note_->setToolTip(QString());
    settings_note_->hide();
    return;
  }
  const TeacherSettings& teacher = *teacher_settings_;
  const QString where =
      QStringLiteral("files/bert/%1/finetune.json")
          .arg(QString::fromStdString(
              kdw::Workspace{workspace_.toStdString()}.finetune_dir().filename().string()));
  QString text, tip;
  if (!teacher.problem.isEmpty()) {
    text = tr("The teacher's settings are unreadable");
    tip = QStringLiteral("%1: %2").arg(where, teacher.problem);
  } else if (const QStringList differ = differingSettings(*options_, teacher.options);
             !differ.isEmpty()) {
    text = tr("Not the teacher's settings · <a href=\"teacher\">show them</a>");
    tip = tr("The fine-tuned teacher was trained with %1 (%2). Start trains a new teacher with "
             "what the form holds.")
              .arg(differ.join(QStringLiteral(", ")), where);
  } else {
    text = teacher.unrecorded.isEmpty() ? tr("The fine-tuned teacher's settings")
                                        : tr("The teacher's settings (%n not recorded)", nullptr,
                                             int(teacher.unrecorded.size()));
    tip = tr("The settings the fine-tuned teacher was trained with (%1). Start trains a new "
             "teacher with what the form holds.")
              .arg(where);
    if (!teacher.unrecorded.isEmpty())
      tip += QLatin1Char('\n') + tr("Not recorded there, so at their defaults: %1.")
                                     .arg(teacher.unrecorded.join(QStringLiteral(", ")));
  }
  settings_note_->setText(text);
  settings_note_->setToolTip(tip);
  settings_note_->show();
}

int TeacherPanel::useBertFolder(const QString& dir) {
  use_folder_ = QFileInfo(dir).absoluteFilePath();
  folder_info_->setText(tr("Checking %1…").arg(use_folder_));
  use_job_ = submitInspection(use_folder_.toStdString());
  return use_job_;
}

int TeacherPanel::submitInspection(const std::filesystem::path& dir) {
  // Reads config, vocabulary and the weights' header (names, dtypes, shapes), but opening a
  // folder on a slow or network disk can still take a while: never on the UI thread. So is
  // the vocabulary check, which hashes vocab.txt.
  Inspector fn = inspector_ ? inspector_ : Inspector(&kdw::inspect_bert_folder);
  const kdw::Workspace ws{workspace_.toStdString()};
  const bool hasWorkspace = !workspace_.isEmpty();
  return runner_->submitLight(
      tr("Check BERT folder"), [fn, dir, ws, hasWorkspace](kdw::JobContext&) -> JobResult {
        FolderCheck check{fn(dir), QString()};
        if (hasWorkspace && !check.info.vocab_file.empty())
          check.vocab_problem =
              QString::fromStdString(kdw::bert_vocab_problem(ws, check.info.vocab_file));
        return check;
      });
}

void TeacherPanel::showVocabProblem(const QString& problem, const QString& vocabFile) {
  vocab_file_ = problem.isEmpty() ? QString() : vocabFile;
  vocab_warning_->setText(
      problem.isEmpty() ? QString() : tr("Start would refuse this folder: %1").arg(problem));
  vocab_warning_->setToolTip(problem);
  vocab_warning_->setVisible(!problem.isEmpty());
  prepare_vocab_->setVisible(!problem.isEmpty() && !vocab_file_.isEmpty());
}

QString TeacherPanel::vocabWarningText() const {
  return vocab_warning_->isHidden() ? QString() : vocab_warning_->text();
}

qint64 TeacherPanel::prepareStamp(const QString& root) {
  const QFileInfo prepare(
      QString::fromStdString(kdw::Workspace{root.toStdString()}.prepare_file().string()));
  return prepare.exists() ? prepare.lastModified().toMSecsSinceEpoch() : 0;
}

QString TeacherPanel::folderInfoText() const {
  return folder_info_->text();
}

QString TeacherPanel::currentBertFolder() const {
  return folder_->currentText();
}

// Copying (or writing the small BERT) while this panel fine-tunes could move the folder being
// read aside: the folder buttons wait for the panel's jobs.
void TeacherPanel::updateFolderButtons() {
  const bool idle = job_ == 0 && copy_job_ == 0 && !workspace_.isEmpty();
  copy_->setEnabled(idle && external_.contains(folder_->currentText()));
  scratch_->setEnabled(idle && !resourceDir().isEmpty());
}

namespace {
// A plain folder name: no path, nothing hidden.
bool validFolderName(const QString& name) {
  return !name.isEmpty() && !name.startsWith(QLatin1Char('.')) &&
         !name.contains(QLatin1Char('/')) && !name.contains(QLatin1Char('\\'));
}
}  // namespace

QString TeacherPanel::freeFolderName(QString name) {
  const kdw::Workspace ws{workspace_.toStdString()};
  const QDir bert(QString::fromStdString(ws.bert_dir().string()));
  // The fine-tuned teacher's folder lives under files/bert/ too: never a pretrained one.
  const QString teacher = QString::fromStdString(ws.finetune_dir().filename().string());
  for (;;) {
    const bool usable = validFolderName(name) && name != teacher;
    if (usable && !QFileInfo::exists(bert.filePath(name))) return name;
    if (usable) {
      QString error;
      const TakenName answer = askTakenName(this, tr("a BERT folder"), bert.filePath(name), &error);
      if (answer == TakenName::KeptAside) return name;
      if (answer == TakenName::Cancelled) {
        status_->setText(error.isEmpty() ? tr("Cancelled; files/bert/ is unchanged.")
                                         : tr("Not kept: %1").arg(error));
        return {};
      }
    }
    QString suggestion = validFolderName(name) ? name : QStringLiteral("bert");
    for (int n = 2; suggestion == teacher || QFileInfo::exists(bert.filePath(suggestion)); ++n)
      suggestion =
          (validFolderName(name) ? name : QStringLiteral("bert")) + QStringLiteral("-%1").arg(n);
    QInputDialog dialog(this);
    dialog.setObjectName(QStringLiteral("folderNameDialog"));
    dialog.setWindowTitle(tr("Folder name"));
    dialog.setLabelText(
        usable
            ? tr("Name of the new folder under %1:").arg(bert.path())
            : tr("“%1” cannot be used. Name of the new folder under %2:").arg(name, bert.path()));
    dialog.setTextValue(suggestion);
    if (dialog.exec() != QDialog::Accepted) {
      status_->setText(tr("Cancelled; files/bert/ is unchanged."));
      return {};
    }
    name = dialog.textValue().trimmed();
  }
}

int TeacherPanel::submitCopy(const QString& title, const QString& name, JobRunner::JobFn fn,
                             bool light) {
  copy_name_ = name;
  copy_job_ =
      light ? runner_->submitLight(title, std::move(fn)) : runner_->submit(title, std::move(fn));
  bar_->setValue(0);
  bar_->show();
  start_->setEnabled(false);
  stop_->setEnabled(true);
  updateFolderButtons();
  status_->setText(light ? tr("Writing files/bert/%1…").arg(name)
                         : tr("Waiting for the job queue…"));
  return copy_job_;
}

int TeacherPanel::copyIntoWorkspace(const QString& name) {
  const QString source = folder_->currentText();
  if (job_ != 0 || copy_job_ != 0 || workspace_.isEmpty() || !external_.contains(source)) return 0;
  const QString target = freeFolderName(name.isEmpty() ? QFileInfo(source).fileName() : name);
  if (target.isEmpty()) return 0;
  const kdw::Workspace ws{workspace_.toStdString()};
  const std::filesystem::path from = source.toStdString();
  const std::filesystem::path to = ws.bert_dir() / target.toStdString();
  copy_source_ = source;
  // Gigabytes for a full BERT: a queued job, listed with its progress and its own Cancel.
  return submitCopy(
      tr("Copy BERT folder to files/bert/%1").arg(target), target,
      [from, to](kdw::JobContext& job) { return kdw::copy_bert_folder(from, to, job); }, false);
}

QString TeacherPanel::useScratchSettings() {
  // The defaults suit a pretrained RuBERT (lr 2e-5, 3 epochs); a BERT from random weights
  // learns nothing with them, so the form takes the demo's teacher settings, said by name.
  QStringList said;
  const auto specs = kdw::finetune_option_table().specs();
  for (const auto& [option, value] : kdw::DemoRecipe().finetune) {
    options_->setValue(option, value);
    for (const kdw::OptionSpec& spec : specs)
      if (spec.name == option)
        said << QStringLiteral("%1 %2").arg(QString::fromStdString(spec.label),
                                            QString::fromStdString(kdw::option_text(value)));
  }
  return said.join(QStringLiteral(", "));
}

int TeacherPanel::smallBertFromScratch(const QString& name) {
  const QString resources = resourceDir();
  if (job_ != 0 || copy_job_ != 0 || workspace_.isEmpty() || resources.isEmpty()) return 0;
  const QString target = freeFolderName(name.isEmpty() ? QStringLiteral("small_bert") : name);
  if (target.isEmpty()) return 0;
  const kdw::Workspace ws{workspace_.toStdString()};
  // The demo's own config (engine/core/demo_recipe.h), written by the demo's own function.
  const std::filesystem::path from =
      std::filesystem::path(resources.toStdString()) / kdw::DemoRecipe().bert_source;
  const std::filesystem::path to = ws.bert_dir() / target.toStdString();
  copy_source_.clear();
  // Two small files: a light job, which never waits behind a training job in the queue.
  return submitCopy(
      tr("Small BERT in files/bert/%1").arg(target), target,
      [from, to](kdw::JobContext& job) { return kdw::write_small_bert(from, to, job); }, true);
}

void TeacherPanel::inspect() {
  updateFolderButtons();
  if (folder_->currentText().isEmpty()) {
    if (inspect_job_ != 0) folder_info_->clear();  // not "Checking…" for ever
    inspect_job_ = 0;
    return;
  }
  const kdw::Workspace ws{workspace_.toStdString()};
  inspected_ = ws.bert_dir() / folder_->currentText().toStdString();
  folder_info_->setText(tr("Checking…"));
  showVocabProblem(QString(), QString());  // the previous folder's, until this one's check ends
  prepare_stamp_ = prepareStamp(workspace_);
  inspect_job_ = submitInspection(inspected_);
}

void TeacherPanel::showFolderInfo(const kdw::BertFolderInfo& info) {
  folder_info_->setText(
      tr("%1 layout\n%2 layers, hidden %3, vocabulary %4\n%5 M parameters%6")
          .arg(QString::fromStdString(info.layout))
          .arg(info.config.num_hidden_layers)
          .arg(info.config.hidden_size)
          .arg(info.vocab_lines)
          .arg(double(info.parameter_count) / 1e6, 0, 'f', 1)
          .arg(info.weights_file.empty() ? tr("\nno weights: Start trains it from scratch")
               : info.missing.empty()    ? QString()
                                         : tr("\nmissing tensors: %1").arg(info.missing.size())));
  capSeqLen(int(info.config.max_position_embeddings));
}

int TeacherPanel::start(bool resume) {
  if (job_ != 0 || copy_job_ != 0 || folder_->currentText().isEmpty()) return 0;
  kdw::FinetuneOptions o;
  try {
    options_->applyTo(kdw::finetune_option_table(), o);
  } catch (const kdw::Error& e) {
    status_->setText(tr("Not started: %1").arg(QString::fromUtf8(e.what())));
    failure_ = status_->text();
    return 0;
  }
  o.device = jobDevice();
  const kdw::Workspace ws{workspace_.toStdString()};
  o.workspace = ws.root;
  o.bert_path = ws.bert_dir() / folder_->currentText().toStdString();
  o.resume = resume;
  if (!resume) {
    // A fresh fine-tune replaces the teacher in rubert_finetune/: ask first (or keep it aside).
    const QString model = QString::fromStdString(ws.finetune_dir().string());
    QString error;
    if (QFileInfo::exists(model + QStringLiteral("/config.json")) &&
        !confirmReplace(this, tr("the fine-tuned teacher"), {model}, &error)) {
      status_->setText(error.isEmpty() ? tr("Not started; the fine-tuned teacher is unchanged.")
                                       : tr("Not started: %1").arg(error));
      return 0;
    }
    loss_->clear();
    dev_->clear();
  }
  bar_->setValue(0);
  bar_->show();
  clock_.invalidate();
  const int workers = jobWorkers();
  JobRunner::JobFn fn = [o](kdw::JobContext& job) { return kdw::run_finetune(o, job); };
  if (workers > 1) {
    // N local processes through kdw (one job here); its options from the same table.
    QStringList args{QStringLiteral("finetune")};
    for (const std::string& a : kdw::finetune_option_table().to_cli_args(o))
      args << QString::fromStdString(a);
    args << workerFlags(workers);
    fn = [args](kdw::JobContext& job) { return runKdwJob<kdw::FinetuneResult>(args, job); };
  }
  job_ = runner_->submit(
      workers > 1 ? tr("Fine-tune teacher (%1 workers)").arg(workers) : tr("Fine-tune teacher"),
      std::move(fn));
  start_->setEnabled(false);
  resume_->setEnabled(false);
  stop_->setEnabled(true);
  updateFolderButtons();
  updateSettingsNote();
  status_->setText(tr("Waiting for the job queue…"));
  return job_;
}

void TeacherPanel::onProgress(int id, const QString& stage, qint64 done, qint64 total,
                              const QString& message) {
  if (id != 0 && id == copy_job_) {
    if (total > 0) bar_->setValue(int(double(done) / double(total) * bar_->maximum()));
    status_->setText(tr("Copying %1 into files/bert/%2: %3 of %4")
                         .arg(message, copy_name_, QString::fromStdString(humanBytes(done)),
                              QString::fromStdString(humanBytes(total))));
    return;
  }
  if (id != job_) return;
  if (!clock_.isValid()) clock_.start();
  // "epoch k/N" with done/total batches: the fraction of the whole run, and its ETA.
  static const QRegularExpression epochStage(QStringLiteral("^epoch (\\d+)/(\\d+)$"));
  const QRegularExpressionMatch m = epochStage.match(stage);
  QString eta;
  if (m.hasMatch() && total > 0) {
    const double epochs = std::max(1, m.captured(2).toInt());
    const double fraction =
        std::clamp((m.captured(1).toInt() - 1 + double(done) / double(total)) / epochs, 0.0, 1.0);
    bar_->setValue(int(fraction * bar_->maximum()));
    const double left = estimateRemaining(clock_.elapsed() / 1000.0, fraction);
    if (left >= 0 && clock_.elapsed() > 2000) eta = tr(" · ETA %1").arg(formatDuration(left));
  }
  status_->setText(tr("%1: batch %2/%3 %4%5").arg(stage).arg(done).arg(total).arg(message, eta));
}

void TeacherPanel::onMetrics(int id, const QJsonArray& records) {
  if (id != job_) return;
  for (const auto& value : records) addRecord(value.toObject());
}

void TeacherPanel::addRecord(const QJsonObject& r) {
  const QString kind = r.value("kind").toString();
  if (kind == QLatin1String("step")) {
    loss_->append(loss_series_, r.value("step").toDouble(), r.value("loss").toDouble());
  } else if (kind == QLatin1String("epoch") && r.contains("dev")) {
    const QJsonObject dev = r.value("dev").toObject();
    const double epoch = r.value("epoch").toDouble();
    dev_->append(acc_series_, epoch, dev.value("accuracy").toDouble());
    dev_->append(f1_series_, epoch, dev.value("macro_f1").toDouble());
    if (r.value("best").toBool()) {
      showDev(dev);
      // The marker follows the best epoch live; the rule (the engine's: best macro-F1) goes
      // under the dev results, where it takes no height from the charts.
      const int kept = int(epoch);
      showKeptEpoch(dev_, kept, QString());
      appendKeptReason(dev_summary_, kept, dev);
    }
  }
}

void TeacherPanel::showDev(const QJsonObject& dev) {
  if (dev.isEmpty()) return;
  dev_summary_->setText(tr("Accuracy <b>%1</b>, macro-F1 <b>%2</b> on %3 dev samples")
                            .arg(dev.value("accuracy").toDouble(), 0, 'f', 4)
                            .arg(dev.value("macro_f1").toDouble(), 0, 'f', 4)
                            .arg(dev.value("samples").toInt()));
  // Confusion matrix (rows: true class, columns: predicted), then per-class P / R / F1.
  std::vector<std::vector<qint64>> confusion;
  for (const auto& row : dev.value("confusion").toArray()) {
    confusion.emplace_back();
    for (const auto& count : row.toArray()) confusion.back().push_back(count.toInteger());
  }
  auto scores = [&dev](const char* key) {
    std::vector<double> out;
    for (const auto& v : dev.value(QLatin1String(key)).toArray()) out.push_back(v.toDouble());
    return out;
  };
  QStringList names;
  for (int i = 0; i < int(confusion.size()); ++i)
    names << (i < labels_.size() ? labels_[i] : QString::number(i));
  confusion_->showResults(names, confusion, scores("precision"), scores("recall"), scores("f1"));
}

// The model reads at most max_position_embeddings tokens: a longer max_seq_len only fails at
// Start ("exceeds the model's 64 positions"), so the field stops there.
void TeacherPanel::capSeqLen(int positions) {
  auto* box = qobject_cast<QSpinBox*>(options_->widget("max_seq_len"));
  if (!box || positions < box->minimum()) return;
  seq_cap_ = positions;
  if (!box->property("tableMaximum").isValid()) {
    box->setProperty("tableMaximum", box->maximum());
    box->setProperty("tableToolTip", box->toolTip());
  }
  box->setMaximum(std::min(positions, box->property("tableMaximum").toInt()));  // lowers the value
  box->setToolTip(box->property("tableToolTip").toString() +
                  tr("\nAt most %1: the model's max_position_embeddings.").arg(positions));
}

void TeacherPanel::loadSettings(QSettings& s) {
  // Settings saved before the option table named the patience field by its option name.
  renameSetting(s, QStringLiteral("teacher/patience"), QStringLiteral("teacher/early_stopping"));
  loadFormFields(s, QStringLiteral("teacher"), formFields());
}

void TeacherPanel::saveSettings(QSettings& s) const {
  saveFormFields(s, QStringLiteral("teacher"), formFields());
}

std::vector<FormField> TeacherPanel::formFields() const {
  return options_->fields();
}
