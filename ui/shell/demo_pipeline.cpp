#include "shell/demo_pipeline.h"

#include <QDir>
#include <QFileInfo>

#include <filesystem>
#include <memory>

#include "common/device_setting.h"
#include "shell/workspace_state.h"

#if defined(KDW_HAVE_DATA) && defined(KDW_HAVE_BERT) && defined(KDW_HAVE_STUDENT)
#define KDW_DEMO_ENGINE 1
#include "bert/finetune.h"
#include "bert/logits.h"
#include "core/error.h"
#include "core/workspace.h"
#include "data/prepare.h"
#include "student/distill.h"
#endif
#if defined(KDW_DEMO_ENGINE) && defined(KDW_HAVE_COMPRESS)
#define KDW_DEMO_COMPRESS 1
#include "compress/compress_run.h"
#endif

namespace {
QString number(double value) {
  return QString::number(value, 'g', 6);
}
}  // namespace

DemoPipeline::DemoPipeline(JobRunner* runner, QObject* parent) : QObject(parent), runner_(runner) {
  connect(runner_, &JobRunner::finished, this,
          [this](int id, const QJsonObject&) { onEnded(id, true); });
  connect(runner_, &JobRunner::failed, this,
          [this](int id, const QString&) { onEnded(id, false); });
  connect(runner_, &JobRunner::cancelled, this, [this](int id) { onEnded(id, false); });
}

bool DemoPipeline::available() {
#ifdef KDW_DEMO_ENGINE
  return true;
#else
  return false;
#endif
}

