// Which columns hold the text and the label when the user has not said (engine/data/column_guess):
// the Data panel preselects them, `kdw prepare` names them when the given names are absent.
#include <QtTest>

#include "data/column_guess.h"

namespace {

kdw::Table table(std::vector<std::string> columns, std::vector<std::vector<std::string>> rows) {
  kdw::Table t;
  t.columns = std::move(columns);
  t.rows = std::move(rows);
  return t;
}

// An id, a label and a text, in that order, with names that say nothing.
kdw::Table unnamed() {
  std::vector<std::vector<std::string>> rows;
  const char* labels[] = {"спорт", "политика", "спорт", "экономика"};
  for (int i = 0; i < 40; ++i)
    rows.push_back({std::to_string(i + 1), labels[i % 4],
                    "Текст номер " + std::to_string(i) + ", в нём несколько слов подряд."});
  return table({"a", "b", "c"}, rows);
}

}  // namespace

class TestColumnGuess : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void byNameInAnyCaseAndCyrillic() {
    kdw::Table t = unnamed();
    t.columns = {"№", "Категория", "ТЕКСТ"};
    const kdw::ColumnGuess g = kdw::guess_columns(t);
    QCOMPARE(g.text, 2);
    QCOMPARE(g.label, 1);
    t.columns = {"Label", "Text", "id"};
    const kdw::ColumnGuess h = kdw::guess_columns(t);
    QCOMPARE(h.text, 1);
    QCOMPARE(h.label, 0);
  }

  void byContentWhenNamesSayNothing() {
    // Not the first column (an id of numbers), not the per-row-unique one as the label.
    const kdw::ColumnGuess g = kdw::guess_columns(unnamed());
    QCOMPARE(g.text, 2);
    QCOMPARE(g.label, 1);
  }

  void numericLabelsAreLabels() {
    std::vector<std::vector<std::string>> rows;
    for (int i = 0; i < 30; ++i)
      rows.push_back({"отзыв номер " + std::to_string(i) + " про товар", std::to_string(i % 2)});
    const kdw::ColumnGuess g = kdw::guess_columns(table({"x", "y"}, rows));
    QCOMPARE(g.text, 0);
    QCOMPARE(g.label, 1);
  }

  void nameForOneAndContentForTheOther() {
    kdw::Table t = unnamed();
    t.columns = {"id", "b", "text"};
    const kdw::ColumnGuess g = kdw::guess_columns(t);
    QCOMPARE(g.text, 2);
    QCOMPARE(g.label, 1);  // not the id
  }

  void oneColumnHasNoLabel() {
    const kdw::ColumnGuess g = kdw::guess_columns(table({"text"}, {{"один"}, {"два"}}));
    QCOMPARE(g.text, 0);
    QCOMPARE(g.label, -1);
  }

  // Found by fuzz_table: a file whose only column is called "label" is its text, never both.
  void oneColumnCalledLabelIsTheText() {
    const kdw::ColumnGuess g = kdw::guess_columns(table({"label"}, {{"pos"}, {"neg"}}));
    QCOMPARE(g.text, 0);
    QCOMPARE(g.label, -1);
  }

  void emptyTable() {
    const kdw::ColumnGuess g = kdw::guess_columns(kdw::Table{});
    QCOMPARE(g.text, -1);
    QCOMPARE(g.label, -1);
  }
};

QTEST_APPLESS_MAIN(TestColumnGuess)
#include "test_column_guess.moc"
