#include "ui/shell/main_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QFrame>
#include <QHBoxLayout>
#include <QJsonObject>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QSettings>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QStatusBar>
#include <QToolButton>
#include <QVBoxLayout>

#include "core/log.h"
#include "student/reports.h"
#include "ui/common/device_setting.h"
#include "ui/common/option_form.h"
#include "ui/common/panel_util.h"
#include "ui/common/replace_question.h"
#include "ui/compress/compress_panel.h"
#include "ui/data/data_panel.h"
#include "ui/distill/distill_panel.h"
#include "ui/jobs/job_list.h"
#include "ui/jobs/job_runner.h"
#include "ui/jobs/job_status.h"
#include "ui/log/log_panel.h"
#include "ui/logits/logits_panel.h"
#include "ui/runs/runs_panel.h"
#include "ui/shell/demo_pipeline.h"
#include "ui/shell/help_dialogs.h"
#include "ui/shell/new_workspace_dialog.h"
#include "ui/shell/preferences_dialog.h"
#include "ui/shell/welcome_page.h"
#include "ui/teacher/teacher_panel.h"

namespace {
const char* const kPanelNames[] = {"Data", "Teacher", "Logits", "Distill", "Compress", "Runs"};
const char* const kPanelIcons[] = {"data", "teacher", "logits", "distill", "compress", "runs"};
constexpr int kMaxRecent = 8;
}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent), runner_(new JobRunner(this)) {
  Q_INIT_RESOURCE(ui);
  setWindowIcon(QIcon(QStringLiteral(":/icons/kdw.svg")));
  setObjectName(QStringLiteral("MainWindow"));

  sidebar_ = new QListWidget(this);
  sidebar_->setIconSize(QSize(24, 24));
  sidebar_->setFixedWidth(150);
  sidebar_->setSpacing(2);
  for (int p = 0; p < PanelCount; ++p) {
    auto* item = new QListWidgetItem(
        QIcon(QStringLiteral(":/icons/%1.svg").arg(QLatin1String(kPanelIcons[p]))),
        tr(kPanelNames[p]), sidebar_);
    item->setSizeHint(QSize(140, 36));
  }

  stack_ = new QStackedWidget(this);
  welcome_ = new WelcomePage(stack_);
  stack_->addWidget(welcome_);
  data_ = new DataPanel(runner_, stack_);
  teacher_ = new TeacherPanel(runner_, stack_);
  logits_ = new LogitsPanel(runner_, stack_);
  distill_ = new DistillPanel(runner_, stack_);
  panels_[Data] = data_;
  panels_[Teacher] = teacher_;
  panels_[Logits] = logits_;
  panels_[Distill] = distill_;
  compress_ = new CompressPanel(runner_, stack_);
  runs_ = new RunsPanel(runner_, stack_);
  panels_[Compress] = compress_;
  panels_[Runs] = runs_;
  connect(runs_, &RunsPanel::openInCompress, this, [this](const QString& dir) {
    compress_->openRun(dir);
    showPanel(Compress);
  });
  for (QWidget* panel : panels_) stack_->addWidget(panel);

  // The error banner: one line from a failed job, dismissible.
  banner_ = new QFrame(this);
  banner_->setObjectName(QStringLiteral("errorBanner"));
  banner_->setStyleSheet(QStringLiteral(
      "#errorBanner { background: #fde2e1; border: 1px solid #e0a1a0; border-radius: 4px; }"));
  banner_text_ = new QLabel(banner_);
  banner_text_->setWordWrap(true);
  // A failure naming a long path must not widen the window (it cannot wrap inside the path).
  banner_text_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
  banner_text_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  auto* dismiss = new QToolButton(banner_);
  dismiss->setText(QStringLiteral("✕"));
  dismiss->setToolTip(tr("Dismiss"));
  auto* bannerLayout = new QHBoxLayout(banner_);
  bannerLayout->setContentsMargins(8, 4, 4, 4);
  bannerLayout->addWidget(banner_text_, 1);
  bannerLayout->addWidget(dismiss);
  banner_->hide();
  connect(dismiss, &QToolButton::clicked, banner_, &QWidget::hide);

  auto* right = new QWidget(this);
  auto* rightLayout = new QVBoxLayout(right);
  rightLayout->setContentsMargins(0, 0, 0, 0);
  rightLayout->addWidget(banner_);
  rightLayout->addWidget(stack_, 1);
  auto* central = new QWidget(this);
  auto* centralLayout = new QHBoxLayout(central);
  centralLayout->setContentsMargins(4, 4, 4, 4);
  centralLayout->addWidget(sidebar_);
  centralLayout->addWidget(right, 1);
  setCentralWidget(central);

  log_ = new LogPanel(this);
  auto* dock = new QDockWidget(tr("Log"), this);
  dock->setObjectName(QStringLiteral("logDock"));
  dock->setWidget(log_);
  addDockWidget(Qt::BottomDockWidgetArea, dock);

  // The job list, a tab beside the log when shown; the status bar's queue button brings it up.
  jobs_ = new JobList(runner_, this);
  auto* jobsDock = new QDockWidget(tr("Jobs"), this);
  jobsDock->setObjectName(QStringLiteral("jobsDock"));
  jobsDock->setWidget(jobs_);
  addDockWidget(Qt::BottomDockWidgetArea, jobsDock);
  tabifyDockWidget(dock, jobsDock);
  // Closed until asked for (status bar, View menu): a tab bar would take 30 px of the panels'
  // height, which a 1024x700 window does not have.
  jobsDock->hide();
  dock->raise();
  auto* status = job_status_ = new JobStatus(runner_, this);
  statusBar()->addPermanentWidget(status, 1);
  connect(status, &JobStatus::listRequested, this, [jobsDock] {
    jobsDock->show();
    jobsDock->raise();
  });

  connect(sidebar_, &QListWidget::currentRowChanged, this, [this](int row) {
    if (row >= 0 && isPanelEnabled(Panel(row))) stack_->setCurrentWidget(panels_[row]);
  });
  connect(runner_, &JobRunner::failed, this,
          [this](int, const QString& message) { showError(message); });
  connect(runner_, &JobRunner::started, banner_, &QWidget::hide);
  // A table read after a bad file: the bad file's error no longer applies (reads are light
  // jobs, which do not emit started).
  connect(data_, &DataPanel::tableLoaded, banner_, &QWidget::hide);
  // Any finished job may have added files (prepared data, logits, runs).
  connect(runner_, &JobRunner::finished, this, &MainWindow::rescanWorkspace);
  connect(welcome_, &WelcomePage::openDemo, this, &MainWindow::openDemoWorkspace);
  connect(welcome_, &WelcomePage::newWorkspace, this, &MainWindow::newWorkspace);
  connect(welcome_, &WelcomePage::openWorkspace, this, &MainWindow::chooseWorkspace);
  connect(welcome_, &WelcomePage::openRecent, this,
          [this](const QString& dir) { openWorkspace(dir); });
  // The cut model's training on is a distillation: the Distill panel follows it.
  connect(compress_, &CompressPanel::trainOnStarted, this, [this] { showPanel(Distill); });
  // A run trained without the group lasso: the Compress panel's note leads to Distill, ready.
  connect(compress_, &CompressPanel::compressionSettingsRequested, this, [this] {
    distill_->applyPreset(DistillPreset::ReadyForCompression);
    showPanel(Distill);
  });
  // The teacher folder's vocabulary is not the teacher data's: prepare again with it.
  connect(teacher_, &TeacherPanel::prepareWithVocab, this, [this](const QString& vocab) {
    data_->useBertVocab(vocab);
    showPanel(Data);
  });
  connect(distill_, &DistillPanel::openInCompress, this, [this](const QString& dir) {
    compress_->openRun(dir);
    rescanWorkspace();
    showPanel(Compress);
  });

  demo_ = new DemoPipeline(runner_, this);
  // The demo follows its steps through the panels, unless the user went elsewhere meanwhile
  // (the Distill panel follows every distillation itself); the Runs panel is shown when the
  // demo is done.
  connect(runner_, &JobRunner::started, this, [this](int id, const QString&) {
    const int panel = demo_panels_.value(id, -2);
    if (panel == -2) return;
    const int current = currentPanel();
    if ((current == demo_panel_ || current == -1) && isPanelEnabled(Panel(panel))) showPanel(panel);
    demo_panel_ = panel;
  });
  connect(demo_, &DemoPipeline::done, this, [this](bool ok) {
    demo_panels_.clear();
    if (ok && (currentPanel() == demo_panel_ || currentPanel() == -1) && isPanelEnabled(Runs))
      showPanel(Runs);
    kdw::log::info(ok ? "demo pipeline finished" : "demo pipeline stopped");
  });

  buildMenus();
  const bool demoOk = !resourceDir().isEmpty();
  welcome_->setDemoAvailable(demoOk,
                             demoOk ? QString() : tr("Demo data not found next to the program."));
  QSettings settings;
  restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
  restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
  if (!settings.contains(QStringLiteral("window/geometry"))) resize(1280, 820);
  if (!settings.contains(QStringLiteral("window/state"))) {
    // A log a few lines high: the panels' charts need the height more.
    resizeDocks({findChild<QDockWidget*>(QStringLiteral("logDock"))}, {120}, Qt::Vertical);
  }
  data_->loadSettings(settings);
  distill_->loadSettings(settings);
  teacher_->loadSettings(settings);
  logits_->loadSettings(settings);
  compress_->loadSettings(settings);
  updateRecent();
  updatePanels();
  showPanel(-1);
}

