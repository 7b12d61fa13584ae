// The real `kdw` never replaces what the user did not ask to replace: export writes only into a
// new, empty or its own folder; a second writer of a workspace fails at once naming the holder.
#include <QProcess>
#include <QtTest>

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>
#include <nlohmann/json.hpp>

#include "core/atomic_output.h"
#include "core/workspace.h"
#include "core/workspace_lock.h"
#include "student/student_model.h"
#include "workspace_test_util.h"

namespace fs = std::filesystem;
using kdw::test::leftovers;
using kdw::test::run_kdw;
using kdw::test::snapshot;

namespace {

const QString kBertVocab = QStringLiteral(KDW_FIXTURES_DIR "/bert/vocab.txt");

QString q(const fs::path& p) {
  return QString::fromStdString(p.string());
}

void save_model(const fs::path& file) {
  at::manual_seed(3);
  kdw::StudentModel m(
      kdw::StudentArch::make(kdw::StudentType::kStackLSTM, 30, 5, 4, 1, {"a", "b"}, 0.0));
  kdw::save_student(m, file);
}

std::string vocab_lines(int n) {
  std::string s = "<pad>\n<unk>\n";
  for (int i = 2; i < n; ++i) s += "w" + std::to_string(i) + "\n";
  return s;
}

// State letter of a process from /proc ('T': stopped).
char process_state(qint64 pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), {});
  const auto close = text.rfind(')');
  return close == std::string::npos || close + 2 >= text.size() ? '?' : text[close + 2];
}

}  // namespace

class TestWorkspaceCli : public QObject {
  Q_OBJECT

 private:
  fs::path tmp_;

  QStringList prepare_args(const fs::path& input, const fs::path& ws) {
    return {"prepare",  "--input",       q(input), "--workspace", q(ws), "--bert_vocab",
            kBertVocab, "--max_seq_len", "16",     "--threads",   "1"};
  }

 private Q_SLOTS:
  void init() {
    tmp_ = fs::temp_directory_path() / ("kdw_test_ws_cli_" + std::to_string(::getpid()));
    fs::remove_all(tmp_);
    fs::create_directories(tmp_);
  }
  void cleanup() { fs::remove_all(tmp_); }

  // Issue 11, case 1: export into a workspace, a run folder, a foreign folder or "." deleted
  // everything but its own files.
  void exportRefusesFoldersItDidNotMake() {
    const kdw::Workspace ws{tmp_ / "ws"};
    const fs::path run = ws.root / "2026-01-01___00-00-00";
    const fs::path model = run / "model_distill_stack_LSTM.pt";
    save_model(model);
    kdw::write_file_atomic(run / "result.json", "{}");
    kdw::write_file_atomic(ws.tokens_dir() / "vocab.txt", vocab_lines(30));
    kdw::write_file_atomic(ws.labels_file(), R"(["a", "b"])");
    const fs::path foreign = tmp_ / "foreign";
    kdw::write_file_atomic(foreign / "thesis.txt", "years of work");
    const auto ws_before = snapshot(ws.root), foreign_before = snapshot(foreign);

    for (const fs::path& out : {ws.root, run, foreign}) {
      const auto r = run_kdw({"export", "--model", q(model), "--output", q(out)});
      QVERIFY2(r.code == 1, qPrintable(q(out) + ": " + r.err));
      // One line (the BLAS speed warning of a loaded machine may precede it).
      const QString last = r.err.trimmed().section('\n', -1);
      QVERIFY2(r.err.count("kdw: ") == 1 && last.startsWith("kdw: " + q(out) + ": ") &&
                   last.contains("not made by kdw export"),
               qPrintable(r.err));
    }
    const auto dot = run_kdw({"export", "--model", q(model), "--output", "."}, {}, q(foreign));
    QVERIFY2(dot.code == 1, qPrintable(dot.err));
    QVERIFY(snapshot(ws.root) == ws_before);
    QVERIFY(snapshot(foreign) == foreign_before);

    // A new folder and an empty one are fine; they get the marker.
    const fs::path fresh = tmp_ / "fresh", empty = tmp_ / "empty";
    fs::create_directories(empty);
    for (const fs::path& out : {fresh, empty}) {
      const auto r = run_kdw({"export", "--model", q(model), "--output", q(out)});
      QVERIFY2(r.code == 0, qPrintable(r.err));
      for (const char* f : {"model_distill_stack_LSTM.pt", "config.json", "model.safetensors",
                            "vocab.txt", ".kdw-export"})
        QVERIFY2(fs::is_regular_file(out / f), f);
    }

    // Re-export into its own folder: its files are replaced, the user's are kept, and a file
    // it wrote before but not now (vocab.txt: none next to this model) goes.
    kdw::write_file_atomic(fresh / "notes.txt", "mine");
    const fs::path other = tmp_ / "elsewhere" / "model_distill_stack_LSTM.pt";
    save_model(other);
    const auto again = run_kdw({"export", "--model", q(other), "--output", q(fresh)});
    QVERIFY2(again.code == 0, qPrintable(again.err));
    QCOMPARE(QString::fromStdString(kdw::read_file(fresh / "notes.txt")), QString("mine"));
    QVERIFY(!fs::exists(fresh / "vocab.txt"));
    const auto config = nlohmann::json::parse(kdw::read_file(fresh / "config.json"));
    QVERIFY(config["vocab_file"].is_null());
    const auto marker = nlohmann::json::parse(kdw::read_file(fresh / ".kdw-export"));
    QCOMPARE(marker["files"].size(), std::size_t(3));
    QVERIFY(leftovers(fresh).empty());
  }

