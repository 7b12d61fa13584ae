// "Open demo workspace": the demo pipeline's settings mirror scripts/demo.sh, its plan starts at
// the first missing output, a failing step cancels the rest, a tiny run goes end to end through
// the same engine functions as the kdw verbs, and the main window queues it and updates panels.
#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "compress/compress_run.h"
#include "student/reports.h"
#include "ui/common/run_info.h"
#include "ui/common/workspace_state.h"
#include "ui/data/data_panel.h"
#include "ui/data/table_model.h"
#include "ui/jobs/job_runner.h"
#include "ui/jobs/job_status.h"
#include "ui/shell/demo_pipeline.h"
#include "ui/shell/main_window.h"

namespace {
// A demo resources folder: demo/fortunes_ru.csv (`rows` generated rows, four topics) and the
// bundled demo/bert/{config.json,vocab.txt}.
QString makeResources(const QString& root, int rows) {
  const QString demo = root + QStringLiteral("/demo");
  QDir().mkpath(demo + QStringLiteral("/bert"));
  const QString src = QStringLiteral(KDW_SOURCE_DIR "/resources/demo/bert/");
  for (const char* name : {"config.json", "vocab.txt"})
    QFile::copy(src + QLatin1String(name), demo + QStringLiteral("/bert/") + QLatin1String(name));
  const char* const words[4][4] = {{"любовь", "сердце", "поцелуй", "верность"},
                                   {"выборы", "партия", "закон", "власть"},
                                   {"компьютер", "программа", "сервер", "файл"},
                                   {"школа", "учитель", "экзамен", "урок"}};
  const char* const labels[4] = {"love", "polit", "computer", "education"};
  QFile csv(demo + QStringLiteral("/fortunes_ru.csv"));
  if (!csv.open(QIODevice::WriteOnly)) return {};
  csv.write("text,label\n");
  for (int i = 0; i < rows; ++i) {
    const int t = i % 4;
    csv.write(QStringLiteral("\"%1 и %2, сказал он %3\",%4\n")
                  .arg(QString::fromUtf8(words[t][i % 4]), QString::fromUtf8(words[t][(i / 4) % 4]))
                  .arg(i)
                  .arg(QLatin1String(labels[t]))
                  .toUtf8());
  }
  return root;
}

// Writes `content` to `path`, making its folder.
bool touch(const QString& path, const QByteArray& content = {});

// A logits.json that records the recipe's augmented copies.
QByteArray logitsJson(const DemoSettings& s) {
  return QStringLiteral(R"({"augment": {"copies": %1}})")
      .arg(std::get<int64_t>(kdw::option_arg(s.logits, "augment")))
      .toUtf8();
}

// Writes `content` to `path`, making its folder.
bool touch(const QString& path, const QByteArray& content) {
  QDir().mkpath(QFileInfo(path).absolutePath());
  QFile f(path);
  return f.open(QIODevice::WriteOnly) && f.write(content) == content.size();
}

// The value after `flag` in `text` (first occurrence after `from`).
QString flagValue(const QString& text, const QString& flag, qsizetype from = 0) {
  const QRegularExpression re(QRegularExpression::escape(flag) + QStringLiteral("\\s+(\\S+)"));
  const QRegularExpressionMatch m = re.match(text, from);
  return m.hasMatch() ? m.captured(1) : QString();
}
}  // namespace

