// `--device cuda` where LibTorch has no CUDA (CI, Debian's LibTorch): every verb that takes it
// stops with one line saying so and exit code 1, before reading or writing anything.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "core/device.h"

namespace {

struct Run {
  int code;
  QString out, err;
};

Run run_kdw(const QStringList& args) {
  QProcess p;
  p.start(QStringLiteral(KDW_BINARY_DIR "/app/kdw/kdw"), args);
  if (!p.waitForFinished(100000)) return {-1, {}, "timeout"};
  return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()),
          QString::fromUtf8(p.readAllStandardError())};
}

}  // namespace

class TestDeviceCli : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void cuda_without_cuda_is_one_line_data() {
    QTest::addColumn<QStringList>("args");
    // Inputs that do not exist: the device is checked first, so they are never looked at.
    QTest::newRow("finetune") << QStringList{"finetune", "--workspace", "WS", "--bert_path",
                                             "WS/bert"};
    QTest::newRow("finetune bf16") << QStringList{
        "finetune", "--workspace", "WS", "--bert_path", "WS/bert", "--precision", "bfloat16"};
    QTest::newRow("logits") << QStringList{"logits", "--workspace", "WS"};
    QTest::newRow("distill") << QStringList{"distill", "--data_path", "WS/data", "--model_type",
                                            "stack_biLSTM"};
    QTest::newRow("distill restore") << QStringList{"distill",
                                                    "--data_path",
                                                    "WS/data",
                                                    "--model_type",
                                                    "stack_LSTM",
                                                    "--restore_model_path",
                                                    "WS/run/model_distill_stack_LSTM.pt"};
    QTest::newRow("compress evaluation")
        << QStringList{"compress", "--restore_path", "WS/run", "--cut_model", "--keep",
                       "1",        "--data_path",    "WS/data"};
  }

  void cuda_without_cuda_is_one_line() {
    QFETCH(QStringList, args);
    QTemporaryDir dir;
    for (QString& a : args) a.replace("WS", dir.path());
    args << "--device"
         << "cuda";
    const Run r = run_kdw(args);
    // The error lines; log lines ("[warning] ...", e.g. a slow-BLAS notice on a loaded
    // machine) are not part of the answer.
    QStringList lines;
    for (const QString& line : r.err.trimmed().split('\n'))
      if (!line.startsWith('[')) lines << line;
    if (kdw::cuda_available()) {
      // On a CUDA machine the same call gets past the device and fails on the missing inputs.
      QVERIFY2(!r.err.contains("no usable CUDA"), qPrintable(r.err));
      QCOMPARE(r.code, 1);
      return;
    }
    QCOMPARE(r.code, 1);
    QCOMPARE(lines.size(), 1);
    QVERIFY2(lines[0].contains("device cuda") && lines[0].contains("no usable CUDA GPU"),
             qPrintable(r.err));
    QVERIFY2(QDir(dir.path()).entryList(QDir::NoDotAndDotDot | QDir::AllEntries).isEmpty(),
             "nothing may be written");
  }
};

QTEST_GUILESS_MAIN(TestDeviceCli)
#include "test_device_cli.moc"
