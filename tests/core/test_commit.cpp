// Commits across a kill -9 (core/commit.h) and the workspace lock (core/workspace_lock.h),
// in-process: forked children are killed at every commit step (KDW_FAULT_KILL_AT), then the
// next run's recovery must leave all old or all new outputs and no leftovers.
#include <QtTest>

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "core/atomic_output.h"
#include "core/commit.h"
#include "core/error.h"
#include "core/fault.h"
#include "core/workspace.h"
#include "core/workspace_lock.h"
#include "workspace_test_util.h"

namespace fs = std::filesystem;
using kdw::test::joined;
using kdw::test::leftovers;

namespace {

struct ChildEnd {
  bool killed = false;  // by SIGKILL
  int code = -1;        // exit code otherwise
};

// Runs `body` in a forked child with KDW_FAULT_KILL_AT=kill_at (0: none).
ChildEnd run_child(long kill_at, const std::function<int()>& body) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (kill_at > 0) ::setenv("KDW_FAULT_KILL_AT", std::to_string(kill_at).c_str(), 1);
    kdw::reset_fault_points();
    int code = 0;
    try {
      code = body();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "child: %s\n", e.what());
      code = 3;
    }
    ::_exit(code);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ChildEnd end;
  end.killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  end.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return end;
}

std::string slurp(const fs::path& p) {
  std::error_code ec;
  if (!fs::is_regular_file(p, ec)) return "<missing>";
  return kdw::read_file(p);
}

// Outputs of version `tag`: folders a/ and b/, file f.json; "gone" exists only in "old".
void write_version(const fs::path& dir, const std::string& tag) {
  for (const char* sub : {"a", "b"}) kdw::write_file_atomic(dir / sub / "x.txt", tag + sub);
  kdw::write_file_atomic(dir / "f.json", tag);
  if (tag == "old") kdw::write_file_atomic(dir / "gone" / "y.txt", "y");
}

int commit_new(const fs::path& dir) {
  kdw::Commit c(dir);
  for (const char* sub : {"a", "b"})
    kdw::write_file_atomic(c.stage_dir(sub) / "x.txt", std::string("new") + sub);
  kdw::write_file_atomic(c.stage_file("f.json"), "new");
  c.remove("gone");
  c.commit();
  return 0;
}

// "old", "new", or a description of the mix.
std::string version_of(const fs::path& dir) {
  const std::string a = slurp(dir / "a" / "x.txt"), b = slurp(dir / "b" / "x.txt"),
                    f = slurp(dir / "f.json");
  const bool gone = !fs::exists(dir / "gone");
  if (a == "olda" && b == "oldb" && f == "old" && !gone) return "old";
  if (a == "newa" && b == "newb" && f == "new" && gone) return "new";
  return "mix: a=" + a + " b=" + b + " f=" + f + " gone=" + (gone ? "yes" : "no");
}

// A pid that belonged to a process that has ended.
long dead_pid() {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  ::waitpid(pid, nullptr, 0);
  return pid;
}

}  // namespace

class TestCommit : public QObject {
  Q_OBJECT

 private:
  fs::path tmp_;

 private Q_SLOTS:
  void init() {
    tmp_ = fs::temp_directory_path() / ("kdw_test_commit_" + std::to_string(::getpid()));
    fs::remove_all(tmp_);
    fs::create_directories(tmp_);
  }
  void cleanup() { fs::remove_all(tmp_); }

  void commitReplacesAllTogether() {
    write_version(tmp_, "old");
    QCOMPARE(QString::fromStdString(version_of(tmp_)), QString("old"));
    commit_new(tmp_);
    QCOMPARE(QString::fromStdString(version_of(tmp_)), QString("new"));
    QVERIFY(leftovers(tmp_).empty());
    {
      kdw::Commit dropped(tmp_);  // never committed: nothing changes, nothing is left
      kdw::write_file_atomic(dropped.stage_dir("a") / "x.txt", "half");
    }
    QCOMPARE(QString::fromStdString(version_of(tmp_)), QString("new"));
    QVERIFY(leftovers(tmp_).empty());
  }

  // Every commit step, and every step of the recovery after it, is a kill point.
  void killAtEveryStepLeavesOldOrNew() {
    int olds = 0, news = 0, points = 0;
    for (long n = 1;; ++n) {
      const fs::path dir = tmp_ / ("n" + std::to_string(n));
      write_version(dir, "old");
      const ChildEnd end = run_child(n, [&] { return commit_new(dir); });
      if (!end.killed) {
        QCOMPARE(end.code, 0);
        QCOMPARE(QString::fromStdString(version_of(dir)), QString("new"));
        break;
      }
      ++points;
      // A second kill, during the recovery, at each of its steps.
      for (long m = 1;; ++m) {
        const fs::path again = tmp_ / ("n" + std::to_string(n) + "m" + std::to_string(m));
        fs::copy(dir, again, fs::copy_options::recursive);
        const ChildEnd rec = run_child(m, [&] {
          kdw::recover_commits(again);
          return 0;
        });
        kdw::recover_commits(again);
        const std::string v = version_of(again);
        QVERIFY2(v == "old" || v == "new",
                 (std::to_string(n) + "/" + std::to_string(m) + ": " + v).c_str());
        QVERIFY2(leftovers(again).empty(), joined(leftovers(again)).c_str());
        fs::remove_all(again);
        if (!rec.killed) break;
      }
      kdw::recover_commits(dir);
      const std::string v = version_of(dir);
      QVERIFY2(v == "old" || v == "new", (std::to_string(n) + ": " + v).c_str());
      QVERIFY2(leftovers(dir).empty(), joined(leftovers(dir)).c_str());
      (v == "old" ? olds : news)++;
      fs::remove_all(dir);
    }
    // Both sides of the commit point were hit.
    QVERIFY2(points >= 8, std::to_string(points).c_str());
    QVERIFY(olds > 0 && news > 0);
  }

