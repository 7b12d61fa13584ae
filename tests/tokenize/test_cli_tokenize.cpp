// kdw tokenize, run as a process on lines of the reference fixture.
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QtTest>

namespace {

const QString kKdw = KDW_BINARY_DIR "/app/kdw/kdw";
const QString kVocab = KDW_FIXTURES_DIR "/bert/vocab.txt";

struct Result {
  int code = -1;
  QByteArray out, err;
};

Result run(const QStringList& args, const QByteArray& input) {
  QProcess p;
  p.start(kKdw, args);
  Result r;
  if (!p.waitForStarted(10000)) return r;
  p.write(input);
  p.closeWriteChannel();
  p.waitForFinished(30000);
  r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
  r.out = p.readAllStandardOutput();
  r.err = p.readAllStandardError();
  return r;
}

}  // namespace

class TestCliTokenize : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() {
    QFile f(KDW_FIXTURES_DIR "/bert/tokenizer_cases.jsonl");
    QVERIFY(f.open(QIODevice::ReadOnly));
    // Single-line texts of both modes (the CLI reads one text per line).
    while (!f.atEnd()) {
      const QJsonObject c = QJsonDocument::fromJson(f.readLine()).object();
      const QString text = c["text"].toString();
      if (text.contains('\n') || text.contains('\r') || text.contains(QChar(0x2028)) ||
          text.contains(QChar(0x2029)) || text.contains(QChar(0x85)) || text.contains(QChar(0)))
        continue;
      auto& cases = c["do_lower_case"].toBool() ? lower_ : cased_;
      if (cases.size() < 20) cases.push_back(c);
    }
    QCOMPARE(cased_.size(), 20);
    QCOMPARE(lower_.size(), 20);
  }

  void tokens_and_ids_match_reference() {
    for (const bool lower : {false, true}) {
      const auto& cases = lower ? lower_ : cased_;
      QByteArray input, want_tokens, want_ids;
      for (const auto& c : cases) {
        input += c["text"].toString().toUtf8() + "\n";
        QStringList tokens, ids;
        for (const auto& t : c["tokens"].toArray()) tokens << t.toString();
        for (const auto& i : c["ids"].toArray()) ids << QString::number(i.toInt());
        want_tokens += tokens.join(' ').toUtf8() + "\n";
        want_ids += ids.join(' ').toUtf8() + "\n";
      }
      QStringList args{"tokenize", "--vocab", kVocab};
      if (lower) args << "--lower";
      const Result pieces = run(args, input);
      QCOMPARE(pieces.code, 0);
      QCOMPARE(pieces.out, want_tokens);
      const Result ids = run(args + QStringList{"--ids"}, input);
      QCOMPARE(ids.code, 0);
      QCOMPARE(ids.out, want_ids);
    }
  }

  void max_seq_len_adds_cls_sep() {
    const Result r =
        run({"tokenize", "--vocab", kVocab, "--ids", "--max_seq_len", "4"}, "Привет, мир!\n\n");
    QCOMPARE(r.code, 0);
    const QList<QByteArray> lines = r.out.split('\n');
    QCOMPARE(lines.size(), 3);
    const QList<QByteArray> first = lines[0].split(' ');
    QCOMPARE(first.size(), 4);
    QCOMPARE(first.front(), QByteArray("101"));
    QCOMPARE(first.back(), QByteArray("102"));
    QCOMPARE(lines[1], QByteArray("101 102"));
  }

  void errors_exit_non_zero() {
    const Result missing = run({"tokenize", "--vocab", "/nonexistent/vocab.txt"}, "x\n");
    QCOMPARE(missing.code, 1);
    QVERIFY2(missing.err.contains("/nonexistent/vocab.txt"), missing.err.constData());
    QCOMPARE(run({"tokenize"}, "").code, 2);
    QCOMPARE(run({"tokenize", "--vocab", kVocab, "--max_seq_len", "1"}, "").code, 2);
  }

 private:
  QList<QJsonObject> cased_, lower_;
};

QTEST_GUILESS_MAIN(TestCliTokenize)
#include "test_cli_tokenize.moc"
