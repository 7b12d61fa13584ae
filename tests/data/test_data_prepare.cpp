// run_prepare end to end: outputs and their round trip, determinism, train-only vocabulary,
// sentencepiece, Python readability, bad input (one-line errors naming the file), atomicity.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "core/atomic_output.h"
#include "core/error.h"
#include "core/workspace.h"
#include "data/prepare.h"
#include "data/words.h"
#include "data_test_util.h"
#include "formats/ragged.h"
#include "tokenize/wordpiece.h"

namespace fs = std::filesystem;
using kdw::test::folder_contents;
using kdw::test::read_lines;
using kdw::test::write_bytes;

namespace {

const fs::path kBertVocab = fs::path(KDW_SOURCE_DIR) / "resources" / "demo" / "bert" / "vocab.txt";
const char* const kAnimals[] = {"кот", "пёс", "ёж", "лис", "волк", "заяц", "барсук", "енот"};
const char* const kThings[] = {"стол", "стул", "шкаф", "лампа", "окно", "дверь", "полка", "ваза"};

// A CSV of three classes (sport 30, food 24, rare 2) plus an empty text and duplicates.
std::string sample_csv() {
  std::string csv = "id,text,label\n";
  int id = 0;
  auto add = [&](const std::string& text, const std::string& label) {
    csv += std::to_string(id++) + ",\"" + text + "\"," + label + "\n";
  };
  for (int i = 0; i < 30; ++i) {
    add(std::string("Матч ") + kAnimals[i % 8] + " против " + kThings[(i * 3) % 8] + " номер " +
            std::to_string(i) + "!",
        "sport");
  }
  for (int i = 0; i < 24; ++i) {
    add(std::string("Рецепт: ") + kThings[i % 8] + ", " + kAnimals[(i * 5) % 8] + " и соль " +
            std::to_string(i),
        "food");
  }
  add("Матч кот против стол номер 0!", "sport");  // duplicate of row 0
  add("Матч кот против стол номер 0!", "food");   // duplicate with another label
  add("   ", "food");                             // empty after cleaning
  add("редкий класс один", "rare");
  add("редкий класс два", "rare");
  return csv;
}

kdw::PrepareOptions options(const fs::path& input, const fs::path& workspace) {
  kdw::PrepareOptions o;
  o.input = input;
  o.workspace = workspace;
  o.bert_vocab = kBertVocab;
  o.max_seq_len = 12;
  return o;
}

nlohmann::json read_json(const fs::path& path) {
  return nlohmann::json::parse(kdw::read_file(path));
}

template <typename F>
void expect_error(F f, const std::vector<std::string>& parts) {
  try {
    f();
  } catch (const kdw::Error& e) {
    const std::string what = e.what();
    QVERIFY2(what.find('\n') == std::string::npos, what.c_str());
    for (const auto& part : parts) QVERIFY2(what.find(part) != std::string::npos, what.c_str());
    return;
  }
  QFAIL("no kdw::Error thrown");
}

}  // namespace

