// WordPiece against the reference (pytorch-pretrained-bert 0.6) outputs in tests/fixtures/bert.
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include "core/error.h"
#include "core/hash.h"
#include "tokenize/wordpiece.h"

namespace {

const std::filesystem::path kVocab = std::filesystem::path(KDW_FIXTURES_DIR) / "bert" / "vocab.txt";

void write(const QString& path, const QByteArray& bytes) {
  QFile f(path);
  QVERIFY(f.open(QIODevice::WriteOnly));
  f.write(bytes);
}

QString join(const std::vector<std::string>& v) {
  QStringList out;
  for (const auto& s : v) out << QString::fromStdString(s);
  return out.join(' ');
}

}  // namespace

class TestWordPiece : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void reference_cases() {
    QFile file(QString::fromStdString((kVocab.parent_path() / "tokenizer_cases.jsonl").string()));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const kdw::WordPieceTokenizer cased(kVocab, false);
    const kdw::WordPieceTokenizer lower(kVocab, true);
    int cases = 0, lower_cases = 0, failures = 0;
    while (!file.atEnd()) {
      const QByteArray line = file.readLine().trimmed();
      if (line.isEmpty()) continue;
      const QJsonObject c = QJsonDocument::fromJson(line).object();
      QVERIFY(!c.isEmpty());
      const bool do_lower = c["do_lower_case"].toBool();
      const std::string text = c["text"].toString().toStdString();
      const auto& tok = do_lower ? lower : cased;
      std::vector<std::string> want_tokens;
      for (const auto& t : c["tokens"].toArray()) want_tokens.push_back(t.toString().toStdString());
      std::vector<int32_t> want_ids;
      for (const auto& i : c["ids"].toArray()) want_ids.push_back(i.toInt());
      const auto got_tokens = tok.tokenize(text);
      std::vector<int32_t> got_ids;
      tok.encode_pieces(text, got_ids);
      if (got_tokens != want_tokens || got_ids != want_ids) {
        ++failures;
        qWarning("case %d (lower=%d) %s\n  want: %s\n  got:  %s", cases, do_lower, text.c_str(),
                 qPrintable(join(want_tokens)), qPrintable(join(got_tokens)));
      }
      ++cases;
      lower_cases += do_lower;
    }
    QVERIFY(cases > 600);
    QVERIFY(lower_cases > 0 && lower_cases < cases);
    QCOMPARE(failures, 0);
  }

  void encode_adds_cls_sep_and_truncates() {
    const kdw::WordPieceTokenizer tok(kVocab, true);
    QCOMPARE(tok.id("[CLS]"), 101);
    QCOMPARE(tok.id("[SEP]"), 102);
    QCOMPARE(tok.id("no-such-piece"), 100);
    QCOMPARE(tok.vocab_size(), int64_t{2384});
    QVERIFY(tok.lower_case());
    QCOMPARE(tok.vocab_hash(), kdw::file_hash(kVocab));
    std::vector<int32_t> pieces;
    tok.encode_pieces("Привет, мир! Как дела?", pieces);
    QVERIFY(pieces.size() >= 6);
    const auto full = tok.encode("Привет, мир! Как дела?", 512);
    QCOMPARE(full.size(), pieces.size() + 2);
    QCOMPARE(full.front(), 101);
    QCOMPARE(full.back(), 102);
    const auto cut = tok.encode("Привет, мир! Как дела?", 4);
    QCOMPARE(cut, (std::vector<int32_t>{101, pieces[0], pieces[1], 102}));
    QCOMPARE(tok.encode("", 8), (std::vector<int32_t>{101, 102}));
    QVERIFY_THROWS_EXCEPTION(kdw::Error, tok.encode("x", 1));
    QVERIFY(tok.tokenize("").empty());
    QVERIFY(tok.tokenize(" \t\r\n\xE2\x80\x8B ").empty());
  }

  void invalid_utf8_input_is_dropped_not_fatal() {
    const kdw::WordPieceTokenizer tok(kVocab, false);
    QCOMPARE(tok.tokenize("мир\xFF\xC3"), tok.tokenize("мир"));
    QCOMPARE(tok.tokenize(std::string("ми\0р", 7)), tok.tokenize("мир"));
  }

  void long_word_is_unk() {
    const kdw::WordPieceTokenizer tok(kVocab, true);
    QCOMPARE(tok.tokenize(std::string(100, 'a')).size() > 1, true);
    QCOMPARE(tok.tokenize(std::string(101, 'a')), std::vector<std::string>{"[UNK]"});
  }

  void vocab_with_bom_and_crlf() {
    QTemporaryDir dir;
    const QString path = dir.filePath("vocab.txt");
    write(path, "\xEF\xBB\xBF[PAD]\r\n[UNK]\r\n[CLS]\r\n[SEP]\r\nмир\r\n##а\r\n");
    const kdw::WordPieceTokenizer tok(path.toStdString(), false);
    QCOMPARE(tok.vocab_size(), int64_t{6});
    QCOMPARE(tok.id("[PAD]"), 0);
    QCOMPARE(tok.encode("мира мирб", 16), (std::vector<int32_t>{2, 4, 5, 1, 3}));
  }

  void bad_vocabularies_name_the_file() {
    QTemporaryDir dir;
    auto expect_error = [&](const QByteArray& content, const char* needle) {
      const QString path = dir.filePath("v.txt");
      write(path, content);
      try {
        kdw::WordPieceTokenizer tok(path.toStdString(), true);
        QFAIL("no error");
      } catch (const kdw::Error& e) {
        const QString msg = e.what();
        QVERIFY2(msg.contains(path) && msg.contains(needle), qPrintable(msg));
      }
    };
    expect_error("", "empty");
    expect_error("[UNK]\n[CLS]\nab\n", "[SEP]");
    expect_error("[UNK]\n[CLS]\n[SEP]\n\xFF\xFE\n", "UTF-8");
    const std::string missing = dir.filePath("missing.txt").toStdString();
    try {
      kdw::WordPieceTokenizer tok(missing, true);
      QFAIL("no error");
    } catch (const kdw::Error& e) {
      QVERIFY2(QString(e.what()).contains("missing.txt"), e.what());
    }
  }
};

QTEST_GUILESS_MAIN(TestWordPiece)
#include "test_wordpiece.moc"