MainWindow::~MainWindow() = default;

void MainWindow::buildMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->addAction(tr("&New workspace…"), QKeySequence::New, this, &MainWindow::newWorkspace);
  file->addAction(tr("&Open workspace…"), QKeySequence::Open, this, &MainWindow::chooseWorkspace);
  file->addAction(tr("Open &demo workspace"), this, &MainWindow::openDemoWorkspace);
  recent_menu_ = file->addMenu(tr("&Recent workspaces"));
  file->addSeparator();
  file->addAction(tr("&Welcome page"), this, [this] { showPanel(-1); });
  file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
  QMenu* edit = menuBar()->addMenu(tr("&Edit"));
  // The Compress panel's own undo/redo of the picks (its shortcuts stay the panel's: Ctrl+Z
  // elsewhere is the focused field's). Chosen from the menu over another panel, the Compress
  // panel comes up to show the picks that changed.
  for (QAction* action : {compress_->undoAction(), compress_->redoAction()}) {
    edit->addAction(action);
    connect(action, &QAction::triggered, this, [this] {
      if (currentPanel() != Compress) showPanel(Compress);
    });
  }
  edit->addSeparator();
  edit->addAction(tr("&Preferences…"), QKeySequence::Preferences, this,
                  &MainWindow::editPreferences);
  QMenu* view = menuBar()->addMenu(tr("&View"));
  // Ctrl+1 … Ctrl+6: the panels in pipeline order (a disabled one says why in the status bar).
  for (int p = 0; p < PanelCount; ++p) {
    QAction* go = view->addAction(tr(kPanelNames[p]), this, [this, p] {
      if (isPanelEnabled(Panel(p)))
        showPanel(p);
      else
        statusBar()->showMessage(panelNote(Panel(p)), 5000);
    });
    go->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + p)));
    go->setObjectName(QStringLiteral("showPanel%1").arg(p + 1));
  }
  view->addSeparator();
  view->addAction(findChild<QDockWidget*>(QStringLiteral("logDock"))->toggleViewAction());
  view->addAction(findChild<QDockWidget*>(QStringLiteral("jobsDock"))->toggleViewAction());
  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("KD Workbench &help"), QKeySequence::HelpContents, this,
                  [this] { showHelp(this); });
  help->addAction(tr("&About KD Workbench"), this, [this] { showAbout(this); });
}

