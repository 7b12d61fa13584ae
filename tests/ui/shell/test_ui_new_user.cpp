// What a new user stumbled on (issue 13): File → New workspace names a folder that does not
// exist yet; the Distill form fills with the settings ready for compression in one click and
// Compress says when a run was trained without the group lasso; the Teacher panel warns as soon
// as a folder's vocabulary is not the teacher data's, with the way to prepare again; and every
// path that puts a run in the Distill run list puts that run's settings in the form.
//
// Widgets are found by object name, so that this file also builds against the code before
// these changes and shows each check failing there.
#include <QAbstractButton>
#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include <filesystem>
#include <functional>
#include <memory>

#include <nlohmann/json.hpp>

#include "../../student/synthetic_data.h"
#include "core/atomic_output.h"
#include "core/demo_recipe.h"
#include "core/hash.h"
#include "student/distill.h"
#include "student/reports.h"
#include "student/student_model.h"
#include "ui/common/option_form.h"
#include "ui/common/workspace_state.h"
#include "ui/compress/compress_panel.h"
#include "ui/data/data_panel.h"
#include "ui/distill/distill_panel.h"
#include "ui/jobs/job_runner.h"
#include "ui/shell/main_window.h"
#include "ui/teacher/teacher_panel.h"

namespace fs = std::filesystem;

namespace {

template <typename T>
T* child(QObject* parent, const char* name) {
  return parent->findChild<T*>(QLatin1String(name));
}

int hidden(DistillPanel& panel) {
  auto* box = child<QSpinBox>(&panel, "hidden_size");
  return box ? box->value() : -1;
}

double lasso(DistillPanel& panel) {
  auto* box = child<QDoubleSpinBox>(&panel, "group_lasso");
  return box ? box->value() : -1;
}

// A finished run as run_distill leaves it, without training: config.json (the options through
// the table), result.json, one epoch record, and a model file (a real one when `model`, else an
// empty file: the Distill panel does not read it).
QString writeRun(const QString& parent, const QString& name, const kdw::DistillOptions& o,
                 bool model = false) {
  const fs::path dir = fs::path(parent.toStdString()) / name.toStdString();
  fs::create_directories(dir);
  kdw::write_file_atomic(dir / "config.json", o.to_json().dump(2));
  kdw::DistillReport r;
  r.model_type = kdw::student_type_name(o.model_type);
  r.epochs_done = 1;
  r.best_epoch = 1;
  r.dev = kdw::SplitScores{0.75, 0.7, 16};
  r.test = kdw::SplitScores{0.7, 0.65, 16};
  r.model_file = "model_distill_" + r.model_type + ".pt";
  kdw::write_file_atomic(dir / "result.json", nlohmann::json(r).dump(2));
  kdw::write_file_atomic(
      dir / "metrics.jsonl",
      R"({"kind":"epoch","epoch":1,"dev":{"accuracy":0.75,"macro_f1":0.7},"alive":[4]})"
      "\n");
  if (model) {
    kdw::StudentModel m(
        kdw::StudentArch::make(o.model_type, 20, 5, o.hidden_size, 1, {"neg", "pos"}, 0.0));
    kdw::save_student(m, dir / r.model_file);
  } else {
    kdw::write_file_atomic(dir / r.model_file, "");
  }
  return QString::fromStdString(dir.string());
}

kdw::DistillOptions options(int hiddenSize, double groupLasso) {
  kdw::DistillOptions o;
  o.hidden_size = hiddenSize;
  o.group_lasso = groupLasso;
  o.epochs = 3;
  return o;
}

// Answers the next modal dialog with `answer` once one shows; a dialog of another kind than
// expected is rejected (so that the test ends) and `ok` stays false.
std::shared_ptr<bool> answerNextDialog(QObject* owner, const QString& objectName,
                                       std::function<bool(QWidget*)> answer) {
  auto ok = std::make_shared<bool>(false);
  auto* timer = new QTimer(owner);
  timer->setInterval(5);
  QObject::connect(timer, &QTimer::timeout, timer, [=] {
    QWidget* modal = QApplication::activeModalWidget();
    if (!modal) return;
    timer->stop();
    timer->deleteLater();
    if (modal->objectName() == objectName) *ok = answer(modal);
    if (modal->isVisible()) QMetaObject::invokeMethod(modal, "reject");
  });
  timer->start();
  return ok;
}

QAction* menuAction(MainWindow& window, const QString& text) {
  for (QAction* a : window.menuBar()->findChildren<QAction*>())
    if (a->text() == text) return a;
  return nullptr;
}

// A tiny workspace that opens with every panel up to Distill enabled.
void writeDistillWorkspace(const QString& root) {
  QCOMPARE(createWorkspaceLayout(root), QString());
  kdw::testing::write_synthetic_data(fs::path(root.toStdString()) / "files" / "data", 64, 16, 16);
}

// A short real training of the panel's student (hidden 6, 1 epoch) started by `start`; at the
// job's first metrics delivery `during` runs (a user editing the form meanwhile).
void trainSmall(DistillPanel& panel, JobRunner& runner, const std::function<void()>& during,
                const std::function<void()>& start) {
  child<QComboBox>(&panel, "model_type")->setCurrentText(QStringLiteral("stack_LSTM"));
  child<QSpinBox>(&panel, "hidden_size")->setValue(6);
  child<QSpinBox>(&panel, "emb_dim")->setValue(5);
  child<QSpinBox>(&panel, "num_layers")->setValue(1);
  child<QSpinBox>(&panel, "batch_size")->setValue(16);
  child<QSpinBox>(&panel, "epochs")->setValue(1);
  child<QDoubleSpinBox>(&panel, "group_lasso")->setValue(0.0);
  bool edited = false;
  QObject context;
  QObject::connect(&runner, &JobRunner::metrics, &context, [&](int, const QJsonArray&) {
    if (edited) return;
    edited = true;
    during();
  });
  QSignalSpy finished(&runner, &JobRunner::finished);
  QSignalSpy failed(&runner, &JobRunner::failed);
  start();
  QTRY_VERIFY_WITH_TIMEOUT(finished.size() + failed.size() > 0, 120000);
  QVERIFY2(failed.isEmpty(), qPrintable(failed.isEmpty() ? QString() : failed[0][1].toString()));
  QVERIFY(edited);
  QCOMPARE(panel.jobId(), 0);
}

}  // namespace

