// `kdw prepare` as a user runs it: the demo data, and bad input that must fail with a one-line
// message naming the file while an earlier prepare stays as it was.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include "core/atomic_output.h"
#include "core/workspace.h"
#include "data_test_util.h"
#include "formats/ragged.h"

namespace fs = std::filesystem;

namespace {

const QString kKdw = QStringLiteral(KDW_BINARY_DIR "/app/kdw/kdw");
const QString kDemo = QStringLiteral(KDW_SOURCE_DIR "/resources/demo/fortunes_ru.csv");
const QString kVocab = QStringLiteral(KDW_SOURCE_DIR "/resources/demo/bert/vocab.txt");

struct Run {
  int code = -1;
  QString out, err;
};

Run run_kdw(const QStringList& args) {
  QProcess p;
  p.start(kKdw, QStringList{"prepare"} + args + QStringList{"--threads", "1"});
  Run r;
  if (!p.waitForFinished(90000)) return r;
  r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
  r.out = QString::fromUtf8(p.readAllStandardOutput());
  r.err = QString::fromUtf8(p.readAllStandardError());
  return r;
}

// The last non-empty stderr line: the error message.
QString last_line(const QString& err) {
  const QStringList lines = err.split('\n', Qt::SkipEmptyParts);
  return lines.isEmpty() ? QString() : lines.last();
}

}  // namespace

class TestCliPrepare : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir tmp_;
  QString ws_;

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(tmp_.isValid());
    QVERIFY2(QFile::exists(kKdw), qPrintable(kKdw));
    ws_ = tmp_.filePath("ws");
  }

  // (Not "demo_data": QtTest would take a *_data slot for a data table and never run it.)
  void prepares_demo_file() {
    const Run r = run_kdw({"--input", kDemo, "--workspace", ws_, "--bert_vocab", kVocab});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains("train:"), qPrintable(r.out));
    QVERIFY(r.out.contains("student vocabulary"));
    const kdw::Workspace ws{ws_.toStdString()};
    const auto summary = nlohmann::json::parse(kdw::read_file(ws.prepare_file()));
    const auto labels = nlohmann::json::parse(kdw::read_file(ws.labels_file()));
    QVERIFY(labels.size() >= 2);
    int64_t total = 0;
    for (const char* split : kdw::kSplitNames) {
      const kdw::RaggedSplit t = kdw::read_ragged_split(ws.tokens_dir(), split);
      const kdw::RaggedSplit b = kdw::read_ragged_split(ws.bert_data_dir(), split);
      QCOMPARE(t.size(), summary["splits"][split]["samples"].get<int64_t>());
      QCOMPARE(b.rows, t.rows);
      for (const int64_t l : t.labels) QVERIFY(l >= 0 && l < int64_t(labels.size()));
      total += t.size();
    }
    QCOMPARE(total, summary["counts"]["samples"].get<int64_t>());
    QVERIFY(total > 1000);
    // The summary printed names the counts of the written summary.
    QVERIFY(r.out.contains(QString("samples %1").arg(total)));
  }

  void bad_input_fails_and_keeps_previous() {
    const kdw::Workspace ws{ws_.toStdString()};
    QVERIFY(fs::exists(ws.prepare_file()));
    const auto before = kdw::test::folder_contents(ws.data_dir());
    const QString bad = tmp_.filePath("bad.csv");
    kdw::test::write_bytes(bad.toStdString(), "text,label\nодин,x\nдва,x\nтри,x\n");
    const QString junk = tmp_.filePath("junk.csv");
    kdw::test::write_bytes(junk.toStdString(), "text,label\n\x81\x83\x8A\x9A,a\n");
    const QString vocab = tmp_.filePath("missing_vocab.txt");
    // A JSONL value nested 200,000 deep crashed `kdw prepare` with SIGSEGV.
    const QString deep = tmp_.filePath("deep.jsonl");
    kdw::test::write_bytes(deep.toStdString(), "{\"text\": " + std::string(200000, '[') +
                                                   std::string(200000, ']') +
                                                   ", \"label\": \"a\"}\n");
    // Columns with other names: the error names the one that looks like the text.
    const QString named = tmp_.filePath("named.tsv");
    kdw::test::write_bytes(named.toStdString(),
                           "№\tКатегория\tТекст\n1\tспорт\tматч окончился вничью\n"
                           "2\tполитика\tвыборы пройдут весной\n");
    const QString folder = tmp_.filePath("a_folder.txt");
    QVERIFY(QDir().mkpath(folder));
    struct Case {
      QStringList args;
      QString names;
      int code;
    };
    const std::vector<Case> cases = {
        {{"--input", tmp_.filePath("nope.csv")}, "nope.csv", 1},
        {{"--input", kDemo, "--text_column", "sentence"}, "fortunes_ru.csv", 1},
        {{"--input", bad}, "bad.csv", 1},
        {{"--input", junk}, "junk.csv", 1},
        {{"--input", kDemo, "--bert_vocab", vocab}, "missing_vocab.txt", 1},
        {{"--input", deep}, "deep.jsonl", 1},
        {{"--input", named},
         "named.tsv: no column 'text' (columns: №, Категория, Текст); `Текст` looks like it: "
         "set text_column to it",
         1},
        {{"--input", kDemo, "--bert_vocab", folder}, "a_folder.txt: is a folder", 1},
        {{"--input", kDemo, "--split", "60:30:20"}, "split '60:30:20'", 2},
    };
    for (const Case& c : cases) {
      const Run r = run_kdw(c.args + QStringList{"--workspace", ws_});
      QVERIFY2(r.code == c.code,
               qPrintable(c.args.join(' ') + ": exit " + QString::number(r.code)));
      const QString message = last_line(r.err);
      QVERIFY2(message.contains(c.names), qPrintable(message));
    }
    QCOMPARE(kdw::test::folder_contents(ws.data_dir()), before);
    // Missing required option: a usage error.
    QCOMPARE(run_kdw({"--workspace", ws_}).code, 2);
  }
};

QTEST_GUILESS_MAIN(TestCliPrepare)
#include "test_cli_prepare.moc"
