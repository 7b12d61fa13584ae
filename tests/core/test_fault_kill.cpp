// kill -9 during every verb of the real `kdw` (issue 11): at its commit steps (KDW_FAULT_KILL_AT,
// core/fault.h: the steps of the commit window all, earlier ones sampled) and at seeded random
// times. After each kill, and the recovery the next writer runs under the lock: the verb's
// outputs are exactly the previous ones or exactly the new ones (hashes), everything else in the
// workspace is byte-identical, no *.tmp-N / *.old-N / journal is left, and a rerun works.
#include <QElapsedTimer>
#include <QProcess>
#include <QtTest>

#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <random>
#include <set>

#include <nlohmann/json.hpp>

#include "../bert/tiny_bert_folder.h"
#include "core/atomic_output.h"
#include "core/workspace.h"
#include "core/workspace_lock.h"
#include "workspace_test_util.h"

namespace fs = std::filesystem;
using kdw::test::joined;
using kdw::test::KdwRun;
using kdw::test::leftovers;
using kdw::test::run_kdw;
using kdw::test::snapshot;
using Snapshot = std::map<std::string, std::string>;

namespace {

constexpr int kPointsPerVerb = 20;  // kill points per verb: commit steps and random times
constexpr int kCommitWindow = 12;   // the last commit steps of a verb, always all tried
constexpr int kRandomKills = 4;     // kills at random times (seeded), at least
// A rerun after every 8th kill and after the last step's and the last random one: the other kills
// leave states (old or new outputs, no leftovers) that these reruns show to be fine.
constexpr int kRerunEvery = 8;

const fs::path kVocab = fs::path(KDW_FIXTURES_DIR) / "bert" / "vocab.txt";
const char* const kRun = "2026-01-01___00-00-00";

QString q(const fs::path& p) {
  return QString::fromStdString(p.string());
}

using Group = std::vector<std::string>;  // outputs replaced together (paths or prefixes)

struct Scenario {
  const char* verb;
  QStringList args;          // the run that is killed (its outputs differ from base's)
  std::vector<Group> stage;  // what it replaces, relative to the workspace, by commit
  bool new_run = false;      // distill: a new run folder may appear
};

// "a/b" is under "a"; a prefix ending in '*' matches names that start with it.
bool under(const std::string& path, const std::string& prefix) {
  if (!prefix.empty() && prefix.back() == '*')
    return path.rfind(prefix.substr(0, prefix.size() - 1), 0) == 0;
  return path == prefix || path.rfind(prefix + "/", 0) == 0;
}

bool in_stage(const std::string& path, const Scenario& s) {
  for (const Group& g : s.stage)
    for (const std::string& p : g)
      if (under(path, p)) return true;
  return false;
}

void drop_key(nlohmann::json& j, const std::string& key) {
  if (j.is_object()) j.erase(key);
  if (j.is_structured())
    for (auto& v : j) drop_key(v, key);
}

// A file's hash without what depends on timing: metrics.jsonl (speeds) counts by its presence,
// cut_report.json without its latencies.
std::string normalized(const fs::path& root, const std::string& path, const std::string& hash) {
  const std::string name = fs::path(path).filename().string();
  if (name == "metrics.jsonl") return "";
  if (name != "cut_report.json") return hash;
  auto j = nlohmann::json::parse(kdw::read_file(root / path));
  drop_key(j, "latency_ms_per_sample");
  return j.dump();
}

// The outputs of each commit of the verb.
std::vector<Snapshot> stage_of(const fs::path& root, const Scenario& s) {
  std::vector<Snapshot> out(s.stage.size());
  for (const auto& [path, hash] : snapshot(root)) {
    for (std::size_t g = 0; g < s.stage.size(); ++g)
      for (const std::string& p : s.stage[g])
        if (under(path, p)) out[g][path] = normalized(root, path, hash);
  }
  return out;
}

// Everything else: must never change.
Snapshot rest_of(const fs::path& root, const Scenario& s, const Snapshot& base) {
  Snapshot out;
  for (const auto& [path, hash] : snapshot(root)) {
    if (fs::path(path).filename() == ".kdw.lock") continue;
    if (in_stage(path, s)) continue;
    const std::string top = path.substr(0, path.find('/'));
    if (s.new_run && kdw::is_run_folder_name(top) && !base.count(path) && top != kRun) continue;
    out[path] = hash;
  }
  return out;
}

std::string differences(const Snapshot& a, const Snapshot& b) {
  std::string out;
  for (const auto& [k, v] : a)
    if (!b.count(k) || b.at(k) != v) out += k + " ";
  for (const auto& [k, v] : b)
    if (!a.count(k)) out += "+" + k + " ";
  return out;
}

void copy_tree(const fs::path& from, const fs::path& to) {
  fs::remove_all(to);
  fs::copy(from, to, fs::copy_options::recursive);
}

}  // namespace

