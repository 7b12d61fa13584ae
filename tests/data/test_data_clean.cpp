// Cleaning options, the student word tokenizer, the word vocabulary and the stratified split.
#include <QtTest>

#include <map>
#include <set>

#include "core/error.h"
#include "data/clean.h"
#include "data/prepare.h"
#include "data/split.h"
#include "data/vocab.h"
#include "data/words.h"

namespace {

kdw::CleaningOptions none() {
  kdw::CleaningOptions o;
  o.nfc = o.remove_control = o.collapse_whitespace = false;
  return o;
}

std::vector<std::string> words(const std::string& text) {
  std::vector<std::string_view> views;
  kdw::split_words(text, views);
  return {views.begin(), views.end()};
}

}  // namespace

class TestDataClean : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void nfc_composes() {
    const std::string decomposed = "\xD0\xB8\xCC\x86";  // и + combining breve
    kdw::CleaningOptions o = none();
    QCOMPARE(kdw::clean_text(decomposed, o), decomposed);
    o.nfc = true;
    QCOMPARE(kdw::clean_text(decomposed, o), std::string("й"));
  }

  void control_and_zero_width_removed() {
    const std::string text =
        "a\xE2\x80\x8B"
        "b\x07"
        "c\xC2\xAD"
        "d";  // ZWSP, BEL, soft hyphen
    kdw::CleaningOptions o = none();
    QCOMPARE(kdw::clean_text(text, o), text);
    o.remove_control = true;
    QCOMPARE(kdw::clean_text(text, o), std::string("abcd"));
  }

  void whitespace_collapsed_and_trimmed() {
    const std::string text =
        "  a \t\r\n b\xC2\xA0"
        "c  ";  // NBSP between b and c
    kdw::CleaningOptions o = none();
    QCOMPARE(kdw::clean_text(text, o), text);
    o.collapse_whitespace = true;
    QCOMPARE(kdw::clean_text(text, o), std::string("a b c"));
    QCOMPARE(kdw::clean_text(" \t\n ", o), std::string(""));
  }

  void lower_case_is_unicode() {
    kdw::CleaningOptions o;
    QCOMPARE(kdw::clean_text("ПрИвЕт Ёж", o), std::string("ПрИвЕт Ёж"));
    o.lower = true;
    QCOMPARE(kdw::clean_text("ПрИвЕт Ёж", o), std::string("привет ёж"));
  }

  void masks() {
    const std::string text =
        "См. https://ya.ru/a?b=1, пишите на ivan.petrov@mail.ru: 3,14 и 1000 (www.x.org)";
    kdw::CleaningOptions o;
    QCOMPARE(kdw::clean_text(text, o), text);
    o.mask_urls = true;
    QCOMPARE(kdw::clean_text(text, o),
             std::string("См. <url>, пишите на ivan.petrov@mail.ru: 3,14 и 1000 (<url>)"));
    o.mask_emails = true;
    QCOMPARE(kdw::clean_text(text, o),
             std::string("См. <url>, пишите на <email>: 3,14 и 1000 (<url>)"));
    o.mask_numbers = true;
    QCOMPARE(kdw::clean_text(text, o),
             std::string("См. <url>, пишите на <email>: <num> и <num> (<url>)"));
    // Not e-mails: no domain dot, or a one-letter top level.
    QCOMPARE(kdw::clean_text("a@b x@y.z", o), std::string("a@b x@y.z"));
  }

  void invalid_utf8_becomes_replacement() {
    QCOMPARE(kdw::clean_text("a\xFF"
                             "b",
                             kdw::CleaningOptions{}),
             std::string("a\xEF\xBF\xBD"
                         "b"));
  }

  void word_tokens() {
    QCOMPARE(words("Привет, мир! 3.14 <url> x<num>y ёжик-2"),
             (std::vector<std::string>{"Привет", ",", "мир", "!", "3", ".", "14", "<url>", "x",
                                       "<num>", "y", "ёжик", "-", "2"}));
    QCOMPARE(words("  "), std::vector<std::string>{});
    // Combining marks stay inside their word.
    QCOMPARE(words("и\xCC\x86 x"), (std::vector<std::string>{"и\xCC\x86", "x"}));
  }

  void vocabulary_order_and_limits() {
    const std::string a = "кот", b = "пёс", c = "ёж", d = "зверь";
    std::unordered_map<std::string_view, int64_t> counts{{a, 5}, {b, 2}, {c, 2}, {d, 1}};
    const kdw::WordVocab all = kdw::WordVocab::build(counts, 1, 0);
    // <pad>=0, <unk>=1, then by falling count, ties by byte order.
    QCOMPARE(all.entries()[0], std::string("<pad>"));
    QCOMPARE(all.entries()[1], std::string("<unk>"));
    QCOMPARE(all.entries()[2], a);
    const std::string first_tie = std::min(b, c), second_tie = std::max(b, c);
    QCOMPARE(all.entries()[3], first_tie);
    QCOMPARE(all.entries()[4], second_tie);
    QCOMPARE(all.entries()[5], d);
    QCOMPARE(all.size(), int64_t(6));
    QCOMPARE(all.id(a), 2);
    QCOMPARE(all.id("нет такого"), kdw::kUnkId);
    const kdw::WordVocab frequent = kdw::WordVocab::build(counts, 2, 0);
    QCOMPARE(frequent.size(), int64_t(5));
    QCOMPARE(frequent.id(d), kdw::kUnkId);
    const kdw::WordVocab top = kdw::WordVocab::build(counts, 1, 2);
    QCOMPARE(top.size(), int64_t(4));
    QCOMPARE(top.id(second_tie), kdw::kUnkId);
  }

  void split_parsing() {
    const kdw::SplitRatios r = kdw::parse_split("70:10:20");
    QCOMPARE(r.train, 70);
    QCOMPARE(r.dev, 10);
    QCOMPARE(r.test, 20);
    QCOMPARE(kdw::parse_split("100:0:0").train, 100);
    for (const char* bad :
         {"60:20:10", "60:20", "60:20:20:0", "-10:60:50", "a:b:c", "60::40", "", "60:20:20x"}) {
      QVERIFY_THROWS_EXCEPTION(kdw::UsageError, kdw::parse_split(bad));
    }
  }

  void split_counts_sum_and_cover() {
    for (int64_t n = 0; n < 50; ++n) {
      int64_t c[3];
      kdw::split_counts(n, {60, 20, 20}, c);
      QCOMPARE(c[0] + c[1] + c[2], n);
      if (n >= 3) QVERIFY(c[0] > 0 && c[1] > 0 && c[2] > 0);
    }
    int64_t c[3];
    kdw::split_counts(100, {80, 0, 20}, c);
    QCOMPARE(c[0], int64_t(80));
    QCOMPARE(c[1], int64_t(0));
    QCOMPARE(c[2], int64_t(20));
  }

  void stratified_split_is_stratified_and_deterministic() {
    // Three classes of 100, 50 and 7 samples, interleaved.
    std::vector<int32_t> labels;
    for (int i = 0; i < 100; ++i) labels.push_back(0);
    for (int i = 0; i < 50; ++i) labels.push_back(1);
    for (int i = 0; i < 7; ++i) labels.push_back(2);
    std::reverse(labels.begin() + 60, labels.end());
    const kdw::SplitRatios ratios{60, 20, 20};
    const auto a = kdw::stratified_split(labels, 3, ratios, 42);
    const auto b = kdw::stratified_split(labels, 3, ratios, 42);
    const auto c = kdw::stratified_split(labels, 3, ratios, 43);
    QCOMPARE(a, b);
    QVERIFY(a != c);
    const int64_t sizes[3] = {100, 50, 7};
    for (int label = 0; label < 3; ++label) {
      int64_t got[3] = {0, 0, 0};
      for (std::size_t i = 0; i < labels.size(); ++i) {
        if (labels[i] == label) ++got[a[i]];
      }
      int64_t want[3];
      kdw::split_counts(sizes[label], ratios, want);
      for (int s = 0; s < 3; ++s) QCOMPARE(got[s], want[s]);
    }
    // Not simply the first 60 % of each class in input order.
    int train_in_first = 0;
    for (int i = 0; i < 60; ++i) train_in_first += a[i] == 0;
    QVERIFY(train_in_first < 60);
  }
};

QTEST_GUILESS_MAIN(TestDataClean)
#include "test_data_clean.moc"
