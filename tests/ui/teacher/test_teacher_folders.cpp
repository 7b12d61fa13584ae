// The Teacher panel's own-data path to the end (issue 13): a BERT folder from elsewhere copied
// into files/bert/ by a job and selected, never replacing a folder of that name (kept aside,
// another name, or nothing done), and the demo's small BERT from scratch offered to a
// workspace without any pretrained BERT. Dialogs are real, answered by clicking their buttons.
// A folder is checked off the UI thread, and only the latest check counts.
#include <QAbstractButton>
#include <QApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QInputDialog>
#include <QLabel>
#include <QPushButton>
#include <QSemaphore>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <memory>

#include <QDoubleSpinBox>
#include <QSpinBox>

#include "../next_dialog.h"
#include "bert/bert_io.h"
#include "core/demo_recipe.h"

#include "ui/common/replace_question.h"
#include "ui/common/workspace_state.h"
#include "ui/jobs/job_runner.h"
#include "ui/teacher/teacher_panel.h"

namespace {

using kdw::test::clickInNextDialog;

// Types `name` into the next folder-name dialog and accepts it.
std::shared_ptr<bool> nameInNextDialog(QObject* owner, const QString& name) {
  auto answered = std::make_shared<bool>(false);
  auto* timer = new QTimer(owner);
  timer->setInterval(5);
  QObject::connect(timer, &QTimer::timeout, timer, [timer, name, answered] {
    auto* dialog = qobject_cast<QInputDialog*>(QApplication::activeModalWidget());
    if (!dialog || dialog->objectName() != QLatin1String("folderNameDialog")) return;
    *answered = true;
    timer->stop();
    timer->deleteLater();
    dialog->setTextValue(name);
    dialog->accept();
  });
  timer->start();
  return answered;
}

QPushButton* buttonNamed(QWidget* panel, const QString& text) {
  for (QPushButton* b : panel->findChildren<QPushButton*>())
    if (b->text() == text) return b;
  return nullptr;
}

QStringList subfolders(const QString& dir) {
  return QDir(dir).entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
}

// Chooses the folder from elsewhere and waits for its check to select it.
bool useFolder(TeacherPanel& panel, const QString& dir) {
  const QString folder = QFileInfo(dir).absoluteFilePath();
  return panel.useBertFolder(dir) > 0 &&
         QTest::qWaitFor([&] { return panel.currentBertFolder() == folder; }, 30000);
}

QByteArray bytes(const QString& file) {
  QFile f(file);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

}  // namespace

class TestTeacherFolders : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void copiesBertFolderIntoWorkspace() {
    QTemporaryDir dir;
    const QString ws = dir.filePath(QStringLiteral("ws"));
    QCOMPARE(createWorkspaceLayout(ws), QString());
    const QString bert = ws + QStringLiteral("/files/bert");
    const QString hf = QStringLiteral(KDW_SOURCE_DIR "/tests/fixtures/bert/hf_style");
    JobRunner runner;
    runner.setDeliveryInterval(10);
    TeacherPanel panel(&runner);
    panel.setWorkspace(ws);
    auto* copy = panel.findChild<QPushButton*>(QStringLiteral("copyBertButton"));
    QVERIFY(copy);
    QVERIFY(!copy->isEnabled());  // nothing chosen from elsewhere yet
    QVERIFY(useFolder(panel, hf));
    QVERIFY(copy->isEnabled());

    copy->click();
    // A job: the click returned at once, the folder from elsewhere is still the one chosen.
    QVERIFY(panel.copyJob() > 0);
    QCOMPARE(panel.currentBertFolder(), QFileInfo(hf).absoluteFilePath());
    QVERIFY(!buttonNamed(&panel, QStringLiteral("Start"))->isEnabled());
    QTRY_COMPARE_WITH_TIMEOUT(panel.copyJob(), 0, 30000);
    QVERIFY2(panel.statusText().contains(QStringLiteral("Copied into files/bert/hf_style")),
             qPrintable(panel.statusText()));
    QCOMPARE(panel.currentBertFolder(), QStringLiteral("hf_style"));
    QVERIFY(buttonNamed(&panel, QStringLiteral("Start"))->isEnabled());
    QVERIFY(!copy->isEnabled());  // the workspace's own folder: nothing to copy
    // Only what the loader reads (hf_style also holds a pytorch_model.bin it does not read).
    QCOMPARE(QDir(bert + QStringLiteral("/hf_style")).entryList(QDir::Files, QDir::Name),
             (QStringList{"config.json", "model.safetensors", "vocab.txt"}));
    QCOMPARE(bytes(bert + QStringLiteral("/hf_style/model.safetensors")),
             bytes(hf + QStringLiteral("/model.safetensors")));
    QCOMPARE(subfolders(bert), QStringList{"hf_style"});