class TestDemoPipeline : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

  // The engine's one definition of the demo settings (kdw::DemoRecipe) agrees with
  // scripts/demo.sh, flag by flag and in both directions.
  void settingsMirrorDemoScript() {
    QFile file(QStringLiteral(KDW_SOURCE_DIR "/scripts/demo.sh"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QString script = QString::fromUtf8(file.readAll());
    const DemoSettings s;
    QVERIFY(script.contains(QStringLiteral("--input resources/") + QString::fromStdString(s.csv)));
    QVERIFY(script.contains(QStringLiteral("--bert_vocab resources/") +
                            QString::fromStdString(s.bert_source) + QStringLiteral("/vocab.txt")));
    QVERIFY(script.contains(QStringLiteral("files/bert/") + QString::fromStdString(s.bert_folder)));
    // The finetune and logits commands (up to their last continued line), the student=( ... )
    // and train_on=( ... ) arrays and the compress command.
    const auto command = [&](const QString& start) {
      const qsizetype begin = script.indexOf(start);
      if (begin < 0) return QString();
      qsizetype end = begin;
      do end = script.indexOf(QLatin1Char('\n'), end + 1);
      while (end > 0 && script[end - 1] == QLatin1Char('\\'));
      return script.mid(begin, end - begin);
    };
    const QString finetune = command(QStringLiteral("\" finetune "));
    const QString logits = command(QStringLiteral("\" logits "));
    const QString compress = command(QStringLiteral("\" compress "));
    const auto array = [&](const QString& name) {
      const qsizetype begin = script.indexOf(QLatin1Char('\n') + name + QStringLiteral("=("));
      return begin < 0 ? QString()
                       : script.mid(begin, script.indexOf(QLatin1Char(')'), begin) - begin);
    };
    const QString student = array(QStringLiteral("student"));
    const QString trainOn = array(QStringLiteral("train_on"));
    QVERIFY(!finetune.isEmpty() && !logits.isEmpty() && !compress.isEmpty());
    QVERIFY(!student.isEmpty() && !trainOn.isEmpty());
    const QStringList fixed = {"--workspace", "--bert_path", "--restore_path", "--data_path"};
    for (const auto& [args, text] : {std::pair{&s.finetune, finetune}, std::pair{&s.logits, logits},
                                     std::pair{&s.student, student}, std::pair{&s.cut, compress},
                                     std::pair{&s.train_on, trainOn}}) {
      QStringList expected;
      for (const auto& [name, value] : *args) {
        const QString flag = QStringLiteral("--") + QString::fromStdString(name);
        expected << flag;
        if (std::holds_alternative<bool>(value)) {
          QVERIFY2(text.contains(QRegularExpression(QRegularExpression::escape(flag) +
                                                    QStringLiteral("(\\s|$)"))),
                   qPrintable(flag));
          continue;
        }
        const QString got = flagValue(text, flag);
        const QString want = QString::fromStdString(kdw::option_text(value));
        if (std::holds_alternative<std::string>(value))
          QCOMPARE(got, want);
        else
          QVERIFY2(got.toDouble() == want.toDouble(), qPrintable(flag + " " + got + " vs " + want));
      }
      // No flag in the script that the recipe lacks.
      QRegularExpressionMatchIterator it =
          QRegularExpression(QStringLiteral("--[a-z_]+")).globalMatch(text);
      while (it.hasNext()) {
        const QString flag = it.next().captured(0);
        QVERIFY2(expected.contains(flag) || fixed.contains(flag), qPrintable(flag));
      }
    }
    // Each student is distilled, cut, and its cut model trained on.
    for (const std::string& name : s.student_types) {
      const QString type = QString::fromStdString(name);
      QVERIFY(script.contains(QStringLiteral("--model_type ") + type +
                              QStringLiteral(" \"${student[@]}\"")));
      QVERIFY2(script.contains(QRegularExpression(
                   QStringLiteral("--model_type %1 \\\\\n\\s*--restore_model_path \"\\$run_\\w+/"
                                  "cut_model_distill_%1\\.pt\" \"\\$\\{train_on\\[@\\]\\}\"")
                       .arg(type))),
               qPrintable(type));
    }
  }

  void planStartsAtFirstMissingOutput() {
    QTemporaryDir dir;
    const DemoSettings s;
    WorkspaceState state;
    state.valid = true;
    const QList<DemoStep> all = DemoPipeline::plan(dir.path(), "/res", s, state);
    QCOMPARE(all.size(), 10);
    const QList<DemoStep::Kind> kinds = {DemoStep::Prepare, DemoStep::CopyBert, DemoStep::Finetune,
                                         DemoStep::Logits,  DemoStep::Distill,  DemoStep::Compress,
                                         DemoStep::TrainOn, DemoStep::Distill,  DemoStep::Compress,
                                         DemoStep::TrainOn};
    for (int i = 0; i < 10; ++i) QCOMPARE(all[i].kind, kinds[i]);
    QCOMPARE(all[0].command, QStringLiteral("kdw prepare --input /res/demo/fortunes_ru.csv "
                                            "--workspace %1 --bert_vocab /res/demo/bert/vocab.txt")
                                 .arg(dir.path()));
    // Each command is the recipe's flags (tests/student/test_distill_options checks their text).
    QVERIFY(all[2].command.endsWith(QString::fromStdString(kdw::option_flags(s.finetune))));
    QCOMPARE(all[3].command,
             QStringLiteral("kdw logits --workspace %1 %2")
                 .arg(dir.path(), QString::fromStdString(kdw::option_flags(s.logits))));
    QVERIFY(all[3].command.contains(QStringLiteral("--augment ")));
    QVERIFY(all[4].command.contains(QStringLiteral("--model_type stack_biLSTM ") +
                                    QString::fromStdString(kdw::option_flags(s.student))));
    QVERIFY(all[4].command.contains(QStringLiteral("--lasso_warmup ")));
    QVERIFY(all[5].command.contains(QStringLiteral("--cut_model --threshold 0.05")));
    QCOMPARE(all[6].command,
             QStringLiteral("kdw distill --data_path %1 --model_type stack_biLSTM "
                            "--restore_model_path RUN/cut_model_distill_stack_biLSTM.pt %2")
                 .arg(dir.path(), QString::fromStdString(kdw::option_flags(s.train_on))));
    QVERIFY(all[7].command.contains(QStringLiteral("--model_type stack_LSTM")));
    QCOMPARE(all[9].name, QStringLiteral("Demo: train the cut stack_LSTM on"));

    state.hasTokens = state.hasBertData = true;
    QCOMPARE(DemoPipeline::plan(dir.path(), "/res", s, state).first().kind, DemoStep::CopyBert);
    QVERIFY(touch(dir.filePath("files/bert/demo_bert/config.json")));
    QVERIFY(touch(dir.filePath("files/bert/demo_bert/vocab.txt")));
    QCOMPARE(DemoPipeline::plan(dir.path(), "/res", s, state).first().kind, DemoStep::Finetune);
    state.hasTeacher = true;
    // logits, 2 x (student, cut, training on)
    QCOMPARE(DemoPipeline::plan(dir.path(), "/res", s, state).size(), 7);
    // Logits without the recipe's augmented copies are made again.
    state.hasLogits = true;
    QCOMPARE(DemoPipeline::plan(dir.path(), "/res", s, state).first().kind, DemoStep::Logits);
    QVERIFY(touch(dir.filePath("files/data/logits/logits.json"), R"({"augment": {"copies": 1}})"));
    QCOMPARE(DemoPipeline::plan(dir.path(), "/res", s, state).first().kind, DemoStep::Logits);
    QVERIFY(touch(dir.filePath("files/data/logits/logits.json"), logitsJson(s)));
    QCOMPARE(DemoPipeline::plan(dir.path(), "/res", s, state).size(), 6);
    // A count of run folders says nothing about the students: no folder holds one.
    state.runs = 2;
    QCOMPARE(DemoPipeline::plan(dir.path(), "/res", s, state).size(), 6);
    // A new prepare invalidates everything after it.
    state.hasTokens = false;
    QCOMPARE(DemoPipeline::plan(dir.path(), "/res", s, state).size(), 10);
  }

  // After a cancel, the plan is made from what the workspace holds: a finished student without
  // its cut gets only the cut (in its folder), a stopped student is distilled anew, a fine-tune
  // that left a checkpoint is resumed; each skipped step is named with the reason.
  void planResumesExactlyTheMissingSteps() {
    QTemporaryDir dir;
    const DemoSettings s;
    for (const char* f : {"files/data/tokens/train_ids.npy", "files/data/bert_data/train_ids.npy",
                          "files/bert/demo_bert/config.json", "files/bert/demo_bert/vocab.txt",
                          "files/bert/rubert_finetune/config.json", "files/data/logits/train.npy"})
      QVERIFY(touch(dir.filePath(f)));
    QVERIFY(touch(dir.filePath("files/data/logits/logits.json"), logitsJson(s)));
    // The first student finished, its cut never ran; the second was stopped after epoch 1.
    const QString done = dir.filePath("2026-11-26___10-00-00");
    QVERIFY(touch(done + "/model_distill_stack_biLSTM.pt"));
    QVERIFY(touch(done + "/result.json",
                  R"({"model_type": "stack_biLSTM", "best_epoch": 12, "epochs_done": 12})"));
    const QString stopped = dir.filePath("2026-11-26___10-05-00");
    QVERIFY(touch(stopped + "/model_distill_stack_LSTM.pt"));
    QVERIFY(touch(stopped + "/result.json", R"({"model_type": "stack_LSTM", "best_epoch": 1,
                                                 "epochs_done": 1, "stopped": true})"));
    QStringList skipped;
    QList<DemoStep> steps =
        DemoPipeline::plan(dir.path(), "/res", s, scanWorkspace(dir.path()), &skipped);
    QCOMPARE(steps.size(), 5);
    QCOMPARE(steps[0].name, QStringLiteral("Demo: cut stack_biLSTM"));
    QVERIFY2(steps[0].command.contains("--restore_path " + done + " "),
             qPrintable(steps[0].command));
    QCOMPARE(steps[1].kind, DemoStep::TrainOn);
    QVERIFY2(steps[1].command.contains("--restore_model_path " + done +
                                       "/cut_model_distill_stack_biLSTM.pt "),
             qPrintable(steps[1].command));
    QCOMPARE(steps[2].name, QStringLiteral("Demo: distil stack_LSTM"));
    QCOMPARE(steps[3].name, QStringLiteral("Demo: cut stack_LSTM"));
    QCOMPARE(steps[4].name, QStringLiteral("Demo: train the cut stack_LSTM on"));
    QCOMPARE(skipped.size(), 5);
    QVERIFY(skipped[0].startsWith("Demo: prepare data: skipped, "));
    QVERIFY(skipped[3].startsWith("Demo: teacher logits: skipped, "));
    QCOMPARE(skipped[4], QStringLiteral("Demo: distil stack_biLSTM: skipped, %1 holds its model "
                                        "and the result of a finished run")
                             .arg(done));

    // With both cuts there, the cut models are trained on. A finished run that trained the
    // first one on (the newest run folder) is neither taken for its student nor cut again.
    QVERIFY(touch(done + "/cut_model_distill_stack_biLSTM.pt"));
    QVERIFY(touch(stopped + "/result.json",
                  R"({"model_type": "stack_LSTM", "best_epoch": 12, "epochs_done": 12})"));
    QVERIFY(touch(stopped + "/cut_model_distill_stack_LSTM.pt"));
    QCOMPARE(DemoPipeline::plan(dir.path(), "/res", s, scanWorkspace(dir.path())).size(), 2);
    const auto trainedOn = [&](const QString& run, const QString& type, const QString& cut) {
      return touch(run + "/model_distill_" + type + ".pt") &&
             touch(run + "/config.json", QStringLiteral(R"({"model_type": "%1", "epochs": 2,
                                                            "restore_model_path": "%2"})")
                                             .arg(type, cut)
                                             .toUtf8()) &&
             touch(run + "/result.json", QStringLiteral(R"({"model_type": "%1", "best_epoch": 2,
                                                            "epochs_done": 2})")
                                             .arg(type)
                                             .toUtf8());
    };
    const QString onBi = dir.filePath("2026-11-26___10-20-00");
    QVERIFY(trainedOn(onBi, "stack_biLSTM", done + "/cut_model_distill_stack_biLSTM.pt"));
    skipped.clear();
    steps = DemoPipeline::plan(dir.path(), "/res", s, scanWorkspace(dir.path()), &skipped);
    QCOMPARE(steps.size(), 1);
    QCOMPARE(steps[0].name, QStringLiteral("Demo: train the cut stack_LSTM on"));
    QVERIFY(skipped.contains(
        QStringLiteral("Demo: train the cut stack_biLSTM on: skipped, %1 holds the cut model "
                       "trained on")
            .arg(onBi)));
    // A stopped training on does not count.
    const QString onUni = dir.filePath("2026-11-26___10-25-00");
    QVERIFY(trainedOn(onUni, "stack_LSTM", stopped + "/cut_model_distill_stack_LSTM.pt"));
    QVERIFY(touch(onUni + "/result.json", R"({"model_type": "stack_LSTM", "best_epoch": 1,
                                               "epochs_done": 1, "stopped": true})"));
    QCOMPARE(DemoPipeline::plan(dir.path(), "/res", s, scanWorkspace(dir.path())).size(), 1);
    QVERIFY(trainedOn(onUni, "stack_LSTM", stopped + "/cut_model_distill_stack_LSTM.pt"));
    // Nothing is left; a fine-tune's checkpoint makes it resume, and all that follows it runs
    // again.
    skipped.clear();
    QVERIFY(
        DemoPipeline::plan(dir.path(), "/res", s, scanWorkspace(dir.path()), &skipped).isEmpty());
    QCOMPARE(skipped.size(), 10);
    QVERIFY(touch(dir.filePath("files/bert/rubert_finetune.checkpoint/state.json")));
    steps = DemoPipeline::plan(dir.path(), "/res", s, scanWorkspace(dir.path()));
    QCOMPARE(steps.size(), 8);
    QCOMPARE(steps[0].kind, DemoStep::Finetune);
    QVERIFY(steps[0].command.endsWith(" --resume"));
  }

  void failedStepCancelsTheRest() {
    QTemporaryDir dir, empty;
    JobRunner runner;
    DemoPipeline pipeline(&runner);
    QSignalSpy done(&pipeline, &DemoPipeline::done);
    QSignalSpy failed(&runner, &JobRunner::failed);
    QSignalSpy cancelled(&runner, &JobRunner::cancelled);
    QSignalSpy finished(&runner, &JobRunner::finished);
    WorkspaceState state;
    state.valid = true;
    const QList<DemoStep> steps =
        pipeline.start(DemoPipeline::plan(dir.path(), empty.path(), DemoSettings(), state));
    QCOMPARE(steps.size(), 10);
    QVERIFY(pipeline.isRunning());
    QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, 20000);
    QCOMPARE(done.at(0).at(0).toBool(), false);
    QCOMPARE(failed.size(), 1);
    QCOMPARE(failed.at(0).at(0).toInt(), steps[0].job);
    QVERIFY2(failed.at(0).at(1).toString().startsWith(empty.path() + "/demo/"),  // what is missing
             qPrintable(failed.at(0).at(1).toString()));
    QCOMPARE(cancelled.size(), 9);
    QCOMPARE(finished.size(), 0);
    QVERIFY(!pipeline.isRunning());
    QVERIFY(!runner.isBusy());
  }

  // The whole pipeline with tiny epochs and sizes on generated demo data.
  void tinyPipelineRunsEndToEnd() {
    QTemporaryDir res, dir;
    QVERIFY(!makeResources(res.path(), 160).isEmpty());
    QCOMPARE(createWorkspaceLayout(dir.path()), QString());
    DemoSettings s;
    kdw::set_option_arg(s.finetune, "epochs", int64_t(1));
    kdw::set_option_arg(s.student, "epochs", int64_t(1));
    kdw::set_option_arg(s.student, "hidden_size", int64_t(16));
    kdw::set_option_arg(s.student, "emb_dim", int64_t(16));
    kdw::set_option_arg(s.logits, "augment", int64_t(1));
    kdw::set_option_arg(s.train_on, "epochs", int64_t(1));
    JobRunner runner;
    DemoPipeline pipeline(&runner);
    QSignalSpy done(&pipeline, &DemoPipeline::done);
    QString failure;
    connect(&runner, &JobRunner::failed, this, [&](int, const QString& m) { failure = m; });
    QStringList runDirs;
    connect(&runner, &JobRunner::finished, this, [&](int, const JobResult& r) {
      if (const auto* run = r.get<kdw::DistillResult>())
        runDirs << QString::fromStdString(run->run_dir.string());
      if (const auto* cut = r.get<kdw::CompressResult>())
        runDirs << QString::fromStdString(cut->model_file.parent_path().string());
    });
    pipeline.start(DemoPipeline::plan(dir.path(), res.path(), s, scanWorkspace(dir.path())));
    QTRY_VERIFY_WITH_TIMEOUT(!done.isEmpty(), 120000);
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
    QCOMPARE(done.at(0).at(0).toBool(), true);
    const WorkspaceState state = scanWorkspace(dir.path());
    QVERIFY(state.hasTokens && state.hasBertData && state.hasTeacher && state.hasLogits);
    QCOMPARE(state.runs, 4);
    // Each student's run, its cut in the same folder, then the cut model's training on in a
    // new folder.
    QCOMPARE(runDirs.size(), 6);
    QCOMPARE(runDirs[1], runDirs[0]);
    QCOMPARE(runDirs[4], runDirs[3]);
    QVERIFY(runDirs[2] != runDirs[0] && runDirs[5] != runDirs[3]);
    for (const auto& [on, cut] :
         {std::pair{runDirs[2], runDirs[0] + "/cut_model_distill_stack_biLSTM.pt"},
          std::pair{runDirs[5], runDirs[3] + "/cut_model_distill_stack_LSTM.pt"}}) {
      const RunInfo info = readRunInfo(on);
      QVERIFY2(info.options && info.report, qPrintable(info.problem));
      QCOMPARE(QString::fromStdString(info.options->restore_model_path.string()), cut);
      QCOMPARE(info.options->epochs, int64_t(1));
      QVERIFY(QFileInfo::exists(on + "/model_distill_" + info.modelType + ".pt"));
    }
    QCOMPARE(readRunInfo(runDirs[0]).options->lasso_warmup,
             std::get<int64_t>(kdw::option_arg(s.student, "lasso_warmup")));
    // The logits hold the recipe's augmented copies.
    QVERIFY(QFileInfo::exists(dir.filePath("files/data/logits/train_aug.npy")));
    QVERIFY(QFileInfo::exists(runDirs[0] + "/model_distill_stack_biLSTM.pt"));
    QVERIFY(QFileInfo::exists(runDirs[0] + "/cut_model_distill_stack_biLSTM.pt"));
    QVERIFY(QFileInfo::exists(runDirs[0] + "/component_norms.png"));
    QVERIFY(QFileInfo::exists(runDirs[3] + "/model_distill_stack_LSTM.pt"));
    QVERIFY(QFileInfo::exists(runDirs[3] + "/cut_model_distill_stack_LSTM.pt"));
    QVERIFY(QFileInfo::exists(dir.filePath("files/bert/demo_bert/vocab.txt")));
    QVERIFY(DemoPipeline::plan(dir.path(), res.path(), s, state).isEmpty());
  }

  // The main window queues the demo's missing steps, and the Data panel shows the prepared data
  // as soon as the first step has finished.
  void mainWindowQueuesDemoAndPanelsFollow() {
    QTemporaryDir res, dir;
    QVERIFY(!makeResources(res.path(), 80).isEmpty());
    MainWindow window;
    const QList<int> ids = window.runDemoPipeline(dir.path(), res.path());
    QCOMPARE(ids.size(), 10);
    QCOMPARE(window.runner()->currentName(), QStringLiteral("Demo: prepare data"));
    QCOMPARE(
        window.runner()->queuedNames(),
        (QStringList{"Demo: teacher configuration", "Demo: fine-tune teacher",
                     "Demo: teacher logits", "Demo: distil stack_biLSTM", "Demo: cut stack_biLSTM",
                     "Demo: train the cut stack_biLSTM on", "Demo: distil stack_LSTM",
                     "Demo: cut stack_LSTM", "Demo: train the cut stack_LSTM on"}));
    QVERIFY(window.runDemoPipeline(dir.path(), res.path()).isEmpty());  // once at a time
    // The status bar's bar is the whole demo's, and says so.
    QTRY_VERIFY2(window.jobStatus()->barText().startsWith(QStringLiteral("Demo: step 1 of 10")),
                 qPrintable(window.jobStatus()->barText()));
    // The Teacher panel shows the demo's fine-tune options while it follows that job.
    QCOMPARE(window.panelWidget(MainWindow::Teacher)->findChild<QSpinBox*>("epochs")->value(),
             std::get<int64_t>(kdw::option_arg(DemoSettings().finetune, "epochs")));
    auto* data = static_cast<DataPanel*>(window.panelWidget(MainWindow::Data));
    // When the prepare job has finished (the window's own handlers ran first), the panels
    // already show its output; then the rest is cancelled before it starts.
    bool teacherEnabled = false, prepared = false;
    QString total;
    QSignalSpy done(window.demoPipeline(), &DemoPipeline::done);
    connect(window.runner(), &JobRunner::finished, this, [&](int id, const JobResult&) {
      if (id != ids[0]) return;
      prepared = window.workspace().hasBertData;
      teacherEnabled = window.isPanelEnabled(MainWindow::Teacher);
      total = data->preparedCell(4, 3);  // 4 classes, then the total row
      window.runner()->cancelAll();
    });
    QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, 30000);
    QVERIFY(prepared);
    QVERIFY(teacherEnabled);
    QCOMPARE(total, QStringLiteral("80"));
    QCOMPARE(done.at(0).at(0).toBool(), false);
    QVERIFY(!window.runner()->isBusy());
    QVERIFY(!window.workspace().hasTeacher);
    QTRY_COMPARE_WITH_TIMEOUT(data->model()->rowCount(), 80, 20000);  // the input, previewed
    // Reopened after the cancel: the prepared data stays, the rest is queued.
    const QList<int> again = window.runDemoPipeline(dir.path(), res.path());
    QCOMPARE(again.size(), 9);
    QCOMPARE(window.runner()->currentName(), QStringLiteral("Demo: teacher configuration"));
    window.runner()->cancelAll();
    QTRY_COMPARE_WITH_TIMEOUT(done.size(), 2, 30000);
  }
};

QTEST_MAIN(TestDemoPipeline)
#include "test_demo_pipeline.moc"
