// The main window: pipeline sidebar + stacked panels, log dock, job status bar, error banner,
// workspace handling (new/open/recent/demo) and persisted layout and options.
#pragma once

#include <QHash>
#include <QMainWindow>

#include <functional>

#include "ui/common/workspace_state.h"
#include "ui/shell/demo_pipeline.h"

class JobList;
class JobStatus;
class JobRunner;
class LogPanel;
class QListWidget;
class QStackedWidget;
class QLabel;
class QFrame;
class QMenu;
class WelcomePage;
class DataPanel;
class TeacherPanel;
class LogitsPanel;
class DistillPanel;
class CompressPanel;
class RunsPanel;

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  enum Panel { Data, Teacher, Logits, Distill, Compress, Runs, PanelCount };

  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  JobRunner* runner() const { return runner_; }
  /// The status bar's job display (the running job, or the demo as a whole, and the queue).
  JobStatus* jobStatus() const { return job_status_; }
  const WorkspaceState& workspace() const { return state_; }
  bool isPanelEnabled(Panel panel) const;
  /// Why a panel is disabled (empty when enabled).
  QString panelNote(Panel panel) const;
  QWidget* panelWidget(Panel panel) const;
  /// Shows a panel (no-op when disabled); Panel(-1) shows the welcome page.
  void showPanel(int panel);
  int currentPanel() const;
  QString errorText() const;

 public Q_SLOTS:
  /// Opens (and remembers) a workspace folder; returns false with a banner when it is no folder.
  bool openWorkspace(const QString& root);
  /// Reopens the workspace of the previous session (QSettings "lastWorkspace"); when it is gone,
  /// shows the welcome page without complaint. Returns whether a workspace was opened.
  bool reopenLastWorkspace();
  /// Re-reads what the workspace holds and updates the panels.
  void rescanWorkspace();
  void showError(const QString& message);
  /// Opens (creating it if needed) the demo workspace and queues the demo pipeline's missing
  /// steps (shell/demo_pipeline.h); returns the job ids queued.
  QList<int> openDemoWorkspace();
  /// Opens `dir` as a workspace and queues the demo pipeline's missing steps there, reading the
  /// demo data from `resources` (openDemoWorkspace with its defaults; also for tests).
  QList<int> runDemoPipeline(const QString& dir, const QString& resources,
                             const DemoSettings& settings = DemoSettings());
  DemoPipeline* demoPipeline() const { return demo_; }
  /// Makes `dir` a workspace (creating the folder and its layout; refused, with a banner, for a
  /// folder holding other things) and opens it; the end of File → New workspace.
  bool createWorkspace(const QString& dir);

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  void buildMenus();
  void updatePanels();
  void newWorkspace();
  void chooseWorkspace();
  void updateRecent();
  void editPreferences();
  /// When a job runs: asks whether `action` may cancel it; if so cancels every job and calls
  /// `then` once they have stopped. Returns false when no job runs (go on now), true otherwise
  /// (the caller stops here: `then` follows, or the user chose to keep working).
  bool stopJobsThen(const QString& action, const std::function<void()>& then);

  JobRunner* runner_ = nullptr;
  WorkspaceState state_;
  QListWidget* sidebar_ = nullptr;
  QStackedWidget* stack_ = nullptr;
  WelcomePage* welcome_ = nullptr;
  LogPanel* log_ = nullptr;
  JobList* jobs_ = nullptr;
  QFrame* banner_ = nullptr;
  QLabel* banner_text_ = nullptr;
  QMenu* recent_menu_ = nullptr;
  QWidget* panels_[PanelCount] = {};
  DataPanel* data_ = nullptr;
  TeacherPanel* teacher_ = nullptr;
  LogitsPanel* logits_ = nullptr;
  DistillPanel* distill_ = nullptr;
  CompressPanel* compress_ = nullptr;
  RunsPanel* runs_ = nullptr;
  DemoPipeline* demo_ = nullptr;
  JobStatus* job_status_ = nullptr;
  QHash<int, int> demo_panels_;  ///< demo job id -> the panel that shows it
  int demo_panel_ = -1;          ///< panel shown for the previous demo step
  bool stopping_ = false;        ///< jobs are being cancelled to quit or switch workspaces
};