class TestFaultKill : public QObject {
  Q_OBJECT

 private:
  fs::path tmp_, base_, work_, input_;

  // The base workspace's run (variant 0) or the killed one (1), whose outputs differ.
  QStringList verb_args(const QString& verb, int variant) const {
    const QString ws = q(work_), seed = QString::number(variant == 0 ? 1 : 7);
    auto words = [](const QString& text) { return text.split(' ', Qt::SkipEmptyParts); };
    if (verb == "prepare")
      return words("prepare --max_seq_len 16 --threads 1 --seed " + seed) +
             QStringList{"--input", q(input_), "--workspace", ws, "--bert_vocab", q(kVocab)};
    if (verb == "finetune")
      return words(
                 "finetune --epochs 1 --batch_size 16 --max_seq_len 16 --lr 0.01 --threads 1 "
                 "--seed " +
                 seed) +
             QStringList{"--workspace", ws, "--bert_path", q(work_ / "files" / "bert" / "tiny")};
    if (verb == "logits")
      return words("logits --force --batch_size 32 --threads 1") + QStringList{"--workspace", ws};
    if (verb == "distill")
      return words(
                 "distill --model_type stack_biLSTM --hidden_size 6 --emb_dim 5 --epochs 1 "
                 "--batch_size 16 --threads 1 --seed " +
                 seed) +
             QStringList{"--data_path", ws};
    return words(QString("compress --show_weight --cut_model --threads 1 --keep ") +
                 (variant == 0 ? "4" : "2")) +
           QStringList{"--restore_path", q(work_ / kRun), "--data_path", ws};
  }

  void must(const KdwRun& r, const QStringList& args) {
    if (r.code != 0)
      QFAIL(qPrintable(args.join(' ') + " -> " + QString::number(r.code) + ": " + r.err));
  }

  // Kills `s` at commit step `point` (0: at a random time, `delay_ms`), recovers, checks.
  void kill_and_check(const Scenario& s, const Snapshot& base, const std::vector<Snapshot>& before,
                      const std::vector<Snapshot>& after, long point, int delay_ms, bool rerun) {
    copy_tree(base_, work_);
    const QString what =
        QString("%1 killed at %2")
            .arg(s.verb)
            .arg(point > 0 ? "step " + QString::number(point) : QString::number(delay_ms) + " ms");
    if (point > 0) {
      const KdwRun r = run_kdw(s.args, {"KDW_FAULT_KILL_AT=" + QString::number(point)});
      QVERIFY2(r.code == -9, qPrintable(what + ": not killed: " + r.err));
    } else {
      QProcess p;
      p.start(QStringLiteral(KDW_BINARY_DIR "/app/kdw/kdw"), s.args);
      QVERIFY(p.waitForStarted());
      if (!p.waitForFinished(delay_ms)) {
        const qint64 pid = p.processId();  // 0 once it ended: kill(0) would hit this test
        if (pid > 0) ::kill(pid_t(pid), SIGKILL);
        p.waitForFinished(60000);
      }
    }
    // The next writer's start, in-process: takes the lock, completes or rolls back.
    { const kdw::WorkspaceLock lock(work_, "test"); }
    const auto left = leftovers(work_);
    QVERIFY2(left.empty(), qPrintable(what + ": left " + QString::fromStdString(joined(left))));
    const std::vector<Snapshot> stage = stage_of(work_, s);
    for (std::size_t g = 0; g < stage.size(); ++g)
      QVERIFY2(stage[g] == before[g] || stage[g] == after[g],
               qPrintable(what +
                          ": a mix: " + QString::fromStdString(differences(before[g], stage[g]))));
    const Snapshot rest = rest_of(work_, s, base);
    const Snapshot base_rest = rest_of(base_, s, base);
    QVERIFY2(rest == base_rest, qPrintable(what + ": changed " +
                                           QString::fromStdString(differences(base_rest, rest))));
    if (!rerun) return;
    must(run_kdw(s.args), s.args);
    QVERIFY2(stage_of(work_, s) == after, qPrintable(what + ": rerun differs"));
    QVERIFY(leftovers(work_).empty());
  }