    // The name is taken now. Cancel: nothing happens.
    QObject pollers;
    QVERIFY(useFolder(panel, hf));
    auto answered = clickInNextDialog(&pollers, kCancelButton);
    QCOMPARE(panel.copyIntoWorkspace(), 0);
    QVERIFY(answered->answered);
    QCOMPARE(subfolders(bert), QStringList{"hf_style"});
    QCOMPARE(panel.currentBertFolder(), QFileInfo(hf).absoluteFilePath());

    // Keep the old one: it moves aside under a dated name, the copy takes the name.
    QFile marker(bert + QStringLiteral("/hf_style/mine.txt"));
    QVERIFY(marker.open(QIODevice::WriteOnly));
    marker.close();
    answered = clickInNextDialog(&pollers, kKeepButton);
    QVERIFY(panel.copyIntoWorkspace() > 0);
    QVERIFY(answered->answered);
    QTRY_COMPARE_WITH_TIMEOUT(panel.copyJob(), 0, 30000);
    QStringList folders = subfolders(bert);
    QCOMPARE(folders.size(), 2);
    QCOMPARE(folders[0], QStringLiteral("hf_style"));
    QVERIFY2(folders[1].startsWith(QStringLiteral("hf_style-kept-")), qPrintable(folders[1]));
    QVERIFY(QFileInfo::exists(bert + '/' + folders[1] + QStringLiteral("/mine.txt")));
    QVERIFY(!QFileInfo::exists(bert + QStringLiteral("/hf_style/mine.txt")));
    QCOMPARE(panel.currentBertFolder(), QStringLiteral("hf_style"));

    // Another name: the copy goes there, the taken folder stays as it is.
    QVERIFY(useFolder(panel, hf));
    answered = clickInNextDialog(&pollers, kOtherNameButton);
    auto named = nameInNextDialog(&pollers, QStringLiteral("my_rubert"));
    QVERIFY(panel.copyIntoWorkspace() > 0);
    QVERIFY(answered->answered && *named);
    QTRY_COMPARE_WITH_TIMEOUT(panel.copyJob(), 0, 30000);
    QCOMPARE(subfolders(bert).size(), 3);
    QCOMPARE(panel.currentBertFolder(), QStringLiteral("my_rubert"));
    QCOMPARE(QDir(bert + QStringLiteral("/my_rubert")).entryList(QDir::Files).size(), 3);
  }

  // The folder is inspected on a light job's thread: the call returns at once with "Checking…"
  // shown and nothing selected yet. A check overtaken by a later choice is not applied.
  void checksFolderOffTheUiThread() {
    QTemporaryDir dir;
    const QString ws = dir.filePath(QStringLiteral("ws"));
    QCOMPARE(createWorkspaceLayout(ws), QString());
    const QString hf = QStringLiteral(KDW_SOURCE_DIR "/tests/fixtures/bert/hf_style");
    const QString dp = QStringLiteral(KDW_SOURCE_DIR "/tests/fixtures/bert/deeppavlov_style");
    JobRunner runner;
    TeacherPanel panel(&runner);
    panel.setWorkspace(ws);
    std::atomic<bool> onUiThread{false};
    std::atomic<int> calls{0};
    QSemaphore hfGate;  // the check of hf waits until the test lets it go
    QThread* ui = QThread::currentThread();
    panel.setInspector([&](const std::filesystem::path& folder) {
      ++calls;
      if (QThread::currentThread() == ui)
        onUiThread = true;  // waiting for the test here would hang it
      else if (folder.filename() == "hf_style")
        hfGate.tryAcquire(1, 60000);  // a bound, so that a failing test cannot hang
      return kdw::inspect_bert_folder(folder);
    });
    QVERIFY(panel.useBertFolder(hf) > 0);
    QVERIFY2(panel.folderInfoText().startsWith(QStringLiteral("Checking")),
             qPrintable(panel.folderInfoText()));
    QVERIFY(panel.currentBertFolder().isEmpty());
    // Chosen again before the first check has ended: the second choice wins.
    QVERIFY(panel.useBertFolder(dp) > 0);
    QTRY_COMPARE_WITH_TIMEOUT(panel.currentBertFolder(), QFileInfo(dp).absoluteFilePath(), 30000);
    QTRY_VERIFY2_WITH_TIMEOUT(panel.folderInfoText().startsWith(QStringLiteral("deeppavlov")),
                              qPrintable(panel.folderInfoText()), 30000);
    hfGate.release();
    QTRY_COMPARE_WITH_TIMEOUT(runner.lightCount(), 0, 30000);
    QCoreApplication::processEvents();
    QCOMPARE(panel.currentBertFolder(), QFileInfo(dp).absoluteFilePath());
    QVERIFY(panel.folderInfoText().startsWith(QStringLiteral("deeppavlov")));
    QVERIFY(calls >= 3);  // hf, dp, and dp again once selected
    QVERIFY(!onUiThread);
  }

