// "Open demo workspace": the whole demo pipeline (prepare, teacher, logits with augmented copies,
// two students, each cut and its cut model trained on) as jobs on the JobRunner, each calling the
// same engine function as the matching kdw verb. The demo settings are kdw::DemoRecipe
// (engine/core/demo_recipe.h), as for scripts/demo.sh.
#pragma once

#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

#include "core/demo_recipe.h"
#include "ui/jobs/job_runner.h"

struct WorkspaceState;

/// The demo's settings: the engine's one definition, which scripts/demo.sh also follows
/// (tests/ui/test_demo_pipeline compares them).
using DemoSettings = kdw::DemoRecipe;

struct DemoStep {
  enum Kind { Prepare, CopyBert, Finetune, Logits, Distill, Compress, TrainOn };
  Kind kind = Prepare;
  QString name;     ///< job name shown in the queue
  QString command;  ///< the equivalent kdw command line (for the log and the tests)
  JobRunner::JobFn fn;
  int job = 0;  ///< job id once submitted
};

class DemoPipeline : public QObject {
  Q_OBJECT

 public:
  explicit DemoPipeline(JobRunner* runner, QObject* parent = nullptr);

  /// The steps still to do for `workspace`, each decided from the outputs it leaves there (all
  /// steps for a fresh workspace, none for a finished demo). Prepare, teacher files, fine-tune
  /// and logits form a chain: from the first one missing, all later steps run. The fine-tune
  /// is done when its model is there without a checkpoint (one left by a cancel is resumed).
  /// Each student is done when a run folder of its type holds its model and a result.json of
  /// a finished run (a run that trained a saved model on does not count); its cut (heatmaps,
  /// cut model, evaluation) when that folder holds the cut model; the training on of the cut
  /// model when a finished run's config.json names that cut model as restore_model_path. The
  /// logits are done when logits.json records the recipe's augmented copies. `skipped`, when given,
  /// gets one line per skipped step: its name and why.
  static QList<DemoStep> plan(const QString& workspace, const QString& resources,
                              const DemoSettings& settings, const WorkspaceState& state,
                              QStringList* skipped = nullptr);

  /// Submits `steps` in order; when one fails or is cancelled, the later ones are cancelled.
  /// Returns the steps with their job ids.
  QList<DemoStep> start(QList<DemoStep> steps);
  bool isRunning() const { return !pending_.isEmpty(); }

 Q_SIGNALS:
  /// The last step finished (ok) or a step failed / was cancelled (!ok).
  void done(bool ok);

 private:
  void onEnded(int id, bool ok);

  JobRunner* runner_;
  QList<int> pending_;
};