  // The single-folder case (logits/, rubert_finetune/): the folder is never missing.
  void atomicDirectoryNeverMissing() {
    for (long n = 1;; ++n) {
      const fs::path dir = tmp_ / ("d" + std::to_string(n));
      kdw::write_file_atomic(dir / "logits" / "v.txt", "old");
      const ChildEnd end = run_child(n, [&] {
        kdw::AtomicDirectory out(dir / "logits");
        kdw::write_file_atomic(out.staging() / "v.txt", "new");
        out.commit();
        return 0;
      });
      kdw::recover_commits(dir);
      const std::string v = slurp(dir / "logits" / "v.txt");
      QVERIFY2(v == "old" || v == "new", (std::to_string(n) + ": " + v).c_str());
      QVERIFY(leftovers(dir).empty());
      if (!end.killed) break;
    }
  }

  void leftoversOfEndedProcessesAreRemoved() {
    const kdw::Workspace ws{tmp_ / "ws"};
    const std::string dead = std::to_string(dead_pid());
    const std::string alive = std::to_string(::getpid());
    kdw::write_file_atomic(ws.tokens_dir() / "v.txt", "kept");
    for (const fs::path& p :
         {ws.data_dir() / ("tokens.tmp-" + dead), ws.data_dir() / ("tokens.old-" + dead),
          ws.bert_dir() / ("rubert_finetune.tmp-" + dead), ws.data_dir() / ("logits.tmp-" + alive)})
      fs::create_directories(p);
    kdw::write_file_atomic(ws.data_dir() / ("labels.json.tmp-" + dead), "x");
    { const kdw::WorkspaceLock lock(ws.root, "test"); }
    QVERIFY(!fs::exists(ws.data_dir() / ("tokens.tmp-" + dead)));
    QVERIFY(!fs::exists(ws.data_dir() / ("tokens.old-" + dead)));
    QVERIFY(!fs::exists(ws.bert_dir() / ("rubert_finetune.tmp-" + dead)));
    QVERIFY(!fs::exists(ws.data_dir() / ("labels.json.tmp-" + dead)));
    QVERIFY(fs::exists(ws.data_dir() / ("logits.tmp-" + alive)));  // a live writer's
    QCOMPARE(QString::fromStdString(kdw::read_file(ws.tokens_dir() / "v.txt")), QString("kept"));
  }

  void lockNamesHolderAndIsReentrant() {
    const fs::path ws = tmp_ / "ws";
    fs::create_directories(ws);
    const kdw::WorkspaceLock held(ws, "prepare");
    { const kdw::WorkspaceLock again(ws, "finetune"); }  // same process: re-entrant
    // Another process is refused at once, with the holder's name.
    const fs::path message = tmp_ / "message.txt";
    const ChildEnd other = run_child(0, [&] {
      try {
        const kdw::WorkspaceLock lock(ws, "logits");
      } catch (const kdw::Error& e) {
        std::ofstream(message) << e.what();
        return 1;
      }
      return 0;
    });
    QCOMPARE(other.code, 1);
    const QString text = QString::fromStdString(kdw::read_file(message));
    QVERIFY2(text.startsWith(QString::fromStdString(ws.string() + ": in use by kdw prepare (pid " +
                                                    std::to_string(::getpid()) + ") since ")),
             qPrintable(text));
    const ChildEnd shared = run_child(0, [&] {
      const kdw::WorkspaceLock lock(ws, "distill", kdw::WorkspaceLock::Mode::kShared);
      return 0;
    });
    QCOMPARE(shared.code, 3);  // exclusive holder: no shared lock either
  }

  void lockIsReleasedWhenHolderDies() {
    const fs::path ws = tmp_ / "ws";
    fs::create_directories(ws);
    const ChildEnd holder = run_child(0, [&] {
      const kdw::WorkspaceLock lock(ws, "prepare");
      std::raise(SIGKILL);
      return 0;
    });
    QVERIFY(holder.killed);
    const kdw::WorkspaceLock lock(ws, "prepare");  // the kernel released it
  }

  void sharedLocksCoexist() {
    const fs::path ws = tmp_ / "ws";
    fs::create_directories(ws);
    const kdw::WorkspaceLock held(ws, "distill", kdw::WorkspaceLock::Mode::kShared);
    QCOMPARE(run_child(0,
                       [&] {
                         const kdw::WorkspaceLock lock(ws, "distill",
                                                       kdw::WorkspaceLock::Mode::kShared);
                         return 0;
                       })
                 .code,
             0);
    QCOMPARE(run_child(0,
                       [&] {
                         const kdw::WorkspaceLock lock(ws, "prepare");
                         return 0;
                       })
                 .code,
             3);
  }
};

QTEST_GUILESS_MAIN(TestCommit)
#include "test_commit.moc"
