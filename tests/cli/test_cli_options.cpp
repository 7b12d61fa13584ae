// How `kdw` reads its options (issue 11, items 4, 7 and 8): NaN and infinity are usage errors,
// a missing value does not swallow the next option, --threads is bounded and taken by every
// verb, bad options write nothing, and the BLAS warning names the library actually loaded.
#include <QProcess>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>

#include <ATen/ATen.h>

#include "../student/synthetic_data.h"
#include "dist/dist_options.h"
#include "student/student_model.h"

namespace fs = std::filesystem;

namespace {

const QString kVocab = KDW_FIXTURES_DIR "/bert/vocab.txt";
// Debian's netlib BLAS (package libblas3, a dependency of LibTorch's).
const QString kReferenceBlas = "/usr/lib/x86_64-linux-gnu/blas/libblas.so.3";

struct Run {
  int code = -1;
  QString out, err;
};

Run run_kdw(const QStringList& args, const QString& preload = {}) {
  QProcess p;
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.remove("LD_PRELOAD");
  if (!preload.isEmpty()) env.insert("LD_PRELOAD", preload);
  p.setProcessEnvironment(env);
  p.start(QStringLiteral(KDW_BINARY_DIR "/app/kdw/kdw"), args);
  Run r;
  if (!p.waitForStarted(10000)) return r;
  p.closeWriteChannel();  // tokenize reads stdin: give it none
  if (!p.waitForFinished(60000)) return r;
  r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
  r.out = QString::fromUtf8(p.readAllStandardOutput());
  r.err = QString::fromUtf8(p.readAllStandardError());
  return r;
}

bool empty_or_missing(const QString& dir) {
  return !fs::exists(dir.toStdString()) || fs::is_empty(dir.toStdString());
}

}  // namespace

