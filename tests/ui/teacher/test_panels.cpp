// The Data, Teacher and Logits panels on a workspace that already holds their outputs: a small
// workspace is prepared, a small teacher fine-tuned and its logits stored through the engine (the
// same functions as kdw prepare / finetune / logits), then each panel must show what is there.
// Also: their options survive a QSettings round trip, and at 1280x820 the charts get the height
// their axes need.
#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

#include <QThread>

#include <algorithm>
#include <atomic>
#include <filesystem>

#include "bert/finetune.h"
#include "bert/logits.h"
#include "core/job.h"
#include "data/prepare.h"
#include "ui/common/live_chart.h"
#include "ui/common/replace_question.h"
#include "ui/common/workspace_state.h"
#include "ui/data/data_panel.h"
#include "ui/data/table_model.h"
#include "ui/jobs/job_runner.h"
#include "ui/logits/logits_panel.h"
#include "ui/shell/main_window.h"
#include "ui/teacher/teacher_panel.h"

#include "../next_dialog.h"

namespace {
QJsonObject readJson(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return {};
  return QJsonDocument::fromJson(f.readAll()).object();
}

// 90 rows, three topics, in columns that are not the defaults (the panel must pick them again).
void writeCsv(const QString& path) {
  const char* const words[3][5] = {{"мяч", "гол", "матч", "команда", "тренер"},
                                   {"закон", "выборы", "партия", "министр", "власть"},
                                   {"фильм", "актёр", "режиссёр", "сцена", "роль"}};
  const char* const topics[3] = {"sport", "politics", "cinema"};
  QFile f(path);
  QVERIFY(f.open(QIODevice::WriteOnly));
  f.write("id,phrase,topic\n");
  for (int i = 0; i < 90; ++i) {
    const int t = i % 3;
    QString text =
        QStringLiteral("%1 и %2 это %3 номер %4")
            .arg(QString::fromUtf8(words[t][i % 5]), QString::fromUtf8(words[t][(i / 3) % 5]),
                 QString::fromUtf8(words[(t + 1) % 3][i % 5]))
            .arg(i);
    f.write(QStringLiteral("%1,\"%2\",%3\n").arg(i).arg(text, QLatin1String(topics[t])).toUtf8());
  }
}

std::filesystem::path path(const QString& p) {
  return std::filesystem::path(p.toStdString());
}
}  // namespace