class TestDataPrepare : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir tmp_;
  fs::path root() const { return fs::path(tmp_.path().toStdString()); }
  fs::path csv_;
  fs::path ws_;  // a complete prepare, made in initTestCase

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(tmp_.isValid());
    csv_ = root() / "in" / "data.csv";
    write_bytes(csv_, sample_csv());
    ws_ = root() / "ws";
    kdw::JobContext job;
    std::set<std::string> stages;
    job.set_progress_sink([&](const kdw::ProgressEvent& e) { stages.insert(e.stage); });
    kdw::run_prepare(options(csv_, ws_), job);
    for (const char* stage : {"read", "clean", "tokens", "bert_data", "write"}) {
      QVERIFY2(stages.count(stage), stage);
    }
  }

  void summary_counts() {
    const kdw::Workspace ws{ws_};
    const auto s = read_json(ws.prepare_file());
    QCOMPARE(s["counts"]["rows_read"].get<int64_t>(), int64_t(59));
    QCOMPARE(s["counts"]["rows_skipped"].get<int64_t>(), int64_t(0));
    QCOMPARE(s["counts"]["dropped_empty"].get<int64_t>(), int64_t(1));
    QCOMPARE(s["counts"]["dropped_duplicate"].get<int64_t>(), int64_t(2));
    QCOMPARE(s["counts"]["duplicate_label_conflicts"].get<int64_t>(), int64_t(1));
    QCOMPARE(s["counts"]["dropped_rare_class"].get<int64_t>(), int64_t(2));
    QCOMPARE(s["counts"]["samples"].get<int64_t>(), int64_t(54));
    QCOMPARE(s["rare_classes"][0]["label"].get<std::string>(), std::string("rare"));
    QCOMPARE(s["format"].get<std::string>(), std::string("csv"));
    QCOMPARE(s["encoding"].get<std::string>(), std::string("utf-8"));
    QCOMPARE(s["seed"].get<uint64_t>(), uint64_t(42));
    QCOMPARE(s["cleaning"]["drop_duplicates"].get<bool>(), true);
    QCOMPARE(s["bert"]["max_seq_len"].get<int>(), 12);
    QCOMPARE(s["bert"]["lower_case"].get<bool>(), false);
    QCOMPARE(s["bert"]["vocab_hash"].get<std::string>(),
             kdw::WordPieceTokenizer(kBertVocab, false).vocab_hash());
    // Labels sorted by name, the same in labels.json.
    const auto labels = read_json(ws.labels_file());
    QCOMPARE(labels, (nlohmann::json{"food", "sport"}));
    QCOMPARE(s["labels"], labels);
    int64_t total = 0;
    for (const char* split : kdw::kSplitNames)
      total += s["splits"][split]["samples"].get<int64_t>();
    QCOMPARE(total, int64_t(54));
    // Stratified 60:20:20: sport 30 -> 18/6/6, food 24 -> 14/5/5.
    QCOMPARE(s["splits"]["train"]["per_class"]["sport"].get<int64_t>(), int64_t(18));
    QCOMPARE(s["splits"]["dev"]["per_class"]["food"].get<int64_t>(), int64_t(5));
    QCOMPARE(s["splits"]["test"]["per_class"]["food"].get<int64_t>(), int64_t(5));
  }

  void tokens_round_trip() {
    const kdw::Workspace ws{ws_};
    const auto vocab = read_lines(ws.tokens_dir() / "vocab.txt");
    QVERIFY(vocab.size() > 10);
    QCOMPARE(vocab[0], std::string("<pad>"));
    QCOMPARE(vocab[1], std::string("<unk>"));
    QCOMPARE(read_json(ws.prepare_file())["vocab_size"].get<std::size_t>(), vocab.size());
    // The input's texts by data row, to check every sample against its source row.
    std::vector<std::string> texts;
    std::vector<std::string> labels;
    {
      kdw::JobContext job;
      const kdw::Table t =
          kdw::read_table(csv_, kdw::TableFormat::kAuto, kdw::TextEncoding::kAuto, job);
      for (const auto& row : t.rows) {
        texts.push_back(row[1]);
        labels.push_back(row[2]);
      }
    }
    const std::vector<std::string> names = {"food", "sport"};
    const kdw::WordPieceTokenizer wp(kBertVocab, false);
    std::set<int64_t> rows_seen;
    std::set<std::string> train_words;
    int64_t max_id = 0;
    for (const char* split : kdw::kSplitNames) {
      const kdw::RaggedSplit r = kdw::read_ragged_split(ws.tokens_dir(), split);
      const kdw::RaggedSplit b = kdw::read_ragged_split(ws.bert_data_dir(), split);
      QCOMPARE(b.rows, r.rows);
      QCOMPARE(b.labels, r.labels);
      for (int64_t i = 0; i < r.size(); ++i) {
        const int64_t row = r.rows[i];
        QVERIFY(rows_seen.insert(row).second);  // a row lands in one split only
        QCOMPARE(names[r.labels[i]], labels[row]);
        std::vector<std::string_view> words;
        kdw::split_words(texts[row], words);
        QCOMPARE(r.length(i), int64_t(words.size()));
        for (int64_t k = 0; k < r.length(i); ++k) {
          const int32_t id = r.ids[r.offsets[i] + k];
          max_id = std::max<int64_t>(max_id, id);
          QVERIFY(id >= 1 && id < int32_t(vocab.size()));
          if (std::string(split) == "train") {
            QCOMPARE(vocab[id], std::string(words[k]));  // every train word is in the vocabulary
            train_words.insert(vocab[id]);
          } else if (id != 1) {
            QCOMPARE(vocab[id], std::string(words[k]));
          }
        }
        QVERIFY(b.length(i) >= 3 && b.length(i) <= 12);
        QCOMPARE(b.ids[b.offsets[i]], wp.cls_id());
        QCOMPARE(b.ids[b.offsets[i + 1] - 1], wp.sep_id());
      }
    }
    QCOMPARE(rows_seen.size(), std::size_t(54));
    // Vocabulary from train only: exactly the train words, max index = |V|.
    QCOMPARE(train_words.size() + 2, vocab.size());
    QCOMPARE(max_id, int64_t(vocab.size()) - 1);
    QVERIFY(!rows_seen.count(54) && !rows_seen.count(55));  // the duplicates were dropped
  }

  void bert_ids_match_tokenizer() {
    const kdw::Workspace ws{ws_};
    const kdw::WordPieceTokenizer wp(kBertVocab, false);
    kdw::JobContext job;
    const kdw::Table t =
        kdw::read_table(csv_, kdw::TableFormat::kAuto, kdw::TextEncoding::kAuto, job);
    const kdw::RaggedSplit b = kdw::read_ragged_split(ws.bert_data_dir(), "dev");
    for (int64_t i = 0; i < b.size(); ++i) {
      const auto want = wp.encode(kdw::clean_text(t.rows[b.rows[i]][1], {}), 12);
      const std::vector<int32_t> got(b.ids.begin() + b.offsets[i],
                                     b.ids.begin() + b.offsets[i + 1]);
      QCOMPARE(got, want);
    }
  }

  void deterministic_in_seed() {
    const fs::path again = root() / "again";
    kdw::JobContext job;
    kdw::run_prepare(options(csv_, again), job);
    const kdw::Workspace a{ws_}, b{again};
    QCOMPARE(folder_contents(b.tokens_dir()), folder_contents(a.tokens_dir()));
    QCOMPARE(folder_contents(b.bert_data_dir()), folder_contents(a.bert_data_dir()));
    auto o = options(csv_, root() / "seed7");
    o.seed = 7;
    kdw::run_prepare(o, job);
    QVERIFY(kdw::test::read_bytes(kdw::Workspace{o.workspace}.tokens_dir() / "train_rows.npy") !=
            kdw::test::read_bytes(a.tokens_dir() / "train_rows.npy"));
  }

  void vocab_limits() {
    auto o = options(csv_, root() / "limits");
    o.bert_vocab.clear();
    o.max_vocab = 5;
    kdw::JobContext job;
    const auto s = kdw::run_prepare(o, job).summary;
    QCOMPARE(s["vocab_size"].get<int64_t>(), int64_t(7));
    QVERIFY(s["bert"].is_null());
    QVERIFY(!fs::exists(kdw::Workspace{o.workspace}.bert_data_dir()));
    const kdw::RaggedSplit r =
        kdw::read_ragged_split(kdw::Workspace{o.workspace}.tokens_dir(), "train");
    for (const int32_t id : r.ids) QVERIFY(id >= 1 && id <= 6);
    QVERIFY(s["splits"]["train"]["unknown_tokens"].get<int64_t>() > 0);
  }

  void sentencepiece_student() {
    auto o = options(csv_, root() / "sp");
    o.student_tokenizer = "sentencepiece";
    o.sp_vocab_size = 60;
    kdw::JobContext job;
    const auto s = kdw::run_prepare(o, job).summary;
    const kdw::Workspace ws{o.workspace};
    QVERIFY(fs::exists(ws.tokens_dir() / "sentencepiece.model"));
    const auto vocab = read_lines(ws.tokens_dir() / "vocab.txt");
    QCOMPARE(vocab.size(), std::size_t(60));
    QCOMPARE(s["vocab_size"].get<int64_t>(), int64_t(60));
    QCOMPARE(vocab[0], std::string("<pad>"));
    QCOMPARE(vocab[1], std::string("<unk>"));
    const kdw::RaggedSplit r = kdw::read_ragged_split(ws.tokens_dir(), "train");
    QVERIFY(r.ids.size() > std::size_t(r.size()));
    for (const int32_t id : r.ids) QVERIFY(id >= 1 && id < 60);
  }

  void numpy_reads_the_files() {
    const kdw::Workspace ws{ws_};
    const QString script =
        "import json, sys, numpy as np\n"
        "d = sys.argv[1]\n"
        "out = {}\n"
        "for sub in ('tokens', 'bert_data'):\n"
        "  for s in ('train', 'dev', 'test'):\n"
        "    ids = np.load(f'{d}/{sub}/{s}_ids.npy'); off = np.load(f'{d}/{sub}/{s}_offsets.npy')\n"
        "    lab = np.load(f'{d}/{sub}/{s}_labels.npy'); rows = "
        "np.load(f'{d}/{sub}/{s}_rows.npy')\n"
        "    assert ids.dtype == np.int32 and off.dtype == np.int64, (ids.dtype, off.dtype)\n"
        "    assert lab.dtype == np.int64 and rows.dtype == np.int64\n"
        "    assert off[0] == 0 and off[-1] == len(ids) and len(off) == len(lab) + 1 == len(rows) "
        "+ 1\n"
        "    out[f'{sub}/{s}'] = [int(len(lab)), int(ids.sum()), int(rows.sum())]\n"
        "print(json.dumps(out))\n";
    QProcess py;
    py.start("/usr/bin/python3", {"-c", script, QString::fromStdString(ws.data_dir().string())});
    QVERIFY(py.waitForFinished(60000));
    QVERIFY2(py.exitCode() == 0, py.readAllStandardError().constData());
    const auto got = nlohmann::json::parse(py.readAllStandardOutput().toStdString());
    for (const char* sub : {"tokens", "bert_data"}) {
      const fs::path dir = ws.data_dir() / sub;
      for (const char* split : kdw::kSplitNames) {
        const kdw::RaggedSplit r = kdw::read_ragged_split(dir, split);
        int64_t id_sum = 0, row_sum = 0;
        for (const int32_t id : r.ids) id_sum += id;
        for (const int64_t row : r.rows) row_sum += row;
        const auto& g = got[std::string(sub) + "/" + split];
        QCOMPARE(g[0].get<int64_t>(), r.size());
        QCOMPARE(g[1].get<int64_t>(), id_sum);
        QCOMPARE(g[2].get<int64_t>(), row_sum);
      }
    }
  }

  void bad_input_errors() {
    const fs::path ws = root() / "bad";
    kdw::JobContext job;
    auto run = [&](const kdw::PrepareOptions& o) { kdw::run_prepare(o, job); };
    expect_error([&] { run(options(root() / "missing.csv", ws)); },
                 {"missing.csv", "no such file"});
    auto o = options(csv_, ws);
    o.text_column = "sentence";
    expect_error([&] { run(o); }, {"data.csv", "no column 'sentence'", "columns: id, text, label"});
    write_bytes(root() / "empty.csv", "");
    expect_error([&] { run(options(root() / "empty.csv", ws)); }, {"empty.csv", "empty"});
    write_bytes(root() / "header.csv", "text,label\n");
    expect_error([&] { run(options(root() / "header.csv", ws)); }, {"header.csv", "no data rows"});
    write_bytes(root() / "junk.csv", "text,label\n\x81\x83\x8A\x9A,a\n");
    expect_error([&] { run(options(root() / "junk.csv", ws)); }, {"junk.csv", "offset 11"});
    write_bytes(root() / "one.csv", "text,label\nа,x\nб,x\nв,x\nг,y\n");
    expect_error([&] { run(options(root() / "one.csv", ws)); },
                 {"one.csv", "only one class ('x')", "fewer than 3"});
    o = options(csv_, ws);
    o.split = {50, 20, 20};
    QVERIFY_THROWS_EXCEPTION(kdw::UsageError, run(o));
    o = options(csv_, ws);
    o.bert_vocab = root() / "no_vocab.txt";
    expect_error([&] { run(o); }, {"no_vocab.txt"});
    write_bytes(root() / "blocker", "a file");
    expect_error([&] { run(options(csv_, root() / "blocker" / "ws")); }, {"blocker"});
    expect_error([&] { run(options(csv_, root() / "blocker")); },
                 {"blocker", "not a workspace folder"});
    QVERIFY(!fs::exists(ws / "files" / "data" / "tokens"));
  }

  void failed_or_cancelled_run_keeps_previous() {
    const fs::path ws = root() / "keep";
    kdw::JobContext job;
    kdw::run_prepare(options(csv_, ws), job);
    const kdw::Workspace w{ws};
    const auto before = folder_contents(w.data_dir());
    // A failing run (one class) and a run cancelled while writing tokens change nothing.
    write_bytes(root() / "one.csv", "text,label\nа,x\nб,x\nв,x\n");
    QVERIFY_THROWS_EXCEPTION(kdw::Error, kdw::run_prepare(options(root() / "one.csv", ws), job));
    kdw::JobContext cancelling;
    cancelling.set_progress_sink([&](const kdw::ProgressEvent& e) {
      if (e.stage == "bert_data") cancelling.request_cancel();
    });
    auto other = options(csv_, ws);
    other.seed = 1;
    QVERIFY_THROWS_EXCEPTION(kdw::Cancelled, kdw::run_prepare(other, cancelling));
    QCOMPARE(folder_contents(w.data_dir()), before);
    // The next complete run replaces it.
    kdw::run_prepare(other, job);
    QVERIFY(folder_contents(w.data_dir()) != before);
  }

  void stats_for_charts() {
    kdw::JobContext job;
    const kdw::Table t =
        kdw::read_table(csv_, kdw::TableFormat::kAuto, kdw::TextEncoding::kAuto, job);
    const kdw::TableStats st = kdw::table_stats(t, 1, 2, 4);
    QCOMPARE(st.class_counts.size(), std::size_t(3));
    QCOMPARE(st.class_counts[0], (std::pair<std::string, int64_t>{"food", 26}));
    QCOMPARE(st.class_counts[1], (std::pair<std::string, int64_t>{"rare", 2}));
    QCOMPARE(st.class_counts[2], (std::pair<std::string, int64_t>{"sport", 31}));
    QCOMPARE(st.length_histogram.size(), std::size_t(4));
    int64_t total = 0;
    for (const int64_t n : st.length_histogram) total += n;
    QCOMPARE(total, int64_t(59));
    QCOMPARE(st.length_bin_width, int64_t(2));  // longest text has 6 words: (6 + 1) / 4 rounded up
  }
};

QTEST_GUILESS_MAIN(TestDataPrepare)
#include "test_data_prepare.moc"