  void run_scenario(const char* verb, std::vector<Group> stage, bool new_run = false) {
    const Scenario s{verb, verb_args(verb, 1), std::move(stage), new_run};
    const Snapshot base = snapshot(base_);
    const std::vector<Snapshot> before = stage_of(base_, s);
    // The clean run: its outputs, its duration and its number of commit steps.
    copy_tree(base_, work_);
    QElapsedTimer timer;
    timer.start();
    const KdwRun clean = run_kdw(s.args, {"KDW_FAULT_KILL_AT=1000000000"});
    const qint64 duration = timer.elapsed();
    must(clean, s.args);
    const std::vector<Snapshot> after = stage_of(work_, s);
    if (!s.new_run) QVERIFY2(after != before, "the killed run must change the outputs");
    const int at = clean.err.lastIndexOf("kdw fault points: ");
    QVERIFY2(at >= 0, qPrintable(clean.err));
    const long steps = clean.err.mid(at + 18).section('\n', 0, 0).toLong();
    QVERIFY(steps > 0);

    // Every step of the commit window, the earlier ones evenly sampled, then random times.
    std::set<long> points;
    for (long n = std::max(1L, steps - kCommitWindow + 1); n <= steps; ++n) points.insert(n);
    const long sampled = std::max<long>(kPointsPerVerb - kRandomKills - long(points.size()), 0);
    for (long k = 1; k <= sampled && steps > kCommitWindow; ++k)
      points.insert(std::max(1L, k * (steps - kCommitWindow) / (sampled + 1)));
    int done = 0;
    for (const long n : points) {
      kill_and_check(s, base, before, after, n, 0, ++done % kRerunEvery == 0 || n == steps);
      if (QTest::currentTestFailed()) return;
    }
    std::mt19937 rng(11);
    const int randoms = std::max<int>(kRandomKills, kPointsPerVerb - int(points.size()));
    for (int k = 0; k < randoms; ++k) {
      kill_and_check(s, base, before, after, 0, int(rng() % std::max<qint64>(duration, 1)),
                     ++done % kRerunEvery == 0 || k + 1 == randoms);
      if (QTest::currentTestFailed()) return;
    }
    qInfo("%s: %ld commit steps, %zu tried, %d random kills", verb, steps, points.size(), randoms);
  }

 private Q_SLOTS:
  // A whole tiny workspace: prepared data, a fine-tuned 1-layer BERT, logits, a student run
  // and its cut. Each verb is then killed against a copy of it.
  void initTestCase() {
    tmp_ = fs::temp_directory_path() / ("kdw_test_fault_" + std::to_string(::getpid()));
    fs::remove_all(tmp_);
    base_ = tmp_ / "base";
    work_ = tmp_ / "work";
    input_ = tmp_ / "input.csv";
    kdw::write_file_atomic(input_, kdw::test::tiny_csv(90, 3));
    kdw::test::write_tiny_bert_folder(work_ / "files" / "bert" / "tiny", kVocab);
    for (const char* verb : {"prepare", "finetune", "logits"})
      must(run_kdw(verb_args(verb, 0)), verb_args(verb, 0));
    must(run_kdw(verb_args("distill", 0)), verb_args("distill", 0));
    std::vector<fs::path> runs = kdw::list_run_folders(work_);
    QCOMPARE(runs.size(), std::size_t(1));
    fs::rename(runs[0], work_ / kRun);  // a fixed name: reports hold paths
    must(run_kdw(verb_args("compress", 0)), verb_args("compress", 0));
    // Marks in the previous outputs, so that a mix of old and new folders shows.
    const kdw::Workspace ws{work_};
    for (const fs::path& dir :
         {ws.tokens_dir(), ws.bert_data_dir(), ws.logits_dir(), ws.finetune_dir()})
      kdw::write_file_atomic(dir / "previous.txt", "previous");
    fs::remove(work_ / ".kdw.lock");
    fs::rename(work_, base_);
  }
  void cleanupTestCase() { fs::remove_all(tmp_); }

  void prepare() {
    run_scenario("prepare", {{"files/data/tokens", "files/data/bert_data", "files/data/labels.json",
                              "files/data/prepare.json"}});
  }
  void finetune() { run_scenario("finetune", {{"files/bert/rubert_finetune"}}); }
  void logits() { run_scenario("logits", {{"files/data/logits"}}); }
  void distill() { run_scenario("distill", {}, true); }
  void compress() {
    const std::string run = kRun;
    run_scenario("compress",
                 {{run + "/weight_*", run + "/component_norms.png"},
                  {run + "/cut_model_distill_stack_biLSTM.pt", run + "/cut_report.json"}});
  }
};

QTEST_GUILESS_MAIN(TestFaultKill)
#include "test_fault_kill.moc"