bool MainWindow::isPanelEnabled(Panel panel) const {
  return panelNote(panel).isEmpty();
}

QString MainWindow::panelNote(Panel panel) const {
  if (!state_.valid) return tr("Open a workspace first.");
  switch (panel) {
    case Data:
      return QString();
    case Teacher:
      return state_.hasBertData ? QString() : tr("Prepare the data first (Data panel).");
    case Logits:
      if (!state_.hasBertData) return tr("Prepare the data first (Data panel).");
      return state_.hasTeacher ? QString() : tr("Fine-tune the teacher first (Teacher panel).");
    case Distill:
      if (!state_.hasTokens) return tr("Prepare the data first (Data panel).");
      return state_.hasLogits ? QString() : tr("Store the teacher logits first (Logits panel).");
    case Compress:
      return state_.runs > 0 ? QString() : tr("Distil a student first (Distill panel).");
    case Runs:
      return QString();
    default:
      return tr("Unknown panel.");
  }
}

QWidget* MainWindow::panelWidget(Panel panel) const {
  return panel >= 0 && panel < PanelCount ? panels_[panel] : nullptr;
}

void MainWindow::showPanel(int panel) {
  if (panel < 0 || panel >= PanelCount) {
    stack_->setCurrentWidget(welcome_);
    sidebar_->setCurrentRow(-1);
    return;
  }
  if (!isPanelEnabled(Panel(panel))) return;
  sidebar_->setCurrentRow(panel);
  stack_->setCurrentWidget(panels_[panel]);
}

int MainWindow::currentPanel() const {
  for (int p = 0; p < PanelCount; ++p)
    if (stack_->currentWidget() == panels_[p]) return p;
  return -1;
}

QString MainWindow::errorText() const {
  return banner_->isVisible() ? banner_text_->text() : QString();
}