  // A copy that fails (the folder from elsewhere lost its vocabulary after it was chosen) says
  // why, names the file, and leaves files/bert/ as it was.
  void failedCopyLeavesNothing() {
    QTemporaryDir dir;
    const QString ws = dir.filePath(QStringLiteral("ws"));
    QCOMPARE(createWorkspaceLayout(ws), QString());
    const QString source = dir.filePath(QStringLiteral("rubert"));
    QVERIFY(QDir().mkpath(source));
    for (const char* name : {"config.json", "vocab.txt"})
      QVERIFY(QFile::copy(QStringLiteral(KDW_SOURCE_DIR "/resources/demo/bert/") + name,
                          source + '/' + name));
    JobRunner runner;
    TeacherPanel panel(&runner);
    panel.setWorkspace(ws);
    QVERIFY(useFolder(panel, source));
    QVERIFY(QFile::remove(source + QStringLiteral("/vocab.txt")));
    QVERIFY(panel.copyIntoWorkspace() > 0);
    QTRY_COMPARE_WITH_TIMEOUT(panel.copyJob(), 0, 30000);
    QVERIFY2(panel.statusText().contains(QStringLiteral("vocab.txt")),
             qPrintable(panel.statusText()));
    QVERIFY(subfolders(ws + QStringLiteral("/files/bert")).isEmpty());
    QCOMPARE(panel.currentBertFolder(), source);
  }

  // A workspace without any pretrained BERT offers the demo's small BERT from scratch: one
  // click writes its config folder (the demo's own, by the demo's function) and selects it,
  // ready for Start.
  void offersSmallBertFromScratch() {
    QTemporaryDir dir;
    const QString ws = dir.filePath(QStringLiteral("ws"));
    QCOMPARE(createWorkspaceLayout(ws), QString());
    JobRunner runner;
    TeacherPanel panel(&runner);
    panel.setWorkspace(ws);
    QPushButton* start = buttonNamed(&panel, QStringLiteral("Start"));
    QVERIFY(!start->isEnabled());
    bool offered = false;
    for (QLabel* label : panel.findChildren<QLabel*>())
      offered = offered || label->text().contains(QStringLiteral("small BERT from scratch"));
    QVERIFY(offered);
    auto* scratch = panel.findChild<QPushButton*>(QStringLiteral("smallBertButton"));
    QVERIFY(scratch);
    QVERIFY(scratch->isEnabled());
    QVERIFY(!scratch->isHidden());
    scratch->click();
    QTRY_COMPARE_WITH_TIMEOUT(panel.copyJob(), 0, 30000);
    QCOMPARE(panel.currentBertFolder(), QStringLiteral("small_bert"));
    QVERIFY(start->isEnabled());
    const QString folder = ws + QStringLiteral("/files/bert/small_bert");
    QCOMPARE(QDir(folder).entryList(QDir::Files, QDir::Name),
             (QStringList{"config.json", "vocab.txt"}));
    QCOMPARE(bytes(folder + QStringLiteral("/config.json")),
             bytes(QStringLiteral(KDW_SOURCE_DIR "/resources/demo/bert/config.json")));
    QVERIFY2(panel.statusText().contains(QStringLiteral("from scratch")),
             qPrintable(panel.statusText()));
    // A BERT from random weights learns nothing at the pretrained defaults (lr 2e-5, 3 epochs):
    // the form takes the demo teacher's settings (engine/core/demo_recipe.h) and says so.
    const kdw::OptionArgs recipe = kdw::DemoRecipe().finetune;
    QCOMPARE(panel.findChild<QSpinBox*>(QStringLiteral("epochs"))->value(),
             int(std::get<int64_t>(kdw::option_arg(recipe, "epochs"))));
    QCOMPARE(panel.findChild<QSpinBox*>(QStringLiteral("batch_size"))->value(),
             int(std::get<int64_t>(kdw::option_arg(recipe, "batch_size"))));
    QCOMPARE(panel.findChild<QDoubleSpinBox*>(QStringLiteral("lr"))->value(),
             std::get<double>(kdw::option_arg(recipe, "lr")));
    QVERIFY2(panel.statusText().contains(QStringLiteral("demo teacher's settings (Epochs 12")),
             qPrintable(panel.statusText()));
  }
};

QTEST_MAIN(TestTeacherFolders)
#include "test_teacher_folders.moc"