QList<DemoStep> DemoPipeline::plan(const QString& workspace, const QString& resources,
                                   const DemoSettings& s, const WorkspaceState& state) {
  QList<DemoStep> steps;
#ifdef KDW_DEMO_ENGINE
  const kdw::Workspace ws{std::filesystem::path(workspace.toStdString())};
  const std::filesystem::path res = resources.toStdString();
  const std::filesystem::path bertSource = res / s.bertSource.toStdString();
  const std::filesystem::path bertDir = ws.bert_dir() / s.bertFolder.toStdString();
  const QString wsArg = QDir::toNativeSeparators(workspace);

  kdw::PrepareOptions prepare;
  prepare.input = res / s.csv.toStdString();
  prepare.workspace = ws.root;
  prepare.bert_vocab = bertSource / "vocab.txt";
  steps.append(
      {DemoStep::Prepare, QObject::tr("Demo: prepare data"),
       QStringLiteral("kdw prepare --input %1 --workspace %2 --bert_vocab %3")
           .arg(QString::fromStdString(prepare.input.string()), wsArg,
                QString::fromStdString(prepare.bert_vocab.string())),
       [prepare](kdw::JobContext& job) { return kdw::run_prepare(prepare, job).summary; }});

  steps.append({DemoStep::CopyBert, QObject::tr("Demo: teacher configuration"),
                QStringLiteral("cp %1/{config.json,vocab.txt} %2/")
                    .arg(QString::fromStdString(bertSource.string()),
                         QString::fromStdString(bertDir.string())),
                [bertSource, bertDir](kdw::JobContext&) {
                  std::error_code ec;
                  std::filesystem::create_directories(bertDir, ec);
                  if (ec) throw kdw::file_error(bertDir, ec.message());
                  for (const char* name : {"config.json", "vocab.txt"}) {
                    std::filesystem::copy_file(bertSource / name, bertDir / name,
                                               std::filesystem::copy_options::overwrite_existing,
                                               ec);
                    if (ec) throw kdw::file_error(bertSource / name, ec.message());
                  }
                  return nlohmann::json{{"bert_path", bertDir.string()}};
                }});

  kdw::FinetuneOptions finetune;
  finetune.device = jobDevice();
  finetune.workspace = ws.root;
  finetune.bert_path = bertDir;
  finetune.epochs = s.teacherEpochs;
  finetune.lr = s.teacherLr;
  finetune.batch_size = s.teacherBatch;
  steps.append({DemoStep::Finetune, QObject::tr("Demo: fine-tune teacher"),
                QStringLiteral("kdw finetune --workspace %1 --bert_path %2 --epochs %3 --lr %4 "
                               "--batch_size %5")
                    .arg(wsArg, QString::fromStdString(bertDir.string()))
                    .arg(s.teacherEpochs)
                    .arg(number(s.teacherLr))
                    .arg(s.teacherBatch),
                [finetune](kdw::JobContext& job) {
                  const kdw::FinetuneResult r = kdw::run_finetune(finetune, job);
                  return nlohmann::json{{"model_dir", r.model_dir.string()},
                                        {"best", r.best},
                                        {"epochs_run", r.epochs_run},
                                        {"early_stopped", r.early_stopped}};
                }});

  kdw::LogitsOptions logits;
  logits.device = jobDevice();
  logits.workspace = ws.root;
  steps.append({DemoStep::Logits, QObject::tr("Demo: teacher logits"),
                QStringLiteral("kdw logits --workspace %1").arg(wsArg),
                [logits](kdw::JobContext& job) {
                  const kdw::LogitsResult r = kdw::run_logits(logits, job);
                  nlohmann::json out = r.summary;
                  out["skipped"] = r.skipped;
                  return out;
                }});

  for (const QString& type : s.studentTypes) {
    auto runDir = std::make_shared<std::filesystem::path>();
    kdw::DistillOptions o;
    o.device = jobDevice();
    o.data_path = ws.root;
    o.model_type = kdw::parse_student_type(type.toStdString());
    o.hidden_size = s.studentHidden;
    o.emb_dim = s.studentEmbDim;
    o.epochs = s.studentEpochs;
    o.batch_size = s.studentBatch;
    o.lr = s.studentLr;
    o.group_lasso = s.groupLasso;
    o.iss_threshold = s.issThreshold;
    o.sparse_tolerance = s.sparseTolerance;
    steps.append(
        {DemoStep::Distill, QObject::tr("Demo: distil %1").arg(type),
         QStringLiteral("kdw distill --data_path %1 --model_type %2 --hidden_size %3 "
                        "--emb_dim %4 --epochs %5 --batch_size %6 --lr %7 --group_lasso %8 "
                        "--iss_threshold %9 --sparse_tolerance %10")
             .arg(wsArg, type)
             .arg(s.studentHidden)
             .arg(s.studentEmbDim)
             .arg(s.studentEpochs)
             .arg(s.studentBatch)
             .arg(number(s.studentLr), number(s.groupLasso), number(s.issThreshold),
                  number(s.sparseTolerance)),
         [o, runDir](kdw::JobContext& job) {
           const kdw::DistillResult r = kdw::run_distill(o, job);
           *runDir = r.run_dir;
           return nlohmann::json(r);
         }});
#ifdef KDW_DEMO_COMPRESS
    if (!s.cut) continue;
    kdw::CompressOptions c;
    c.device = jobDevice();
    c.model_type = o.model_type;
    c.show_weight = true;
    c.cut_model = true;
    c.choice.threshold = s.cutThreshold;
    c.data_path = ws.root;
    // The run folder is known once the student's job has run (the queue runs them in order).
    steps.append({DemoStep::Compress, QObject::tr("Demo: cut %1").arg(type),
                  QStringLiteral("kdw compress --restore_path RUN --show_weight --cut_model "
                                 "--threshold %1 --data_path %2")
                      .arg(number(s.cutThreshold), wsArg),
                  [c, runDir](kdw::JobContext& job) {
                    if (runDir->empty()) throw kdw::Error("the student's run folder is unknown");
                    kdw::CompressOptions options = c;
                    options.run_dir = *runDir;
                    const kdw::CompressResult r = kdw::compress_run(options, job);
                    return nlohmann::json{
                        {"run_dir", runDir->string()},
                        {"cut_model_file", r.cut_model_file.string()},
                        {"report", r.report ? nlohmann::json(*r.report) : nlohmann::json()}};
                  }});
#endif
  }

  // Start at the first step whose output is missing; everything after it depends on it.
  const bool haveBert =
      QFileInfo::exists(QString::fromStdString((bertDir / "config.json").string()));
  int first = steps.size();
  if (!state.hasTokens || !state.hasBertData)
    first = 0;
  else if (!haveBert)
    first = 1;
  else if (!state.hasTeacher)
    first = 2;
  else if (!state.hasLogits)
    first = 3;
  else if (state.runs == 0)
    first = 4;
  steps = steps.mid(first);
#else
  (void)workspace, (void)resources, (void)s, (void)state;
#endif
  return steps;
}

QList<DemoStep> DemoPipeline::start(QList<DemoStep> steps) {
  for (DemoStep& step : steps) {
    step.job = runner_->submit(step.name, step.fn);
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