void MainWindow::showError(const QString& message) {
  banner_text_->setText(message);
  banner_->show();
}

bool MainWindow::openWorkspace(const QString& root) {
  const QString dir = QDir::cleanPath(QFileInfo(root).absoluteFilePath());
  if (!QFileInfo(dir).isDir()) {
    showError(tr("%1: not a folder").arg(dir));
    return false;
  }
  // A job of the open workspace runs: ask, cancel it, and open `dir` once it has stopped.
  if (state_.valid && dir != state_.root &&
      stopJobsThen(tr("open another workspace"), [this, dir] { openWorkspace(dir); }))
    return false;
  state_ = scanWorkspace(dir);
  QSettings settings;
  QStringList recent = settings.value(QStringLiteral("recentWorkspaces")).toStringList();
  recent.removeAll(dir);
  recent.prepend(dir);
  while (recent.size() > kMaxRecent) recent.removeLast();
  settings.setValue(QStringLiteral("recentWorkspaces"), recent);
  settings.setValue(QStringLiteral("lastWorkspace"), dir);
  updateRecent();
  setWindowTitle(tr("%1 – KD Workbench").arg(QDir::toNativeSeparators(dir)));
  data_->setWorkspace(dir);
  teacher_->setWorkspace(dir);
  logits_->setWorkspace(dir);
  distill_->setWorkspace(dir);
  compress_->setWorkspace(dir);
  runs_->setWorkspace(dir);
  updatePanels();
  // Start where the work is: the first step whose output is missing.
  int next = Data;
  if (state_.hasTokens && isPanelEnabled(Teacher)) next = Teacher;
  if (state_.hasTeacher && isPanelEnabled(Logits)) next = Logits;
  if (state_.hasLogits && isPanelEnabled(Distill)) next = Distill;
  if (state_.runs > 0 && isPanelEnabled(Runs)) next = Runs;
  showPanel(isPanelEnabled(Panel(next)) ? next : -1);
  kdw::log::info("workspace {}", dir.toStdString());
  return true;
}

bool MainWindow::reopenLastWorkspace() {
  const QString last = QSettings().value(QStringLiteral("lastWorkspace")).toString();
  if (last.isEmpty() || !QFileInfo(last).isDir()) {
    showPanel(-1);  // gone (deleted, an unplugged disk): the welcome page, no error
    return false;
  }
  return openWorkspace(last);
}

void MainWindow::rescanWorkspace() {
  if (!state_.valid) return;
  state_ = scanWorkspace(state_.root);
  updatePanels();
  // Each panel re-reads only what changed (and leaves a running job's live view alone).
  data_->refresh();
  teacher_->refresh();
  logits_->refresh();
  distill_->setWorkspace(state_.root);
  runs_->setWorkspace(state_.root);
}

void MainWindow::updatePanels() {
  for (int p = 0; p < PanelCount; ++p) {
    QListWidgetItem* item = sidebar_->item(p);
    const QString note = panelNote(Panel(p));
    item->setFlags(note.isEmpty() ? (Qt::ItemIsEnabled | Qt::ItemIsSelectable) : Qt::NoItemFlags);
    item->setToolTip(note);
  }
}

void MainWindow::newWorkspace() {
  // A folder and a name (the folder made here), not a directory dialog: one cannot name a
  // folder that does not exist yet in that.
  QSettings settings;
  const QString home = QStandardPaths::writableLocation(QStandardPaths::HomeLocation);
  QString parent = settings.value(QStringLiteral("newWorkspaceParent"), home).toString();
  if (!QFileInfo(parent).isDir()) parent = home;
  NewWorkspaceDialog dialog(parent, this);
  if (dialog.exec() != QDialog::Accepted) return;
  const QString dir = dialog.path();
  if (createWorkspace(dir))
    settings.setValue(QStringLiteral("newWorkspaceParent"), QFileInfo(dir).absolutePath());
}

bool MainWindow::createWorkspace(const QString& dir) {
  QString error = newWorkspaceProblem(dir);
  if (error.isEmpty()) error = createWorkspaceLayout(dir);
  if (!error.isEmpty()) {
    showError(error);
    return false;
  }
  return openWorkspace(dir);
}

void MainWindow::chooseWorkspace() {
  const QString dir = QFileDialog::getExistingDirectory(this, tr("Open workspace"),
                                                        state_.valid ? state_.root : QString());
  if (!dir.isEmpty()) openWorkspace(dir);
}

QList<int> MainWindow::openDemoWorkspace() {
  const QString resources = resourceDir();
  if (resources.isEmpty()) {
    showError(tr("The demo needs the bundled demo data."));
    return {};
  }
  return runDemoPipeline(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) +
                             QStringLiteral("/demo-workspace"),
                         resources);
}