  // Issue 11, case 5: two prepares into one workspace both exited 0 and left a mix.
  void secondWriterFailsNamingTheHolder() {
    const fs::path input = tmp_ / "in.csv", ws = tmp_ / "ws";
    kdw::write_file_atomic(input, kdw::test::tiny_csv(60, 1));
    // The first prepare stops at its first commit step, holding the lock.
    QProcess first;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("KDW_FAULT_STOP_AT", "1");
    first.setProcessEnvironment(env);
    first.start(QStringLiteral(KDW_BINARY_DIR "/app/kdw/kdw"), prepare_args(input, ws));
    QVERIFY(first.waitForStarted());
    const qint64 pid = first.processId();
    for (int i = 0; i < 6000 && process_state(pid) != 'T' && first.state() == QProcess::Running;
         ++i)
      QTest::qWait(10);
    QVERIFY2(process_state(pid) == 'T', "the first prepare never reached its first commit step");

    const auto second = run_kdw(prepare_args(input, ws));
    QCOMPARE(second.code, 1);
    QVERIFY2(second.err.contains(q(ws) + ": in use by kdw prepare (pid " + QString::number(pid) +
                                 ") since "),
             qPrintable(second.err));
    QVERIFY(!fs::exists(ws / "files" / "data" / "tokens"));

    // Killed, the holder's lock goes with it; its leftovers are cleaned by the next writer.
    ::kill(pid_t(pid), SIGKILL);
    QVERIFY(first.waitForFinished(60000));
    const auto third = run_kdw(prepare_args(input, ws));
    QVERIFY2(third.code == 0, qPrintable(third.err));
    QVERIFY(fs::is_directory(ws / "files" / "data" / "tokens"));
    const auto left = leftovers(ws);
    QVERIFY2(left.empty(), kdw::test::joined(left).c_str());
  }

  // The GUI runs engine jobs in its own process: a lock it holds keeps the CLI out too.
  void inProcessHolderKeepsCliOut() {
    const fs::path input = tmp_ / "in.csv", ws = tmp_ / "ws";
    kdw::write_file_atomic(input, kdw::test::tiny_csv(60, 1));
    {
      const kdw::WorkspaceLock held(ws, "logits", kdw::WorkspaceLock::Mode::kExclusive, true);
      const auto r = run_kdw(prepare_args(input, ws));
      QCOMPARE(r.code, 1);
      QVERIFY2(r.err.contains("in use by kdw logits (pid " + QString::number(::getpid()) + ")"),
               qPrintable(r.err));
    }
    const auto r = run_kdw(prepare_args(input, ws));
    QVERIFY2(r.code == 0, qPrintable(r.err));
  }
};

QTEST_GUILESS_MAIN(TestWorkspaceCli)
#include "test_workspace_cli.moc"
