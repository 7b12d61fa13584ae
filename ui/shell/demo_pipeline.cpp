#include "ui/shell/demo_pipeline.h"

#include <QDir>
#include <QFileInfo>

#include <filesystem>
#include <memory>

#include "bert/finetune.h"
#include "bert/logits.h"
#include "bert/teacher_options.h"
#include "compress/compress_options.h"
#include "compress/compress_run.h"
#include "core/error.h"
#include "core/workspace.h"
#include "data/prepare.h"
#include "student/distill.h"
#include "ui/common/device_setting.h"
#include "ui/common/workspace_state.h"

namespace {
QString flags(const kdw::OptionArgs& args) {
  return QString::fromStdString(kdw::option_flags(args));
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
                                   const DemoSettings& s, const WorkspaceState& state) {
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
                  return bertDir;
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
  logits.device = jobDevice();
  logits.workspace = ws.root;
  steps.append({DemoStep::Logits, QObject::tr("Demo: teacher logits"),
                QStringLiteral("kdw logits --workspace %1").arg(wsArg),
                [logits](kdw::JobContext& job) { return kdw::run_logits(logits, job); }});

  for (const std::string& name : s.student_types) {
    const QString type = QString::fromStdString(name);
    auto runDir = std::make_shared<std::filesystem::path>();
    kdw::DistillOptions o;
    o.device = jobDevice();
    o.data_path = ws.root;
    kdw::apply_option_args(kdw::distill_option_table(), s.student, o);
    kdw::distill_option_table().set(o, "model_type", name);
    steps.append({DemoStep::Distill, QObject::tr("Demo: distil %1").arg(type),
                  QStringLiteral("kdw distill --data_path %1 --model_type %2 %3")
                      .arg(wsArg, type, flags(s.student)),
                  [o, runDir](kdw::JobContext& job) {
                    kdw::DistillResult r = kdw::run_distill(o, job);
                    *runDir = r.run_dir;
                    return r;
                  }});
    kdw::CompressOptions c;
    kdw::apply_option_args(kdw::compress_option_table(), s.cut, c);
    c.device = jobDevice();
    c.model_type = o.model_type;
    c.data_path = ws.root;
    // The run folder is known once the student's job has run (the queue runs them in order).
    steps.append({DemoStep::Compress, QObject::tr("Demo: cut %1").arg(type),
                  QStringLiteral("kdw compress --restore_path RUN %1 --data_path %2")
                      .arg(flags(s.cut), wsArg),
                  [c, runDir](kdw::JobContext& job) {
                    if (runDir->empty()) throw kdw::Error("the student's run folder is unknown");
                    kdw::CompressOptions options = c;
                    options.run_dir = *runDir;
                    return kdw::compress_run(options, job);
                  }});
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
