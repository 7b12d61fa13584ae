// "Open demo workspace": the whole demo pipeline (prepare, teacher, logits, two students) as
// jobs on the JobRunner, each calling the same engine function as the matching kdw verb.
// The demo settings live here, in one place; they mirror scripts/demo.sh.
#pragma once

#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

#include "jobs/job_runner.h"

struct WorkspaceState;

/// The demo's options. They mirror scripts/demo.sh: change both together.
struct DemoSettings {
  // kdw prepare --input resources/demo/fortunes_ru.csv --bert_vocab resources/demo/bert/vocab.txt
  QString csv = QStringLiteral("demo/fortunes_ru.csv");  ///< relative to resourceDir()
  QString bertSource = QStringLiteral("demo/bert");      ///< config.json + vocab.txt
  QString bertFolder = QStringLiteral("demo_bert");      ///< under <ws>/files/bert/
  // kdw finetune --bert_path files/bert/demo_bert --epochs 12 --lr 5e-4 --batch_size 16
  // (config only: the small demo teacher is trained from scratch)
  int teacherEpochs = 12;
  double teacherLr = 5e-4;
  int teacherBatch = 16;
  // kdw distill --model_type T --hidden_size 256 --emb_dim 100 --epochs 12 --batch_size 32
  //   --lr 2e-3 --group_lasso 2e-3 --iss_threshold 0.05 --sparse_tolerance 0.06
  //   for T = stack_biLSTM, stack_LSTM
  QStringList studentTypes = {QStringLiteral("stack_biLSTM"), QStringLiteral("stack_LSTM")};
  int studentHidden = 256;
  int studentEmbDim = 100;
  int studentEpochs = 12;
  int studentBatch = 32;
  double studentLr = 2e-3;
  double groupLasso = 2e-3;
  double issThreshold = 0.05;
  double sparseTolerance = 0.06;
  // kdw compress --restore_path RUN --show_weight --cut_model --threshold 0.05 --data_path WS
  // after each student (when this build has the compress module)
  bool cut = true;
  double cutThreshold = 0.05;
};

struct DemoStep {
  enum Kind { Prepare, CopyBert, Finetune, Logits, Distill, Compress };
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

  /// The steps still to do for `workspace`: everything from the first step whose output is
  /// missing in `state` (all steps for a fresh workspace, none for a finished demo). Each
  /// student is followed by its compression (heatmaps, cut model, evaluation) in its run folder.
  static QList<DemoStep> plan(const QString& workspace, const QString& resources,
                              const DemoSettings& settings, const WorkspaceState& state);

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