QList<int> MainWindow::runDemoPipeline(const QString& dir, const QString& resources,
                                       const DemoSettings& settings) {
  if (demo_->isRunning()) {
    showError(tr("The demo pipeline is running already (see the job queue)."));
    return {};
  }
  const QString error = createWorkspaceLayout(dir);
  if (!error.isEmpty()) {
    showError(error);
    return {};
  }
  if (!openWorkspace(dir)) return {};
  QStringList skipped;
  const QList<DemoStep> steps =
      demo_->start(DemoPipeline::plan(state_.root, resources, settings, state_, &skipped));
  for (const QString& line : skipped) kdw::log::info("demo: {}", line.toStdString());
  QList<int> ids;
  demo_panels_.clear();
  demo_panel_ = currentPanel();
  for (const DemoStep& step : steps) {
    ids << step.job;
    kdw::log::info("demo: {}", step.command.toStdString());
    switch (step.kind) {
      case DemoStep::Prepare:
        data_->followJob(step.job);
        demo_panels_.insert(step.job, Data);
        break;
      case DemoStep::CopyBert:
        break;
      case DemoStep::Finetune: {
        QJsonObject options = optionArgsJson(settings.finetune);
        options.insert(QStringLiteral("bert_folder"), QString::fromStdString(settings.bert_folder));
        teacher_->followJob(step.job, options);
      }
        demo_panels_.insert(step.job, Teacher);
        break;
      case DemoStep::Logits:
        logits_->followJob(step.job);
        demo_panels_.insert(step.job, Logits);
        break;
      case DemoStep::Distill:
      case DemoStep::TrainOn:
        demo_panels_.insert(step.job, Distill);
        break;
      case DemoStep::Compress:
        break;
    }
  }
  if (steps.isEmpty()) kdw::log::info("demo workspace {}: every step done", dir.toStdString());
  // The status bar's bar: the whole demo ("Demo: step 3 of 5 — 40%"), the panels' the step's.
  job_status_->followSeries(tr("Demo"), ids);
  return ids;
}

void MainWindow::updateRecent() {
  const QStringList recent = QSettings().value(QStringLiteral("recentWorkspaces")).toStringList();
  welcome_->setRecent(recent);
  recent_menu_->clear();
  for (const QString& dir : recent)
    recent_menu_->addAction(dir, this, [this, dir] { openWorkspace(dir); });
  recent_menu_->setEnabled(!recent.isEmpty());
}

void MainWindow::editPreferences() {
  PreferencesDialog dialog(this);
  QSettings settings;
  dialog.setThreads(settings.value(QStringLiteral("threads"), 0).toInt());
  dialog.setDevice(QString::fromStdString(jobDevice()));
  dialog.setWorkers(jobWorkers());
  if (dialog.exec() != QDialog::Accepted) return;
  settings.setValue(QStringLiteral("threads"), dialog.threads());
  saveJobDevice(dialog.device());
  saveJobWorkers(dialog.workers());
  kdw::log::info("using {} threads", applySavedThreadCount());
}

bool MainWindow::stopJobsThen(const QString& action, const std::function<void()>& then) {
  if (!runner_->isBusy()) return false;
  if (stopping_) return true;  // already cancelling: `then` of the first request follows
  if (!confirmStopJobs(this, action, runner_->currentName(), runner_->queuedCount())) return true;
  stopping_ = true;
  statusBar()->showMessage(tr("Cancelling %1…").arg(runner_->currentName()));
  // Queued: `then` runs from the event loop after the runner has finished its bookkeeping.
  connect(
      runner_, &JobRunner::idle, this,
      [this, then] {
        stopping_ = false;
        statusBar()->clearMessage();
        then();
      },
      Qt::ConnectionType(Qt::QueuedConnection | Qt::SingleShotConnection));
  runner_->cancelAll();
  return true;
}

void MainWindow::closeEvent(QCloseEvent* event) {
  // Quitting while a job runs: ask, cancel it, and close once it has stopped (the UI thread
  // never waits on the job).
  if (stopJobsThen(tr("quit"), [this] { close(); })) {
    event->ignore();
    return;
  }
  QSettings settings;
  settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
  settings.setValue(QStringLiteral("window/state"), saveState());
  data_->saveSettings(settings);
  distill_->saveSettings(settings);
  teacher_->saveSettings(settings);
  logits_->saveSettings(settings);
  compress_->saveSettings(settings);
  runner_->cancelAll();
  event->accept();
}
