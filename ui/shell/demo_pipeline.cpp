#include "ui/shell/demo_pipeline.h"

#include <QDir>
#include <QFileInfo>

#include <filesystem>
#include <fstream>
#include <memory>

#include "bert/bert_copy.h"
#include "bert/finetune.h"
#include "bert/logits.h"
#include "bert/teacher_options.h"
#include "compress/compress_options.h"
#include "compress/compress_run.h"
#include "core/commit.h"
#include "core/error.h"
#include "core/workspace.h"
#include "data/prepare.h"
#include "student/distill.h"
#include "student/run_folder.h"
#include "ui/common/device_setting.h"
#include "ui/common/run_info.h"
#include "ui/common/workspace_state.h"

namespace {
QString flags(const kdw::OptionArgs& args) {
  return QString::fromStdString(kdw::option_flags(args));
}

bool present(const std::filesystem::path& p) {
  std::error_code ec;
  return std::filesystem::exists(p, ec);
}

QString qpath(const std::filesystem::path& p) {
  return QString::fromStdString(p.string());
}

bool finished(const RunInfo& run, kdw::StudentType type) {
  if (!run.report) return false;
  const kdw::DistillReport& r = *run.report;
  return r.model_type == kdw::student_type_name(type) && r.best_epoch > 0 && !r.stopped &&
         r.failed.empty() && present(kdw::RunFolder(run.path.toStdString()).model_file(type));
}

// The newest run folder of `workspace` where a student of `type` finished (its model and a
// result.json that says neither stopped nor failed), not counting runs that trained a saved
// model on; empty when there is none.
QString finishedRun(const QString& workspace, kdw::StudentType type) {
  const QList<RunInfo> runs = scanRuns(workspace);
  for (auto it = runs.crbegin(); it != runs.crend(); ++it)
    if (finished(*it, type) && (!it->options || it->options->restore_model_path.empty()))
      return it->path;
  return {};
}

// The newest finished run that trained `cutModel` on; empty when there is none.
QString trainedOnRun(const QString& workspace, kdw::StudentType type,
                     const std::filesystem::path& cutModel) {
  const QList<RunInfo> runs = scanRuns(workspace);
  const std::filesystem::path want = cutModel.lexically_normal();
  for (auto it = runs.crbegin(); it != runs.crend(); ++it)
    if (finished(*it, type) && it->options &&
        it->options->restore_model_path.lexically_normal() == want)
      return it->path;
  return {};
}

// The augmented copies per train text that logits/logits.json records (0: none or unreadable).
int64_t logitsCopies(const kdw::Workspace& ws) {
  std::ifstream in(ws.logits_dir() / "logits.json");
  const nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return 0;
  const auto augment = j.find("augment");
  if (augment == j.end() || !augment->is_object()) return 0;
  return augment->value("copies", int64_t(0));
}
}  // namespace

DemoPipeline::DemoPipeline(JobRunner* runner, QObject* parent) : QObject(parent), runner_(runner) {
  connect(runner_, &JobRunner::finished, this,
          [this](int id, const JobResult&) { onEnded(id, true); });
  connect(runner_, &JobRunner::failed, this,
          [this](int id, const QString&) { onEnded(id, false); });
  connect(runner_, &JobRunner::cancelled, this, [this](int id) { onEnded(id, false); });
}

