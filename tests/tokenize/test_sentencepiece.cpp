// sentencepiece through the dlmopen'ed shim, in a process that also runs LibTorch: the two
// protobuf copies must not meet (see engine/tokenize/sentencepiece.cpp).
#include <ATen/ATen.h>

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include "core/atomic_output.h"
#include "core/error.h"
#include "tokenize/sentencepiece.h"

namespace {

// Russian sentences from the demo data (quoted CSV; a line is good enough as a sentence here).
std::vector<std::string> demo_sentences(size_t count) {
  QFile f(KDW_SOURCE_DIR "/resources/demo/fortunes_ru.csv");
  std::vector<std::string> out;
  if (!f.open(QIODevice::ReadOnly)) return out;
  f.readLine();  // header
  while (!f.atEnd() && out.size() < count) {
    const QByteArray line = f.readLine().trimmed();
    if (line.size() > 10) out.push_back(line.toStdString());
  }
  return out;
}

}  // namespace

class TestSentencePiece : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() {
    // LibTorch is live in this process before sentencepiece is touched.
    const at::Tensor t = at::ones({4, 4}) * 2;
    QCOMPARE(t.sum().item<float>(), 32.0f);
    sentences_ = demo_sentences(1500);
    QVERIFY(sentences_.size() >= 1000);
  }

  void unigram_round_trip() { round_trip("unigram"); }
  void bpe_round_trip() { round_trip("bpe"); }

  void training_is_deterministic() {
    QTemporaryDir dir;
    const kdw::SentencePieceTrainOptions options{"unigram", 300};
    kdw::SentencePieceModel::train(sentences_, dir.filePath("a").toStdString(), options);
    kdw::SentencePieceModel::train(sentences_, dir.filePath("b").toStdString(), options);
    QCOMPARE(kdw::read_file(dir.filePath("a.model").toStdString()),
             kdw::read_file(dir.filePath("b.model").toStdString()));
  }

  void bad_input_gives_errors() {
    QTemporaryDir dir;
    const std::string corrupt = dir.filePath("corrupt.model").toStdString();
    kdw::write_file_atomic(corrupt, "this is not a protobuf \xFF\xFF\xFF\xFF");
    try {
      kdw::SentencePieceModel model(corrupt);
      QFAIL("no error");
    } catch (const kdw::Error& e) {
      QVERIFY2(QString(e.what()).startsWith(QString::fromStdString(corrupt)), e.what());
    }
    QVERIFY_THROWS_EXCEPTION(kdw::Error,
                             kdw::SentencePieceModel(dir.filePath("missing.model").toStdString()));
    QVERIFY_THROWS_EXCEPTION(
        kdw::Error, kdw::SentencePieceModel::train(sentences_, dir.filePath("x").toStdString(),
                                                   {"word2vec", 100}));
    QVERIFY_THROWS_EXCEPTION(
        kdw::Error,
        kdw::SentencePieceModel::train({}, dir.filePath("x").toStdString(), {"unigram", 100}));
    QVERIFY(!QFile::exists(dir.filePath("x.model")));
    // LibTorch still fine after all of this.
    QCOMPARE(at::arange(5).sum().item<int64_t>(), int64_t{10});
  }

 private:
  void round_trip(const std::string& type) {
    QTemporaryDir dir;
    const std::string prefix = dir.filePath("spm").toStdString();
    kdw::SentencePieceModel::train(sentences_, prefix, {type, 400});
    QVERIFY(QFile::exists(dir.filePath("spm.model")));
    QFile vocab(dir.filePath("spm.vocab"));
    QVERIFY(vocab.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = vocab.readAll().split('\n');
    QVERIFY(lines.size() > 100);
    QVERIFY(lines[0].startsWith("<pad>\t"));
    QVERIFY(lines[1].startsWith("<unk>\t"));

    const kdw::SentencePieceModel model(prefix + ".model");
    QVERIFY(model.vocab_size() > 100 && model.vocab_size() <= 400);
    QCOMPARE(model.vocab_size(), static_cast<int32_t>(lines.size() - 1));
    QCOMPARE(model.id_to_piece(0), std::string("<pad>"));
    QCOMPARE(model.id_to_piece(1), std::string("<unk>"));
    QVERIFY_THROWS_EXCEPTION(kdw::Error, model.id_to_piece(model.vocab_size()));
    QVERIFY_THROWS_EXCEPTION(kdw::Error, model.decode({-1}));

    const std::string text = "Женщина - самое могущественное в мире существо";
    const auto ids = model.encode(text);
    const auto pieces = model.pieces(text);
    QCOMPARE(ids.size(), pieces.size());
    QVERIFY(ids.size() > 5);
    for (size_t i = 0; i < ids.size(); ++i) {
      QVERIFY(ids[i] >= 2 && ids[i] < model.vocab_size());  // no padding, and these words are known
      QCOMPARE(model.id_to_piece(ids[i]), pieces[i]);
    }
    QCOMPARE(model.decode(ids), text);
    // The ids feed LibTorch directly.
    const at::Tensor t = at::tensor(at::IntArrayRef(std::vector<int64_t>(ids.begin(), ids.end())));
    QCOMPARE(t.size(0), static_cast<int64_t>(ids.size()));
  }

  std::vector<std::string> sentences_;
};

QTEST_GUILESS_MAIN(TestSentencePiece)
#include "test_sentencepiece.moc"