class TestCliOptions : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;
  QString data_, runs_, run_;

 private Q_SLOTS:
  void initTestCase() {
    data_ = dir_.filePath("data");
    runs_ = dir_.filePath("runs");
    run_ = dir_.filePath("2026-01-01___00-00-00");
    kdw::testing::write_synthetic_data(data_.toStdString());
    fs::create_directories(run_.toStdString());
    at::manual_seed(3);
    kdw::StudentModel m(
        kdw::StudentArch::make(kdw::StudentType::kStackLSTM, 20, 4, 5, 2, {"neg", "pos"}, 0.0));
    kdw::save_student(m, (fs::path(run_.toStdString()) / "model_distill_stack_LSTM.pt"));
  }

  void nonFiniteNumbersAreUsageErrors() {
    const QStringList distill{"distill",    "--data_path",   data_, "--model_type",
                              "stack_LSTM", "--hidden_size", "4",   "--emb_dim",
                              "4",          "--epochs",      "1",   "--output_dir",
                              runs_};
    for (const auto& [flag, value] : std::vector<std::pair<QString, QString>>{
             {"--dropout", "nan"}, {"--alpha", "NAN"}, {"--lr", "inf"}}) {
      const Run r = run_kdw(distill + QStringList{flag, value});
      QVERIFY2(r.code == 2, qPrintable(flag + " " + value + ": " + r.err));
      QVERIFY2(r.err.contains(flag + ": expected a finite number, got '" + value + "'"),
               qPrintable(r.err));
    }
    QVERIFY(empty_or_missing(runs_));
    // Finite but out of range: the engine's check, naming the field.
    const Run r = run_kdw(distill + QStringList{"--dropout", "1.5"});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("dropout must be a finite number in [0, 1): got 1.5"),
             qPrintable(r.err));
    QVERIFY(empty_or_missing(runs_));
    const Run f = run_kdw({"finetune", "--workspace", dir_.filePath("ws"), "--lr", "inf"});
    QCOMPARE(f.code, 2);
    QVERIFY(!fs::exists(dir_.filePath("ws").toStdString()));
  }

  void aMissingValueDoesNotSwallowTheNextOption() {
    Run r = run_kdw({"compress", "--restore_path", "--cut_model", "--keep", "2"});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("--restore_path needs a value"), qPrintable(r.err));
    r = run_kdw({"tokenize", "--vocab"});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("--vocab needs a value"), qPrintable(r.err));
    // A negative number is still a value (and then refused for what it is).
    r = run_kdw({"compress", "--restore_path", run_, "--cut_model", "--threshold", "-1"});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("threshold must be a finite number >= 0: got -1"), qPrintable(r.err));
    // --name=VALUE takes anything.
    r = run_kdw({"tokenize", "--vocab=--nowhere"});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains("--nowhere"), qPrintable(r.err));
  }

  void threadsAreBoundedAndTakenByEveryVerb() {
    Run r = run_kdw({"tokenize", "--vocab", kVocab, "--threads", "1", "--log_level", "warn"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    for (const QString bad : {"-1", "100000"}) {
      r = run_kdw({"tokenize", "--vocab", kVocab, "--threads", bad});
      QCOMPARE(r.code, 2);
      QVERIFY2(
          r.err.contains("threads must be 0 (all cores) or 1..") && r.err.contains("got " + bad),
          qPrintable(r.err));
    }
    r = run_kdw({"distill", "--help"});
    QCOMPARE(r.code, 0);
    QVERIFY2(r.out.contains("at most 4 per core"), qPrintable(r.out));
  }

  // Every record of the dist table is a flag of each verb that runs as several processes, with
  // the record's help and default, and its range is the one kdw refuses outside of (nproc was an
  // ad hoc flag that accepted 0..1024 beside the GUI's own 1..64).
  void distTableRecordsAreFlagsOfTheDistVerbs() {
    for (const QString verb : {"finetune", "logits", "distill"}) {
      const Run r = run_kdw({verb, "--help"});
      QCOMPARE(r.code, 0);
      for (const kdw::OptionSpec& s : kdw::dist::dist_option_table().specs()) {
        // From the line "  --name" to the next option's line.
        const QString flag = "\n  --" + QString::fromStdString(s.name) + " ";
        const qsizetype at = r.out.indexOf(flag);
        QVERIFY2(at >= 0, qPrintable(verb + ": no " + flag));
        const qsizetype next = r.out.indexOf("\n  --", at + flag.size());
        const QString entry = r.out.mid(at, next < 0 ? -1 : next - at).simplified();
        QVERIFY2(entry.contains(QString::fromStdString(s.help).simplified()), qPrintable(entry));
        QVERIFY2(entry.contains("[default: " +
                                QString::fromStdString(kdw::option_text(s.default_value)) + "]"),
                 qPrintable(entry));
      }
    }
    const kdw::OptionSpec& nproc = kdw::dist::dist_option_table().find("nproc")->spec;
    for (const int64_t bad : {nproc.min - 1, nproc.max + 1}) {
      const Run r = run_kdw({"logits", "--workspace", "nowhere", "--nproc", QString::number(bad)});
      QCOMPARE(r.code, 2);
      QVERIFY2(r.err.contains(QStringLiteral("nproc must be in %1..%2: got %3")
                                  .arg(nproc.min)
                                  .arg(nproc.max)
                                  .arg(bad)),
               qPrintable(r.err));
    }
  }

  void compressChecksOptionsBeforeWriting() {
    const Run r = run_kdw({"compress", "--restore_path", run_, "--cut_model", "--keep", "2",
                           "--data_path", data_, "--batch_size", "0"});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("batch_size"), qPrintable(r.err));
    QVERIFY(!fs::exists(fs::path(run_.toStdString()) / "cut_model_distill_stack_LSTM.pt"));
    QVERIFY(!fs::exists(fs::path(run_.toStdString()) / "cut_report.json"));
  }

  void blasWarningNamesTheLoadedLibrary() {
    // The warning used to come from a 50 ms timing: it fired on a busy machine and on
    // --threads 1. Now only the reference BLAS itself raises it.
    // The system's libblas.so.3 (update-alternatives) decides whether a plain run warns.
    const fs::path system_blas = fs::canonical("/usr/lib/x86_64-linux-gnu/libblas.so.3");
    const bool system_is_reference = system_blas.parent_path().filename() == "blas";
    Run r = run_kdw({"tokenize", "--vocab", kVocab, "--threads", "1"});
    QCOMPARE(r.code, 0);
    QVERIFY2(r.err.contains("reference BLAS") == system_is_reference, qPrintable(r.err));
    QVERIFY2(fs::exists(kReferenceBlas.toStdString()), "libblas3 (netlib) is not installed");
    r = run_kdw({"tokenize", "--vocab", kVocab, "--threads", "1"}, kReferenceBlas);
    QCOMPARE(r.code, 0);
    QVERIFY2(r.err.contains("reference BLAS") && r.err.contains("/blas/libblas.so"),
             qPrintable(r.err));
  }
};

QTEST_GUILESS_MAIN(TestCliOptions)
#include "test_cli_options.moc"