QList<DemoStep> DemoPipeline::plan(const QString& workspace, const QString& resources,
                                   const DemoSettings& s, const WorkspaceState& state,
                                   QStringList* skipped) {
  QList<DemoStep> steps;
  const kdw::Workspace ws{std::filesystem::path(workspace.toStdString())};
  const std::filesystem::path res = resources.toStdString();
  const std::filesystem::path bertSource = res / s.bert_source;
  const std::filesystem::path bertDir = ws.bert_dir() / s.bert_folder;
  const QString wsArg = QDir::toNativeSeparators(workspace);

  kdw::PrepareOptions prepare;
  prepare.input = res / s.csv;
  prepare.workspace = ws.root;
  prepare.bert_vocab = bertSource / "vocab.txt";
  steps.append({DemoStep::Prepare, QObject::tr("Demo: prepare data"),
                QStringLiteral("kdw prepare --input %1 --workspace %2 --bert_vocab %3")
                    .arg(QString::fromStdString(prepare.input.string()), wsArg,
                         QString::fromStdString(prepare.bert_vocab.string())),
                [prepare](kdw::JobContext& job) { return kdw::run_prepare(prepare, job); }});

  steps.append({DemoStep::CopyBert, QObject::tr("Demo: teacher configuration"),
                QStringLiteral("cp %1/{config.json,vocab.txt} %2/")
                    .arg(QString::fromStdString(bertSource.string()),
                         QString::fromStdString(bertDir.string())),
                [bertSource, bertDir](kdw::JobContext& job) {
                  // Redone after a new prepare: the demo's own folder is there, keep it.
                  if (present(bertDir / "config.json") && present(bertDir / "vocab.txt"))
                    return bertDir;
                  // A partial folder is moved aside, never replaced.
                  if (present(bertDir)) kdw::keep_aside(bertDir);
                  return kdw::write_small_bert(bertSource, bertDir, job).folder;
                }});

  kdw::FinetuneOptions finetune;
  finetune.device = jobDevice();
  finetune.workspace = ws.root;
  finetune.bert_path = bertDir;
  kdw::apply_option_args(kdw::finetune_option_table(), s.finetune, finetune);
  steps.append({DemoStep::Finetune, QObject::tr("Demo: fine-tune teacher"),
                QStringLiteral("kdw finetune --workspace %1 --bert_path %2 %3")
                    .arg(wsArg, QString::fromStdString(bertDir.string()), flags(s.finetune)),
                [finetune](kdw::JobContext& job) { return kdw::run_finetune(finetune, job); }});

  kdw::LogitsOptions logits;
  kdw::apply_option_args(kdw::logits_option_table(), s.logits, logits);
  logits.device = jobDevice();
  logits.workspace = ws.root;
  steps.append(
      {DemoStep::Logits, QObject::tr("Demo: teacher logits"),
       QStringLiteral("kdw logits --workspace %1 %2").arg(wsArg, flags(s.logits)).trimmed(),
       [logits](kdw::JobContext& job) { return kdw::run_logits(logits, job); }});

  // The chain before the students: from the first step whose output is missing, every later
  // step runs (each reads what the one before wrote).
  const std::filesystem::path checkpoint = kdw::finetune_checkpoint_dir(ws.finetune_dir());
  const bool teacherCut = present(checkpoint);  // a fine-tune stopped between epochs
  const bool done[4] = {state.hasTokens && state.hasBertData,
                        present(bertDir / "config.json") && present(bertDir / "vocab.txt"),
                        state.hasTeacher && !teacherCut,
                        state.hasLogits && logitsCopies(ws) == logits.augment};
  const QString why[4] = {
      QObject::tr("%1 and %2 hold the prepared data")
          .arg(qpath(ws.tokens_dir()), qpath(ws.bert_data_dir())),
      QObject::tr("%1 holds config.json and vocab.txt").arg(qpath(bertDir)),
      QObject::tr("%1 holds the fine-tuned teacher (no checkpoint of an unfinished run)")
          .arg(qpath(ws.finetune_dir())),
      QObject::tr("%1 holds the logits (%2 augmented copies)")
          .arg(qpath(ws.logits_dir()))
          .arg(logits.augment)};
  QList<DemoStep> todo;
  bool redo = false;
  for (int i = 0; i < 4; ++i) {
    if (redo || !done[i]) {
      redo = true;
      todo.append(steps[i]);
    } else if (skipped) {
      *skipped << QObject::tr("%1: skipped, %2").arg(steps[i].name, why[i]);
    }
  }
  // A fine-tune that a cancel left with a checkpoint goes on from it (kdw finetune --resume).
  if (!todo.isEmpty() && todo.first().kind == DemoStep::Finetune && teacherCut) {
    kdw::FinetuneOptions resumed = finetune;
    resumed.resume = true;
    todo.first().command += QStringLiteral(" --resume");
    todo.first().fn = [resumed](kdw::JobContext& job) {
      const kdw::FinetuneResult r = kdw::run_finetune(resumed, job);
      return nlohmann::json{{"model_dir", r.model_dir.string()},
                            {"best", r.best},
                            {"epochs_run", r.epochs_run},
                            {"early_stopped", r.early_stopped}};
    };
  }

  for (const std::string& name : s.student_types) {
    const QString type = QString::fromStdString(name);
    auto runDir = std::make_shared<std::filesystem::path>();
    kdw::DistillOptions o;
    o.device = jobDevice();
    o.data_path = ws.root;
    kdw::apply_option_args(kdw::distill_option_table(), s.student, o);
    kdw::distill_option_table().set(o, "model_type", name);
    const DemoStep distil{DemoStep::Distill, QObject::tr("Demo: distil %1").arg(type),
                          QStringLiteral("kdw distill --data_path %1 --model_type %2 %3")
                              .arg(wsArg, type, flags(s.student)),
                          [o, runDir](kdw::JobContext& job) {
                            kdw::DistillResult r = kdw::run_distill(o, job);
                            *runDir = r.run_dir;
                            return r;
                          }};
    kdw::CompressOptions c;
    kdw::apply_option_args(kdw::compress_option_table(), s.cut, c);
    c.device = jobDevice();
    c.model_type = o.model_type;
    c.data_path = ws.root;
    // The run folder is known once the student's job has run (the queue runs them in order),
    // or is the folder of the student that finished before.
    DemoStep cut{DemoStep::Compress, QObject::tr("Demo: cut %1").arg(type),
                 QStringLiteral("kdw compress --restore_path RUN %1 --data_path %2")
                     .arg(flags(s.cut), wsArg),
                 [c, runDir](kdw::JobContext& job) {
                   if (runDir->empty()) throw kdw::Error("the student's run folder is unknown");
                   kdw::CompressOptions options = c;
                   options.run_dir = *runDir;
                   return kdw::compress_run(options, job);
                 }};
    // The cut model trained on at its shape: a new run folder (kdw distill
    // --restore_model_path CUT --epochs N).
    kdw::DistillOptions on;
    on.device = jobDevice();
    on.data_path = ws.root;
    kdw::apply_option_args(kdw::distill_option_table(), s.train_on, on);
    on.model_type = o.model_type;
    const std::string cutName = kdw::RunFolder::cut_model_name(o.model_type);
    DemoStep trainOn{DemoStep::TrainOn, QObject::tr("Demo: train the cut %1 on").arg(type),
                     QStringLiteral("kdw distill --data_path %1 --model_type %2 "
                                    "--restore_model_path RUN/%3 %4")
                         .arg(wsArg, type, QString::fromStdString(cutName), flags(s.train_on)),
                     [on, runDir](kdw::JobContext& job) {
                       if (runDir->empty()) throw kdw::Error("the student's run folder is unknown");
                       kdw::DistillOptions options = on;
                       options.restore_model_path =
                           kdw::RunFolder(*runDir).cut_model_file(options.model_type);
                       return kdw::run_distill(options, job);
                     }};
    const QString run = redo ? QString() : finishedRun(workspace, o.model_type);
    if (run.isEmpty()) {
      todo << distil << cut << trainOn;
      continue;
    }
    const kdw::RunFolder folder(run.toStdString());
    *runDir = folder.dir();
    for (DemoStep* step : {&cut, &trainOn})
      step->command.replace(QStringLiteral(" RUN"), QLatin1Char(' ') + run);
    if (skipped)
      *skipped << QObject::tr("%1: skipped, %2 holds its model and the result of a finished run")
                      .arg(distil.name, run);
    const std::filesystem::path cutModel = folder.cut_model_file(o.model_type);
    if (!present(cutModel)) {
      todo << cut << trainOn;
      continue;
    }
    if (skipped)
      *skipped << QObject::tr("%1: skipped, %2 holds the cut model").arg(cut.name, qpath(cutModel));
    const QString trained = trainedOnRun(workspace, o.model_type, cutModel);
    if (trained.isEmpty())
      todo << trainOn;
    else if (skipped)
      *skipped << QObject::tr("%1: skipped, %2 holds the cut model trained on")
                      .arg(trainOn.name, trained);
  }
  return todo;
}

QList<DemoStep> DemoPipeline::start(QList<DemoStep> steps) {
  for (DemoStep& step : steps) {
    // Distillations are tagged so that the Distill panel shows them as they train.
    step.job =
        step.kind == DemoStep::Distill || step.kind == DemoStep::TrainOn
            ? runner_->submit(step.name, step.fn, QString::fromLatin1(JobRunner::kDistillKind))
            : runner_->submit(step.name, step.fn);
    pending_.append(step.job);
  }
  return steps;
}

void DemoPipeline::onEnded(int id, bool ok) {
  if (!pending_.contains(id)) return;
  if (ok) {
    pending_.removeAll(id);
    if (pending_.isEmpty()) Q_EMIT done(true);
    return;
  }
  // A failed or cancelled step: the later ones would only fail on its missing output.
  const QList<int> rest = pending_;
  pending_.clear();
  for (int other : rest)
    if (other != id) runner_->cancel(other);
  Q_EMIT done(false);
}