class TestPanels : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  QString ws_, csv_;

 private Q_SLOTS:
  // The workspace every test reads: prepare -> fine-tune (2 epochs) -> logits.
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
    QVERIFY(dir_.isValid());
    ws_ = dir_.filePath(QStringLiteral("ws"));
    csv_ = dir_.filePath(QStringLiteral("topics.csv"));
    writeCsv(csv_);
    QCOMPARE(createWorkspaceLayout(ws_), QString());
    const QString demo = QStringLiteral(KDW_SOURCE_DIR "/resources/demo/bert");
    kdw::JobContext job;
    kdw::PrepareOptions p;
    p.input = path(csv_);
    p.workspace = path(ws_);
    p.text_column = "phrase";
    p.label_column = "topic";
    p.bert_vocab = path(demo + QStringLiteral("/vocab.txt"));
    kdw::run_prepare(p, job);
    const QString bert = ws_ + QStringLiteral("/files/bert/demo_bert");
    QVERIFY(QDir().mkpath(bert));
    for (const char* name : {"config.json", "vocab.txt"})
      QVERIFY(QFile::copy(demo + QLatin1Char('/') + QLatin1String(name),
                          bert + QLatin1Char('/') + QLatin1String(name)));
    kdw::FinetuneOptions f;
    f.workspace = path(ws_);
    f.bert_path = path(bert);
    f.epochs = 2;
    f.batch_size = 8;
    f.lr = 5e-4;
    f.log_every = 1;
    kdw::run_finetune(f, job);
    kdw::LogitsOptions l;
    l.workspace = path(ws_);
    kdw::run_logits(l, job);
  }

  void dataPanelShowsPreparedDataAndLoadsItsInput() {
    const QJsonObject prepared = readJson(ws_ + QStringLiteral("/files/data/prepare.json"));
    QVERIFY(!prepared.isEmpty());
    JobRunner runner;
    DataPanel panel(&runner);
    panel.setWorkspace(ws_);
    QCOMPARE(panel.preparedSummary(), prepared);
    QVERIFY(panel.showingPrepared());
    // Rows: the labels in index order, then the total; columns: train, dev, test, all.
    const QJsonArray labels = prepared.value("labels").toArray();
    QCOMPARE(labels.size(), 3);
    const QJsonObject splits = prepared.value("splits").toObject();
    qint64 total = 0;
    const QStringList names = {"train", "dev", "test"};
    for (int c = 0; c < 3; ++c) {
      const QJsonObject s = splits.value(names[c]).toObject();
      QCOMPARE(panel.preparedCell(3, c), QString::number(s.value("samples").toInteger()));
      total += s.value("samples").toInteger();
      for (int r = 0; r < 3; ++r) {
        const qint64 n = s.value("per_class").toObject().value(labels[r].toString()).toInteger();
        QVERIFY(n > 0);
        QCOMPARE(panel.preparedCell(r, c), QString::number(n));
      }
    }
    QCOMPARE(total, 90);
    QCOMPARE(panel.preparedCell(3, 3), QStringLiteral("90"));
    // The input named in prepare.json is loaded, with the columns that were used.
    QTRY_COMPARE_WITH_TIMEOUT(panel.model()->rowCount(), 90, 20000);
    QCOMPARE(panel.textColumn(), QStringLiteral("phrase"));
    QCOMPARE(panel.labelColumn(), QStringLiteral("topic"));

    // Without the input file the summary still shows, and nothing is loaded.
    QTemporaryDir other;
    QVERIFY(QDir().mkpath(other.filePath("files/data")));
    QJsonObject moved = prepared;
    moved.insert("input", other.filePath("gone.csv"));
    QFile f(other.filePath("files/data/prepare.json"));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QJsonDocument(moved).toJson());
    f.close();
    DataPanel second(&runner);
    second.setWorkspace(other.path());
    QCOMPARE(second.preparedCell(3, 3), QStringLiteral("90"));
    QTest::qWait(200);
    QCOMPARE(second.model()->rowCount(), 0);
  }

  // A file of one's own whose columns are not called text/label: the text and the label are
  // preselected (engine guess_columns), not the first column (an id) as the text.
  void dataPanelPicksTextAndLabelColumnsOfOwnFile() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("мои_тексты.tsv"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QStringLiteral("№\tКатегория\tТекст\n").toUtf8());
    const QStringList topics = {QStringLiteral("спорт"), QStringLiteral("политика")};
    for (int i = 0; i < 20; ++i)
      f.write(QStringLiteral("%1\t%2\tвторой текст номер %1 о чём-нибудь важном\n")
                  .arg(i)
                  .arg(topics[i % 2])
                  .toUtf8());
    f.close();
    JobRunner runner;
    DataPanel panel(&runner);
    panel.setWorkspace(dir.filePath(QStringLiteral("ws")));
    panel.loadFile(path);
    QTRY_COMPARE_WITH_TIMEOUT(panel.model()->rowCount(), 20, 20000);
    QCOMPARE(panel.textColumn(), QStringLiteral("Текст"));
    QCOMPARE(panel.labelColumn(), QStringLiteral("Категория"));
  }

  void teacherPanelShowsFinetunedTeacher() {
    const QString dir = ws_ + QStringLiteral("/files/bert/rubert_finetune");
    const QJsonObject summary = readJson(dir + QStringLiteral("/finetune.json"));
    QVERIFY(!summary.isEmpty());
    int steps = 0, epochs = 0;
    QFile metrics(dir + QStringLiteral("/metrics.jsonl"));
    QVERIFY(metrics.open(QIODevice::ReadOnly));
    while (!metrics.atEnd()) {
      const QJsonObject r = QJsonDocument::fromJson(metrics.readLine()).object();
      steps += r.value("kind") == QStringLiteral("step");
      epochs += r.value("kind") == QStringLiteral("epoch") && r.contains("dev");
    }
    QVERIFY(steps > 2);
    QCOMPARE(epochs, 2);

    JobRunner runner;
    TeacherPanel panel(&runner);
    panel.setWorkspace(ws_);
    QCOMPARE(panel.lossChart()->pointCount(0), steps);
    QCOMPARE(panel.devChart()->pointCount(0), 2);  // accuracy per epoch
    QCOMPARE(panel.devChart()->pointCount(1), 2);  // macro-F1 per epoch
    panel.lossChart()->redraw();
    QCOMPARE(panel.lossChart()->drawnCount(0), steps);
    // Best epoch: confusion matrix (true x predicted) + precision, recall, F1 columns.
    const QJsonObject dev = summary.value("best").toObject().value("dev").toObject();
    QTableWidget* table = panel.resultsTable();
    QCOMPARE(table->rowCount(), 3);
    QCOMPARE(table->columnCount(), 6);
    QCOMPARE(table->verticalHeaderItem(0)->text(),
             summary.value("labels").toArray().at(0).toString());
    qint64 sum = 0;
    const QJsonArray confusion = dev.value("confusion").toArray();
    for (int g = 0; g < 3; ++g)
      for (int p = 0; p < 3; ++p) {
        QCOMPARE(table->item(g, p)->text(), QString::number(confusion[g].toArray()[p].toInteger()));
        sum += table->item(g, p)->text().toLongLong();
      }
    QCOMPARE(sum, dev.value("samples").toInteger());
    QCOMPARE(table->item(1, 5)->text(),
             QString::number(dev.value("f1").toArray()[1].toDouble(), 'f', 3));
    QVERIFY(panel.devSummary().contains(QString::number(dev.value("accuracy").toDouble(), 'f', 4)));
    // The form shows how this teacher was trained (initTestCase's options, every one recorded
    // in finetune.json through the option table), and says so.
    QCOMPARE(summary.value("options").toObject().value("max_seq_len").toInt(), 128);
    QCOMPARE(panel.findChild<QSpinBox*>("epochs")->value(), 2);
    QCOMPARE(panel.findChild<QSpinBox*>("batch_size")->value(), 8);
    QCOMPARE(panel.findChild<QDoubleSpinBox*>("lr")->value(), 5e-4);
    QVERIFY(panel.settingsNote()->isVisibleTo(&panel));
    QCOMPARE(panel.settingsNote()->text(), QStringLiteral("The fine-tuned teacher's settings"));
  }

  // A workspace copied from elsewhere whose teacher's notes are of an earlier version
  // (max_seq_len beside the options, the seed not recorded): the form takes what is recorded,
  // the folder the teacher started from is chosen, and the note says what was not recorded.
  // An edit is said too, and the note's link shows the teacher's settings again.
  void teacherFormShowsTheTeachersSettings() {
    QTemporaryDir dir;
    const QString ws = dir.filePath(QStringLiteral("ws"));
    QCOMPARE(createWorkspaceLayout(ws), QString());
    for (const char* folder : {"a_other", "demo_bert"}) {
      const QString bert = ws + QStringLiteral("/files/bert/") + QLatin1String(folder);
      QVERIFY(QDir().mkpath(bert));
      for (const char* name : {"config.json", "vocab.txt"})
        QVERIFY(QFile::copy(QStringLiteral(KDW_SOURCE_DIR "/resources/demo/bert/") + name,
                            bert + QLatin1Char('/') + QLatin1String(name)));
    }
    QFile notes(ws + QStringLiteral("/files/bert/rubert_finetune/finetune.json"));
    QVERIFY(QDir().mkpath(QFileInfo(notes).path()));
    QVERIFY(notes.open(QIODevice::WriteOnly));
    notes.write(R"({"bert_path":"/elsewhere/ws/files/bert/demo_bert","from_scratch":true,)"
                R"("labels":["a","b"],"max_seq_len":64,"best":{"epoch":1,"dev":{}},)"
                R"("options":{"epochs":12,"lr":0.0005,"batch_size":16,"warmup":0.2,)"
                R"("weight_decay":0.01,"grad_accum":2,"max_grad_norm":1.0,)"
                R"("early_stopping":3,"precision":"bfloat16"}})");
    notes.close();
    JobRunner runner;
    TeacherPanel panel(&runner);
    panel.findChild<QSpinBox*>("seed")->setValue(7);  // as from the saved settings
    panel.setWorkspace(ws);
    QCOMPARE(panel.currentBertFolder(), QStringLiteral("demo_bert"));
    QCOMPARE(panel.findChild<QSpinBox*>("epochs")->value(), 12);
    QCOMPARE(panel.findChild<QDoubleSpinBox*>("lr")->value(), 5e-4);
    QCOMPARE(panel.findChild<QSpinBox*>("batch_size")->value(), 16);
    QCOMPARE(panel.findChild<QSpinBox*>("max_seq_len")->value(), 64);
    QCOMPARE(panel.findChild<QDoubleSpinBox*>("warmup")->value(), 0.2);
    QCOMPARE(panel.findChild<QSpinBox*>("grad_accum")->value(), 2);
    QCOMPARE(panel.findChild<QSpinBox*>("early_stopping")->value(), 3);
    QCOMPARE(panel.findChild<QComboBox*>("precision")->currentText(), QStringLiteral("bfloat16"));
    QCOMPARE(panel.findChild<QSpinBox*>("seed")->value(), 42);  // not recorded: the default
    QLabel* note = panel.settingsNote();
    QVERIFY(note->isVisibleTo(&panel));
    QCOMPARE(note->text(), QStringLiteral("The teacher's settings (1 not recorded)"));
    QVERIFY2(note->toolTip().contains(QStringLiteral("at their defaults: Seed")),
             qPrintable(note->toolTip()));
    // The folder's check caps max_seq_len at its 128 positions: the teacher's 64 stays.
    QTRY_VERIFY(panel.folderInfoText().contains(QStringLiteral("no weights")));
    QCOMPARE(panel.findChild<QSpinBox*>("max_seq_len")->value(), 64);

    panel.findChild<QDoubleSpinBox*>("lr")->setValue(1e-4);
    panel.findChild<QSpinBox*>("epochs")->setValue(4);
    QVERIFY2(note->text().startsWith(QStringLiteral("Not the teacher's settings")),
             qPrintable(note->text()));
    QVERIFY2(note->toolTip().contains(QStringLiteral("Epochs 12, Learning rate 0.0005")),
             qPrintable(note->toolTip()));
    Q_EMIT note->linkActivated(QStringLiteral("teacher"));
    QCOMPARE(panel.findChild<QDoubleSpinBox*>("lr")->value(), 5e-4);
    QCOMPARE(panel.findChild<QSpinBox*>("epochs")->value(), 12);
    QCOMPARE(note->text(), QStringLiteral("The teacher's settings (1 not recorded)"));
  }

  // Live curves from a fine-tune started in the panel equal what is then read back from disk.
  // Own data to the end: a BERT folder outside the workspace, checked by the engine's loader,
  // fine-tuned in place; a folder that is not one is refused with the reason.
  void teacherUsesBertFolderFromElsewhere() {
    QTemporaryDir dir;
    const QString ws = dir.filePath(QStringLiteral("empty"));
    QCOMPARE(createWorkspaceLayout(ws), QString());
    JobRunner runner;
    TeacherPanel panel(&runner);
    panel.setWorkspace(ws);
    auto startEnabled = [&panel] {
      for (QPushButton* b : panel.findChildren<QPushButton*>())
        if (b->text() == QStringLiteral("Start")) return b->isEnabled();
      return false;
    };
    QVERIFY(!startEnabled());
    QVERIFY(panel.currentBertFolder().isEmpty());
    QVERIFY(panel.useBertFolder(dir.path()) > 0);  // no config.json, no vocab: refused
    QTRY_VERIFY2_WITH_TIMEOUT(panel.folderInfoText().startsWith(QStringLiteral("Not a BERT")),
                              qPrintable(panel.folderInfoText()), 30000);
    QVERIFY(panel.currentBertFolder().isEmpty());
    QVERIFY(!startEnabled());
    const QString hf = QStringLiteral(KDW_SOURCE_DIR "/tests/fixtures/bert/hf_style");
    QVERIFY(panel.useBertFolder(hf) > 0);
    QTRY_COMPARE_WITH_TIMEOUT(panel.currentBertFolder(), QFileInfo(hf).absoluteFilePath(), 30000);
    QVERIFY(startEnabled());
    // Another workspace does not inherit the folder chosen for this one.
    const QString other = dir.filePath(QStringLiteral("other"));
    QCOMPARE(createWorkspaceLayout(other), QString());
    panel.setWorkspace(other);
    QVERIFY(panel.currentBertFolder().isEmpty());
  }

  void teacherLiveCurvesMatchTheSavedRun() {
    QTemporaryDir copy;
    const QString ws = copy.filePath("ws");
    QVERIFY(QDir().mkpath(ws + "/files/bert/demo_bert"));
    for (const QString& sub : {QStringLiteral("files/data/bert_data")}) {
      QVERIFY(QDir().mkpath(ws + '/' + sub));
      for (const QString& f : QDir(ws_ + '/' + sub).entryList(QDir::Files))
        QVERIFY(QFile::copy(ws_ + '/' + sub + '/' + f, ws + '/' + sub + '/' + f));
    }
    for (const char* f : {"files/data/labels.json", "files/data/prepare.json",
                          "files/bert/demo_bert/config.json", "files/bert/demo_bert/vocab.txt"})
      QVERIFY(QFile::copy(ws_ + '/' + QLatin1String(f), ws + '/' + QLatin1String(f)));
    JobRunner runner;
    runner.setDeliveryInterval(10);
    // Connected before the panel: sees the curves as they were drawn live, before the panel
    // re-reads the saved run when the job has finished.
    bool finished = false;
    int liveSteps = -1, liveEpochs = -1;
    TeacherPanel* livePanel = nullptr;
    int job = 0;  // the fine-tune's (the panel also runs light jobs: checking the BERT folder)
    connect(&runner, &JobRunner::finished, this, [&](int id, const JobResult&) {
      if (id != job) return;
      liveSteps = livePanel->lossChart()->pointCount(0);
      liveEpochs = livePanel->devChart()->pointCount(0);
      finished = true;
    });
    TeacherPanel live(&runner);
    livePanel = &live;
    live.setWorkspace(ws);
    QCOMPARE(live.lossChart()->pointCount(0), 0);  // nothing fine-tuned there yet
    live.findChild<QSpinBox*>("epochs")->setValue(2);
    live.findChild<QSpinBox*>("batch_size")->setValue(8);
    live.findChild<QDoubleSpinBox*>("lr")->setValue(5e-4);
    live.findChild<QSpinBox*>("seed")->setValue(9);
    QString failure;
    connect(&runner, &JobRunner::failed, this, [&](int id, const QString& m) {
      if (id == job) failure = m;
    });
    job = live.start();
    QVERIFY(job > 0);
    live.findChild<QSpinBox*>("epochs")->setValue(5);
    QTRY_VERIFY_WITH_TIMEOUT(finished || !failure.isEmpty(), 60000);
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
    QCOMPARE(liveEpochs, 2);
    QVERIFY(liveSteps > 0);
    QCOMPARE(live.lossChart()->pointCount(0), liveSteps);
    TeacherPanel reread(&runner);
    reread.setWorkspace(ws);
    QCOMPARE(reread.lossChart()->pointCount(0), liveSteps);
    QCOMPARE(reread.devSummary(), live.devSummary());
    // Both forms show the finished teacher's settings and say so: an edit made while it
    // trained (the epochs) is not what it was trained with.
    for (TeacherPanel* panel : {&live, &reread}) {
      QCOMPARE(panel->findChild<QSpinBox*>("epochs")->value(), 2);
      QCOMPARE(panel->findChild<QSpinBox*>("batch_size")->value(), 8);
      QCOMPARE(panel->findChild<QSpinBox*>("seed")->value(), 9);
      QCOMPARE(panel->settingsNote()->text(), QStringLiteral("The fine-tuned teacher's settings"));
    }

    // Stopped before its first epoch ended: the teacher is still the one above. The form keeps
    // the stopped run's settings (Resume continues it with them) and says they are not the
    // teacher's, naming the teacher's.
    live.findChild<QSpinBox*>("seed")->setValue(5);
    QVERIFY(live.settingsNote()->text().startsWith(QStringLiteral("Not the teacher's settings")));
    finished = false;
    bool stopped = false;
    connect(&runner, &JobRunner::cancelled, this, [&](int id) { stopped = stopped || id == job; });
    kdw::test::clickInNextDialog(this, kReplaceButton);
    job = live.start();
    QVERIFY(job > 0);
    runner.cancel(job);
    QTRY_VERIFY_WITH_TIMEOUT(stopped, 60000);
    QVERIFY(!finished);
    QCOMPARE(live.findChild<QSpinBox*>("seed")->value(), 5);
    QLabel* note = live.settingsNote();
    QVERIFY(note->isVisibleTo(&live));
    QVERIFY2(note->text().startsWith(QStringLiteral("Not the teacher's settings")),
             qPrintable(note->text()));
    QVERIFY2(note->toolTip().contains(QStringLiteral("Seed 9")), qPrintable(note->toolTip()));
  }

  void logitsPanelShowsStoredLogits() {
    const QJsonObject summary = readJson(ws_ + QStringLiteral("/files/data/logits/logits.json"));
    QVERIFY(!summary.isEmpty());
    JobRunner runner;
    LogitsPanel panel(&runner);
    panel.setWorkspace(ws_);
    QTableWidget* table = panel.splitsTable();
    QCOMPARE(table->rowCount(), 3);
    int samples = 0;
    for (int r = 0; r < 3; ++r) {
      const QJsonObject s =
          summary.value("splits").toObject().value(table->item(r, 0)->text()).toObject();
      QVERIFY(!s.isEmpty());
      QCOMPARE(table->item(r, 1)->text(), QString::number(s.value("samples").toInt()));
      QCOMPARE(table->item(r, 2)->text(), QString::number(s.value("accuracy").toDouble(), 'f', 4));
      samples += s.value("samples").toInt();
    }
    QCOMPARE(samples, 90);
    // The histograms are computed beside the job queue, even while a long job runs.
    std::atomic<bool> release{false};
    runner.submit("long", [&](kdw::JobContext&) {
      while (!release) QThread::msleep(5);
      return nlohmann::json::object();
    });
    LogitsPanel busy(&runner);
    busy.setWorkspace(ws_);
    for (LogitsPanel* p : {&panel, &busy}) {
      QTRY_COMPARE_WITH_TIMEOUT(p->confidenceChart()->barCount(), 20, 20000);
      QCOMPARE(p->valuesChart()->barCount(), 30);
      QCOMPARE(p->confidenceChart()->axisLabels(),
               (QStringList{"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"}));
      // Logit ticks: evenly spaced round values, written with the decimals they need.
      const QStringList ticks = p->valuesChart()->axisLabels();
      QVERIFY(ticks.size() >= 3);
      for (int i = 2; i < ticks.size(); ++i)
        QCOMPARE(ticks[i].toDouble() - ticks[i - 1].toDouble(),
                 ticks[1].toDouble() - ticks[0].toDouble());
    }
    QVERIFY(runner.isBusy());
    release = true;
    QTRY_VERIFY_WITH_TIMEOUT(!runner.isBusy(), 10000);
  }

  void teacherAndLogitsOptionsPersist() {
    JobRunner runner;
    {
      TeacherPanel teacher(&runner);
      LogitsPanel logits(&runner);
      teacher.findChild<QSpinBox*>("epochs")->setValue(7);
      teacher.findChild<QDoubleSpinBox*>("lr")->setValue(3e-4);
      teacher.findChild<QSpinBox*>("batch_size")->setValue(12);
      teacher.findChild<QSpinBox*>("max_seq_len")->setValue(96);
      teacher.findChild<QDoubleSpinBox*>("warmup")->setValue(0.2);
      teacher.findChild<QSpinBox*>("early_stopping")->setValue(3);
      teacher.findChild<QComboBox*>("precision")->setCurrentText("bfloat16");
      logits.findChild<QComboBox*>("precision")->setCurrentText("bfloat16");
      logits.batchSizeBox()->setValue(200);
      logits.forceBox()->setChecked(true);
      QSettings settings;
      teacher.saveSettings(settings);
      logits.saveSettings(settings);
    }
    TeacherPanel teacher(&runner);
    LogitsPanel logits(&runner);
    QCOMPARE(teacher.findChild<QSpinBox*>("epochs")->value(), 3);  // defaults before loading
    QCOMPARE(teacher.findChild<QComboBox*>("precision")->currentText(), QString("float32"));
    QSettings settings;
    teacher.loadSettings(settings);
    logits.loadSettings(settings);
    QCOMPARE(teacher.findChild<QSpinBox*>("epochs")->value(), 7);
    QCOMPARE(teacher.findChild<QDoubleSpinBox*>("lr")->value(), 3e-4);
    QCOMPARE(teacher.findChild<QSpinBox*>("batch_size")->value(), 12);
    QCOMPARE(teacher.findChild<QSpinBox*>("max_seq_len")->value(), 96);
    QCOMPARE(teacher.findChild<QDoubleSpinBox*>("warmup")->value(), 0.2);
    QCOMPARE(teacher.findChild<QSpinBox*>("early_stopping")->value(), 3);
    QCOMPARE(teacher.findChild<QComboBox*>("precision")->currentText(), QString("bfloat16"));
    QCOMPARE(logits.findChild<QComboBox*>("precision")->currentText(), QString("bfloat16"));
    QCOMPARE(logits.batchSizeBox()->value(), 200);
    QVERIFY(logits.forceBox()->isChecked());
    QSettings().clear();
  }

  // In the default 1280x820 window the charts of Teacher, Logits and Data get a plot area tall
  // enough for readable axes (QtCharts elides tick labels to "..." when it is too small; the
  // Teacher charts had a 51 px high plot area before their layout was fixed).
  void chartsGetRealHeightAt1280x820() {
    QSettings().clear();
    MainWindow window;
    window.resize(1280, 820);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(window.openWorkspace(ws_));
    for (MainWindow::Panel p : {MainWindow::Teacher, MainWindow::Logits, MainWindow::Data}) {
      window.showPanel(p);
      QCOMPARE(window.currentPanel(), int(p));
      // Laid out through the event loop, however long a loaded machine takes for it (the bound
      // only ends the wait); the checks below say what stayed too small.
      (void)QTest::qWaitFor(
          [&] {
            const auto views = window.panelWidget(p)->findChildren<QChartView*>();
            return views.size() >= 2 && std::all_of(views.begin(), views.end(), [](auto* view) {
                     const QRectF plot = view->chart()->plotArea();
                     return plot.height() >= 100 && plot.width() >= 200;
                   });
          },
          20000);
      const auto views = window.panelWidget(p)->findChildren<QChartView*>();
      QVERIFY(views.size() >= 2);
      for (QChartView* view : views) {
        const QRectF plot = view->chart()->plotArea();
        QVERIFY2(plot.height() >= 100 && plot.width() >= 200,
                 qPrintable(QStringLiteral("panel %1: plot area %2 x %3 in a %4 x %5 view")
                                .arg(p)
                                .arg(plot.width())
                                .arg(plot.height())
                                .arg(view->width())
                                .arg(view->height())));
      }
    }
  }
};

QTEST_MAIN(TestPanels)
#include "test_panels.moc"
