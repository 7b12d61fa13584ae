// `kdw logits --augment K` end to end on a tiny prepared workspace with a tiny teacher: K copies
// per train sample stored beside the originals and mapping back to them, deterministic per seed,
// dev/test and the prepared tokens untouched; then `kdw distill` trains on them (--augmented
// on/off) and with --emb_from_teacher.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

#include <nlohmann/json.hpp>

#include "core/atomic_output.h"
#include "core/hash.h"
#include "core/json_read.h"
#include "formats/npy.h"
#include "formats/ragged.h"

namespace fs = std::filesystem;

namespace {

struct Run {
  int code;
  QString out, err;
};

Run run_kdw(const QStringList& args) {
  QProcess p;
  p.start(QStringLiteral(KDW_BINARY_DIR "/app/kdw/kdw"), args + QStringList{"--threads", "1"});
  if (!p.waitForFinished(200000)) return {-1, {}, "timeout"};
  return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()),
          QString::fromUtf8(p.readAllStandardError())};
}

#define KDW_OK(args)                                     \
  do {                                                   \
    const Run r_ = run_kdw(args);                        \
    QVERIFY2(r_.code == 0, qPrintable(r_.err + r_.out)); \
  } while (0)

// 60 short Russian texts of two classes, from words that share endings.
void write_csv(const fs::path& file) {
  const char* a[] = {"читает", "играет", "знает", "делает", "думает", "гуляет"};
  const char* b[] = {"домами", "лесами", "полями", "горами", "реками", "садами"};
  std::ofstream out(file);
  out << "text,label\n";
  for (int i = 0; i < 60; ++i) {
    const bool pos = i % 2;
    out << "он " << (pos ? a[i % 6] : b[i % 6]) << " и " << (pos ? a[(i / 2) % 6] : b[(i / 3) % 6])
        << " " << i << "," << (pos ? "pos" : "neg") << "\n";
  }
}

std::string bytes_of(const fs::path& f) {
  return kdw::read_file(f);
}

}  // namespace

class TestAugmentCli : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void augmentThenDistill() {
    QTemporaryDir dir;
    const fs::path root = dir.path().toStdString();
    const QString ws = QString::fromStdString((root / "ws").string());
    write_csv(root / "texts.csv");
    KDW_OK((QStringList{"prepare", "--input", QString::fromStdString((root / "texts.csv").string()),
                        "--workspace", ws, "--bert_vocab",
                        KDW_SOURCE_DIR "/resources/demo/bert/vocab.txt", "--min_freq", "1"}));
    const fs::path bert = root / "ws" / "files" / "bert" / "tiny";
    fs::create_directories(bert);
    fs::copy_file(KDW_SOURCE_DIR "/resources/demo/bert/vocab.txt", bert / "vocab.txt");
    std::ofstream(bert / "config.json")
        << R"({"vocab_size": 2384, "hidden_size": 16, "num_hidden_layers": 1,
               "num_attention_heads": 2, "intermediate_size": 32,
               "max_position_embeddings": 64, "type_vocab_size": 2})";
    KDW_OK((QStringList{"finetune", "--workspace", ws, "--bert_path",
                        QString::fromStdString(bert.string()), "--epochs", "1", "--max_seq_len",
                        "32"}));
    const fs::path data = root / "ws" / "files" / "data";
    const fs::path logits = data / "logits";
    KDW_OK((QStringList{"logits", "--workspace", ws}));
    const std::string plain_dev = bytes_of(logits / "dev.npy"),
                      plain_test = bytes_of(logits / "test.npy"),
                      plain_train = bytes_of(logits / "train.npy");
    const std::string tokens_hash = kdw::file_hash(data / "tokens" / "train_ids.npy");
    QVERIFY(!fs::exists(logits / "train_aug.npy"));

    KDW_OK((QStringList{"logits", "--workspace", ws, "--augment", "2", "--augment_seed", "5"}));
    // Dev and test (and the originals) are never augmented, nor are the prepared tokens touched.
    QCOMPARE(bytes_of(logits / "dev.npy"), plain_dev);
    QCOMPARE(bytes_of(logits / "test.npy"), plain_test);
    QCOMPARE(bytes_of(logits / "train.npy"), plain_train);
    QCOMPARE(kdw::file_hash(data / "tokens" / "train_ids.npy"), tokens_hash);
    for (const char* split : {"dev", "test"})
      QVERIFY(!fs::exists(logits / (std::string(split) + "_aug.npy")));
    const kdw::RaggedSplit train = kdw::read_ragged_split(data / "tokens", "train");
    const kdw::RaggedSplit aug = kdw::read_ragged_split(logits, "train_aug");
    const auto source =
        kdw::read_npy(logits / "train_aug_source.npy", kdw::NpyType::kInt64, 1).values<int64_t>();
    QCOMPARE(aug.size(), 2 * train.size());
    QCOMPARE(int64_t(source.size()), aug.size());
    for (int64_t j = 0; j < aug.size(); ++j) {
      QCOMPARE(aug.labels[j], train.labels[source[j]]);
      QCOMPARE(aug.rows[j], train.rows[source[j]]);
    }
    const kdw::NpyArray aug_logits = kdw::read_npy(logits / "train_aug.npy");
    QCOMPARE(aug_logits.shape, (std::vector<int64_t>{aug.size(), 2}));
    const auto summary = kdw::read_json_file(logits / "logits.json");
    QCOMPARE(summary["augment"]["samples"].get<int64_t>(), aug.size());
    QCOMPARE(summary["augment"]["teacher_mask_token"].get<std::string>(), std::string("[MASK]"));

    // Deterministic per seed: the same seed gives the same copies, another seed others.
    const std::string ids = bytes_of(logits / "train_aug_ids.npy");
    KDW_OK((QStringList{"logits", "--workspace", ws, "--augment", "2", "--augment_seed", "5",
                        "--force"}));
    QCOMPARE(bytes_of(logits / "train_aug_ids.npy"), ids);
    KDW_OK((QStringList{"logits", "--workspace", ws, "--augment", "2", "--augment_seed", "6"}));
    QVERIFY(bytes_of(logits / "train_aug_ids.npy") != ids);

    // The student: augmented rows used by default, not with --augmented=false.
    const QStringList student = {"distill",    "--data_path",   ws,  "--model_type",
                                 "stack_LSTM", "--hidden_size", "4", "--emb_dim",
                                 "6",          "--epochs",      "1", "--batch_size",
                                 "16"};
    const auto newest_config = [&] {
      std::vector<fs::path> runs;
      for (const auto& e : fs::directory_iterator(root / "ws"))
        if (fs::exists(e.path() / "config.json")) runs.push_back(e.path());
      std::sort(runs.begin(), runs.end());
      return kdw::read_json_file(runs.back() / "config.json");
    };
    KDW_OK(student);
    QCOMPARE(newest_config()["augmented_samples"].get<int64_t>(), aug.size());
    KDW_OK(student + QStringList{"--augmented=false"});
    QCOMPARE(newest_config()["augmented_samples"].get<int64_t>(), 0);
    KDW_OK(student + QStringList{"--emb_from_teacher"});
    QVERIFY(newest_config()["emb_from_teacher"].get<bool>());
  }
};

QTEST_GUILESS_MAIN(TestAugmentCli)
#include "test_augment_cli.moc"