class TestUiNewUser : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
  }
  void cleanup() { QSettings().clear(); }

  // 1. File → New workspace: a parent folder and a name; the folder is made.
  void newWorkspaceCreatesANamedFolder() {
    QTemporaryDir parent;
    QSettings().setValue(QStringLiteral("newWorkspaceParent"), parent.path());
    MainWindow window;
    QAction* action = menuAction(window, QStringLiteral("&New workspace…"));
    QVERIFY(action);
    const QString target = QDir(parent.path()).filePath(QStringLiteral("my-reviews"));
    QString note;
    auto ok = answerNextDialog(&window, QStringLiteral("newWorkspaceDialog"), [&](QWidget* d) {
      auto* where = child<QLineEdit>(d, "parentFolder");
      auto* name = child<QLineEdit>(d, "workspaceName");
      if (!where || !name) return false;
      if (QDir(where->text()) != QDir(parent.path())) return false;  // the last parent used
      name->setText(QStringLiteral("my-reviews"));
      note = child<QLabel>(d, "newWorkspaceNote")->text();
      QMetaObject::invokeMethod(d, "accept");
      return true;
    });
    action->trigger();
    QVERIFY2(*ok, "no new-workspace dialog with a parent folder and a name");
    QVERIFY2(note.contains(QStringLiteral("Creates the folder")), qPrintable(note));
    QVERIFY(QFileInfo(target + QStringLiteral("/files/data/tokens")).isDir());
    QCOMPARE(window.workspace().root, QFileInfo(target).absoluteFilePath());
    QVERIFY(window.workspace().valid);
  }

  // ... and the refusal of a folder holding other things stays: OK waits, the note says why.
  void newWorkspaceDialogRefusesAFolderWithOtherThings() {
    QTemporaryDir parent;
    QVERIFY(QDir(parent.path()).mkpath(QStringLiteral("notes")));
    QFile other(parent.filePath(QStringLiteral("notes/todo.txt")));
    QVERIFY(other.open(QIODevice::WriteOnly));
    other.close();
    QCOMPARE(createWorkspaceLayout(parent.filePath(QStringLiteral("old-ws"))), QString());
    QSettings().setValue(QStringLiteral("newWorkspaceParent"), parent.path());
    MainWindow window;
    QStringList notes;
    QList<bool> enabled;
    auto ok = answerNextDialog(&window, QStringLiteral("newWorkspaceDialog"), [&](QWidget* d) {
      auto* name = child<QLineEdit>(d, "workspaceName");
      QPushButton* create = nullptr;
      for (QPushButton* b : d->findChildren<QPushButton*>())
        if (b->text() == QStringLiteral("Create")) create = b;
      if (!name || !create) return false;
      for (const char* text : {"notes", "a/b", "", "old-ws", "fresh"}) {
        name->setText(QLatin1String(text));
        notes << child<QLabel>(d, "newWorkspaceNote")->text();
        enabled << create->isEnabled();
      }
      name->setText(QStringLiteral("notes"));
      create->click();  // refused: the dialog stays
      return d->isVisible();
    });
    menuAction(window, QStringLiteral("&New workspace…"))->trigger();
    QVERIFY2(*ok, "no new-workspace dialog, or it closed on a refused folder");
    QCOMPARE(enabled, (QList<bool>{false, false, false, true, true}));
    QVERIFY2(notes[0].contains(QStringLiteral("is not empty")), qPrintable(notes[0]));
    QVERIFY2(notes[3].contains(QStringLiteral("workspace already")), qPrintable(notes[3]));
    QVERIFY(!window.workspace().valid);
    QVERIFY(QFileInfo::exists(parent.filePath(QStringLiteral("notes/todo.txt"))));
    QVERIFY(!QFileInfo::exists(parent.filePath(QStringLiteral("notes/files"))));
  }

  // 2. One click fills the Distill form with the demo recipe's student settings (its one
  // definition), keeping the student type; the choice says "Custom" once a value differs.
  void distillPresetFillsTheRecipe() {
    JobRunner runner;
    DistillPanel panel(&runner);
    auto* preset = child<QComboBox>(&panel, "settingsPreset");
    QVERIFY2(preset, "no Settings choice on the Distill form");
    QCOMPARE(preset->currentIndex(), 0);  // the table's defaults: the original scripts'
    QCOMPARE(hidden(panel), 1000);
    child<QComboBox>(&panel, "model_type")->setCurrentText(QStringLiteral("stack_LSTM"));
    preset->setCurrentIndex(1);
    Q_EMIT preset->activated(1);  // as a user's pick
    const OptionForm& form = panel.optionForm();
    for (const auto& [name, value] : kdw::DemoRecipe().student)
      QCOMPARE(QString::fromStdString(kdw::option_text(form.value(name))),
               QString::fromStdString(kdw::option_text(value)));
    QVERIFY(lasso(panel) > 0);
    QCOMPARE(child<QComboBox>(&panel, "model_type")->currentText(), QStringLiteral("stack_LSTM"));
    QCOMPARE(preset->currentIndex(), 1);
    child<QSpinBox>(&panel, "epochs")->setValue(9);
    QCOMPARE(preset->currentIndex(), -1);
    QCOMPARE(preset->currentText(), QString());  // the placeholder, "Custom", shows
    preset->setCurrentIndex(0);
    Q_EMIT preset->activated(0);
    QCOMPARE(hidden(panel), 1000);
    QCOMPARE(lasso(panel), 0.0);
    QCOMPARE(child<QComboBox>(&panel, "model_type")->currentText(), QStringLiteral("stack_LSTM"));
  }

  // Compress says plainly when the open run was trained without the group lasso, and its link
  // leads to Distill with the settings ready for compression; a run with the lasso, or a cut
  // model trained on (without it by design), gets no note.
  void compressSaysWhenTrainedWithoutLasso() {
    QTemporaryDir dir;
    writeDistillWorkspace(dir.path());
    kdw::DistillOptions trainedOn = options(6, 0.0);
    trainedOn.restore_model_path = "cut_model_distill_stack_biLSTM.pt";
    const QString plain = writeRun(dir.path(), "2026-01-01___00-00-00", options(6, 0.0), true);
    const QString sparse = writeRun(dir.path(), "2026-01-02___00-00-00", options(6, 3e-3), true);
    const QString on = writeRun(dir.path(), "2026-01-03___00-00-00", trainedOn, true);
    MainWindow window;
    QVERIFY(window.openWorkspace(dir.path()));
    auto* compress = qobject_cast<CompressPanel*>(window.panelWidget(MainWindow::Compress));
    compress->openRun(plain);
    QCOMPARE(compress->runDir(), QFileInfo(plain).absoluteFilePath());
    auto* note = child<QLabel>(compress, "trainingNote");
    QVERIFY2(note, "no training note on the Compress panel");
    QVERIFY(!note->isHidden());
    QVERIFY2(note->text().contains(QStringLiteral("without the group lasso")) &&
                 note->text().contains(QStringLiteral("Settings: Compressible")),
             qPrintable(note->text()));
    window.showPanel(MainWindow::Compress);
    Q_EMIT note->linkActivated(QStringLiteral("distill"));
    QCOMPARE(window.currentPanel(), int(MainWindow::Distill));
    auto* distill = qobject_cast<DistillPanel*>(window.panelWidget(MainWindow::Distill));
    QCOMPARE(child<QComboBox>(distill, "settingsPreset")->currentIndex(), 1);
    compress->openRun(sparse);
    QVERIFY(note->isHidden());
    compress->openRun(on);
    QCOMPARE(compress->runDir(), QFileInfo(on).absoluteFilePath());
    QVERIFY(note->isHidden());
  }

  // 3. The Teacher panel warns when the folder is shown, not at Start, and its button takes the
  // user to the Data panel with the folder's vocab.txt chosen; prepared again, the warning goes.
  void teacherWarnsOfAnotherVocabularyAtOnce() {
    QTemporaryDir dir;
    const QString ws = dir.path();
    QCOMPARE(createWorkspaceLayout(ws), QString());
    const fs::path root = ws.toStdString();
    const fs::path bert = root / "files" / "bert" / "hf";
    fs::create_directories(bert);
    for (const auto& entry : fs::directory_iterator(KDW_SOURCE_DIR "/tests/fixtures/bert/hf_style"))
      fs::copy(entry.path(), bert / entry.path().filename());
    kdw::write_file_atomic(root / "files" / "data" / "bert_data" / "train_ids.npy", "x");
    kdw::write_file_atomic(
        root / "files" / "data" / "prepare.json",
        nlohmann::json{{"bert", {{"vocab", "other.txt"}, {"vocab_hash", "0123"}}}}.dump());
    MainWindow window;
    window.runner()->setDeliveryInterval(10);
    QVERIFY(window.openWorkspace(ws));
    window.showPanel(MainWindow::Teacher);
    auto* teacher = qobject_cast<TeacherPanel*>(window.panelWidget(MainWindow::Teacher));
    QCOMPARE(teacher->currentBertFolder(), QStringLiteral("hf"));
    auto* warning = child<QLabel>(teacher, "vocabWarning");
    QVERIFY2(warning, "no vocabulary warning on the Teacher panel");
    QTRY_VERIFY_WITH_TIMEOUT(!warning->isHidden(), 20000);
    QVERIFY2(warning->text().contains(QStringLiteral("other.txt")) &&
                 warning->text().contains(QStringLiteral("prepare the data again")),
             qPrintable(warning->text()));
    auto* prepare = child<QPushButton>(teacher, "prepareWithVocab");
    QVERIFY(prepare && !prepare->isHidden());
    prepare->click();
    QCOMPARE(window.currentPanel(), int(MainWindow::Data));
    auto* data = qobject_cast<DataPanel*>(window.panelWidget(MainWindow::Data));
    const QString vocab = QString::fromStdString((bert / "vocab.txt").string());
    auto* chosen = child<QComboBox>(data, "bertVocab");
    QVERIFY(chosen);
    QCOMPARE(QFileInfo(chosen->currentText()).absoluteFilePath(),
             QFileInfo(vocab).absoluteFilePath());

    // The data prepared again with that vocabulary (prepare.json names its hash): no warning.
    kdw::write_file_atomic(root / "files" / "data" / "prepare.json",
                           nlohmann::json{{"bert",
                                           {{"vocab", vocab.toStdString()},
                                            {"vocab_hash", kdw::file_hash(bert / "vocab.txt")}}}}
                               .dump());
    QTest::qWait(20);  // another mtime (ms) for prepare.json
    kdw::write_file_atomic(root / "files" / "data" / "prepare.json",
                           nlohmann::json{{"bert",
                                           {{"vocab", vocab.toStdString()},
                                            {"vocab_hash", kdw::file_hash(bert / "vocab.txt")}}}}
                               .dump());
    window.rescanWorkspace();
    QTRY_VERIFY_WITH_TIMEOUT(warning->isHidden() && window.runner()->lightCount() == 0, 20000);
    QVERIFY(!teacher->folderInfoText().contains(QStringLiteral("Checking")));
  }

  // 4. Every path that puts a run in the Distill run list puts its settings in the form.
  // Opening a workspace (also what the screenshot tour and the demo do first): the newest run
  // is shown, and so are its settings, not the form's saved or default ones.
  void openingWorkspaceShowsNewestRunSettings() {
    QTemporaryDir dir;
    writeDistillWorkspace(dir.path());
    writeRun(dir.path(), "2026-01-01___00-00-00", options(64, 0.0));
    const QString newest = writeRun(dir.path(), "2026-01-02___00-00-00", options(128, 3e-3));
    QSettings().setValue(QStringLiteral("distill/hidden_size"), 1000);  // the form's last values
    MainWindow window;
    QVERIFY(window.openWorkspace(dir.path()));
    window.showPanel(MainWindow::Distill);
    QCOMPARE(window.currentPanel(), int(MainWindow::Distill));
    auto* panel = qobject_cast<DistillPanel*>(window.panelWidget(MainWindow::Distill));
    QCOMPARE(panel->runPicker()->currentData().toString(), QFileInfo(newest).absoluteFilePath());
    QCOMPARE(hidden(*panel), 128);
    QCOMPARE(lasso(*panel), 3e-3);
    QCOMPARE(child<QSpinBox>(panel, "epochs")->value(), 3);

    // Another workspace: its newest run's settings.
    QTemporaryDir other;
    writeDistillWorkspace(other.path());
    writeRun(other.path(), "2026-02-01___00-00-00", options(32, 0.0));
    QVERIFY(window.openWorkspace(other.path()));
    QCOMPARE(hidden(*panel), 32);
    QCOMPARE(lasso(*panel), 0.0);
  }

  // A run that trained a saved model further (a cut model trained on, the demo's newest run)
  // shows its training settings, and says that the shape fields are not its shape: the form
  // has no field for the model it started from, and its config.json holds the defaults there.
  void trainedOnRunSaysTheShapeIsNotItsOwn() {
    QTemporaryDir dir;
    writeDistillWorkspace(dir.path());
    const QString cut = writeRun(dir.path(), "2026-01-01___00-00-00", options(128, 3e-3));
    kdw::DistillOptions on;  // as the demo's train-on step writes it: shape at the defaults
    on.restore_model_path =
        (cut + QStringLiteral("/cut_model_distill_stack_biLSTM.pt")).toStdString();
    on.epochs = 2;
    writeRun(dir.path(), "2026-01-02___00-00-00", on);
    JobRunner runner;
    DistillPanel panel(&runner);
    panel.setWorkspace(dir.path());
    QVERIFY2(
        panel.runShapeText().contains(QStringLiteral("cut_model_distill_stack_biLSTM.pt further")),
        qPrintable(panel.runShapeText()));
    QVERIFY(panel.runShapeText().contains(QStringLiteral("shape fields are not this run's")));
    QCOMPARE(child<QSpinBox>(&panel, "epochs")->value(), 2);
    const int index = panel.runPicker()->findData(QFileInfo(cut).absoluteFilePath());
    Q_EMIT panel.runPicker()->activated(index);
    QCOMPARE(hidden(panel), 128);
    QVERIFY(panel.runShapeText().isEmpty());
  }

  // The user's pick in the list.
  void pickingARunShowsItsSettings() {
    QTemporaryDir dir;
    writeDistillWorkspace(dir.path());
    const QString older = writeRun(dir.path(), "2026-01-01___00-00-00", options(64, 0.0));
    writeRun(dir.path(), "2026-01-02___00-00-00", options(128, 3e-3));
    JobRunner runner;
    DistillPanel panel(&runner);
    panel.setWorkspace(dir.path());
    const int index = panel.runPicker()->findData(QFileInfo(older).absoluteFilePath());
    QVERIFY(index >= 0);
    panel.runPicker()->setCurrentIndex(index);
    Q_EMIT panel.runPicker()->activated(index);
    QCOMPARE(hidden(panel), 64);
    QCOMPARE(lasso(panel), 0.0);
  }

  // Code that picks a run in the list (the screenshot tour, any panel's "open in Distill"): the
  // same as a user's pick.
  void pickingARunInCodeShowsItsSettings() {
    QTemporaryDir dir;
    writeDistillWorkspace(dir.path());
    const QString older = writeRun(dir.path(), "2026-01-01___00-00-00", options(128, 3e-3));
    writeRun(dir.path(), "2026-01-02___00-00-00", options(64, 0.0));
    JobRunner runner;
    DistillPanel panel(&runner);
    panel.setWorkspace(dir.path());
    child<QSpinBox>(&panel, "hidden_size")->setValue(99);  // the user's edit
    panel.runPicker()->setCurrentIndex(
        panel.runPicker()->findData(QFileInfo(older).absoluteFilePath()));
    QCOMPARE(panel.lastRunDir(), QFileInfo(older).absoluteFilePath());
    QCOMPARE(hidden(panel), 128);
    QCOMPARE(lasso(panel), 3e-3);
  }

  // A run of the panel's own finishing: the list shows it, the form its settings, even when the
  // user edited the form while it trained.
  // While it trains, the list names no earlier run (the form holds the training run's values).
  void ownRunFinishingShowsItsSettings() {
    QTemporaryDir dir;
    writeDistillWorkspace(dir.path());
    writeRun(dir.path(), "2026-01-01___00-00-00", options(128, 3e-3));
    JobRunner runner;
    runner.setDeliveryInterval(10);
    DistillPanel panel(&runner);
    panel.setWorkspace(dir.path());
    int pickedWhileTraining = -2;
    trainSmall(
        panel, runner,
        [&] {
          pickedWhileTraining = panel.runPicker()->currentIndex();
          child<QSpinBox>(&panel, "hidden_size")->setValue(40);
        },
        [&] { panel.start(); });
    QCOMPARE(pickedWhileTraining, -1);
    QCOMPARE(panel.runPicker()->currentData().toString(), panel.lastRunDir());
    QCOMPARE(hidden(panel), 6);
  }

  // A distillation queued elsewhere (the demo pipeline, Compress → Train the cut model on)
  // finishing: the same.
  void followedRunFinishingShowsItsSettings() {
    QTemporaryDir dir;
    writeDistillWorkspace(dir.path());
    JobRunner runner;
    runner.setDeliveryInterval(10);
    DistillPanel panel(&runner);
    panel.setWorkspace(dir.path());
    kdw::DistillOptions o;
    o.data_path = dir.path().toStdString();
    o.model_type = kdw::StudentType::kStackLSTM;
    o.hidden_size = 7;
    o.emb_dim = 5;
    o.num_layers = 1;
    o.batch_size = 16;
    o.epochs = 1;
    trainSmall(
        panel, runner, [&] { child<QSpinBox>(&panel, "hidden_size")->setValue(30); },
        [&] {
          runner.submit(
              QStringLiteral("Demo: distil stack_LSTM"),
              [o](kdw::JobContext& ctx) { return kdw::run_distill(o, ctx); },
              QString::fromLatin1(JobRunner::kDistillKind));
        });
    QCOMPARE(panel.runPicker()->currentData().toString(), panel.lastRunDir());
    QCOMPARE(hidden(panel), 7);
  }

  // A run written outside the workspace (the screenshot tour's live run goes to a temporary
  // folder): it is not in the list, so the list names no other run beside its settings.
  void runOutsideWorkspaceIsNotShownAsAnother() {
    QTemporaryDir dir, out;
    writeDistillWorkspace(dir.path());
    const QString earlier = writeRun(dir.path(), "2026-01-01___00-00-00", options(128, 3e-3));
    JobRunner runner;
    runner.setDeliveryInterval(10);
    DistillPanel panel(&runner);
    panel.setWorkspace(dir.path());
    QCOMPARE(panel.runPicker()->currentData().toString(), QFileInfo(earlier).absoluteFilePath());
    panel.setOutputDir(out.path());
    trainSmall(
        panel, runner, [] {}, [&] { panel.start(); });
    QVERIFY(panel.lastRunDir().startsWith(QFileInfo(out.path()).absoluteFilePath()));
    QCOMPARE(hidden(panel), 6);
    QVERIFY2(panel.runPicker()->currentData().toString() != QFileInfo(earlier).absoluteFilePath(),
             "the run list names the hidden-128 run while the form shows the run elsewhere");
    QCOMPARE(panel.runPicker()->currentIndex(), -1);
    // Picking the earlier run again shows its settings.
    const int index = panel.runPicker()->findData(QFileInfo(earlier).absoluteFilePath());
    Q_EMIT panel.runPicker()->activated(index);
    QCOMPARE(hidden(panel), 128);
  }
};

QTEST_MAIN(TestUiNewUser)
#include "test_ui_new_user.moc"
