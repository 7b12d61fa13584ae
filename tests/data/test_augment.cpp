// The augmented transfer set (data/augment.h): ending classes, determinism per seed, copies that
// map back to their source, and each of the three operations on its own.
#include <QtTest>

#include "data/augment.h"
#include "data/vocab.h"

namespace {

// Russian words of two ending classes ("ает", "ами") plus short and non-letter entries.
const std::vector<std::string> kVocab = {"<pad>",  "<unk>",  "читает", "играет", "знает",
                                         "домами", "лесами", "он",     "42",     ","};

kdw::RaggedSplit train_split() {
  kdw::RaggedSplit s;
  s.add({7, 2, 5, 9, 3, 8}, 0, 10);
  s.add({4, 6, 7, 2, 3, 5, 6, 9}, 1, 12);
  s.add({2}, 1, 15);
  s.add({1, 3, 4, 5, 6, 7, 8, 9, 2, 3}, 0, 17);
  return s;
}

}  // namespace

class TestAugment : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void endingClasses() {
    QCOMPARE(kdw::ending_class("читает"), std::string("ает"));
    QCOMPARE(kdw::ending_class("дома"), std::string("ма"));  // 4 code points: last 2
    QCOMPARE(kdw::ending_class("он"), std::string());        // too short
    QCOMPARE(kdw::ending_class("mp3s"), std::string());      // holds a digit
    QCOMPARE(kdw::ending_class("<unk>"), std::string());
    QCOMPARE(kdw::ending_class("hello"), std::string("llo"));
  }

  void deterministicPerSeedAndMapsBack() {
    const kdw::RaggedSplit train = train_split();
    kdw::AugmentOptions o;
    o.copies = 3;
    o.seed = 7;
    const kdw::AugmentedSplit a = kdw::augment_split(train, kVocab, o);
    const kdw::AugmentedSplit b = kdw::augment_split(train, kVocab, o);
    QCOMPARE(a.words.size(), train.size() * 3);
    QCOMPARE(a.words.ids, b.words.ids);
    QCOMPARE(a.words.offsets, b.words.offsets);
    QCOMPARE(a.masked, b.masked);
    QCOMPARE(a.masked.size(), a.words.ids.size());
    for (int64_t j = 0; j < a.words.size(); ++j) {
      const int64_t i = a.source[std::size_t(j)];
      QCOMPARE(i, j / 3);  // copy k of sample i is row i * K + k
      QCOMPARE(a.words.labels[std::size_t(j)], train.labels[std::size_t(i)]);
      QCOMPARE(a.words.rows[std::size_t(j)], train.rows[std::size_t(i)]);
      QVERIFY(a.words.length(j) >= 1 && a.words.length(j) <= train.length(i));
    }
    o.seed = 8;
    const kdw::AugmentedSplit c = kdw::augment_split(train, kVocab, o);
    QVERIFY(c.words.ids != a.words.ids || c.words.offsets != a.words.offsets);
    // The train split itself is left as it was (only copies are made).
    const kdw::RaggedSplit again = train_split();
    QCOMPARE(train.ids, again.ids);
  }

  void zeroProbabilitiesCopyExactly() {
    const kdw::RaggedSplit train = train_split();
    kdw::AugmentOptions o;
    o.copies = 2;
    o.p_mask = o.p_replace = o.p_ngram = 0;
    const kdw::AugmentedSplit a = kdw::augment_split(train, kVocab, o);
    for (int64_t j = 0; j < a.words.size(); ++j) {
      const int64_t i = a.source[std::size_t(j)];
      const std::vector<int32_t> copy(a.words.ids.begin() + a.words.offsets[j],
                                      a.words.ids.begin() + a.words.offsets[j + 1]);
      const std::vector<int32_t> orig(train.ids.begin() + train.offsets[i],
                                      train.ids.begin() + train.offsets[i + 1]);
      QCOMPARE(copy, orig);
    }
  }

  void maskReplaceAndNgramEachAlone() {
    const kdw::RaggedSplit train = train_split();
    kdw::AugmentOptions o;
    o.copies = 4;
    o.p_mask = 1;
    o.p_replace = o.p_ngram = 0;
    kdw::AugmentedSplit a = kdw::augment_split(train, kVocab, o);
    for (std::size_t k = 0; k < a.words.ids.size(); ++k) {
      QCOMPARE(a.words.ids[k], kdw::kUnkId);  // the student sees a mask as <unk>
      QCOMPARE(int(a.masked[k]), 1);
    }
    o.p_mask = 0;
    o.p_replace = 1;
    a = kdw::augment_split(train, kVocab, o);
    for (int64_t j = 0; j < a.words.size(); ++j) {
      const int64_t i = a.source[std::size_t(j)];
      for (int64_t t = 0; t < a.words.length(j); ++t) {
        const int32_t was = train.ids[std::size_t(train.offsets[i] + t)];
        const int32_t now = a.words.ids[std::size_t(a.words.offsets[j] + t)];
        const std::string cls = kdw::ending_class(kVocab[std::size_t(was)]);
        if (cls.empty()) {
          QCOMPARE(now, was);  // no class: never replaced
        } else {
          QVERIFY(now != was);  // always another word of the same class (each has two or more)
          QCOMPARE(kdw::ending_class(kVocab[std::size_t(now)]), cls);
        }
      }
    }
    o.p_replace = 0;
    o.p_ngram = 1;
    o.copies = 20;
    a = kdw::augment_split(train, kVocab, o);
    bool shortened = false;
    for (int64_t j = 0; j < a.words.size(); ++j) {
      const int64_t i = a.source[std::size_t(j)];
      QVERIFY(a.words.length(j) <= std::min<int64_t>(5, train.length(i)));
      shortened |= a.words.length(j) < train.length(i);
      // A contiguous piece of the source.
      const auto src = train.ids.begin() + train.offsets[i];
      const auto src_end = train.ids.begin() + train.offsets[i + 1];
      const auto gram = a.words.ids.begin() + a.words.offsets[j];
      QVERIFY(std::search(src, src_end, gram, gram + a.words.length(j)) != src_end);
    }
    QVERIFY(shortened);
  }
};

QTEST_GUILESS_MAIN(TestAugment)
#include "test_augment.moc"
