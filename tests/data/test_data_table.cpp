// Reading tables: CSV (RFC 4180) edge cases, TSV, JSONL, encodings, bad rows and bad files.
#include <QTemporaryDir>
#include <QtTest>

#include "core/error.h"
#include "data/table.h"
#include "data_test_util.h"

namespace fs = std::filesystem;
using kdw::test::write_bytes;

namespace {

kdw::Table read(const fs::path& path, kdw::TableFormat format = kdw::TableFormat::kAuto,
                kdw::TextEncoding encoding = kdw::TextEncoding::kAuto) {
  kdw::JobContext job;
  return kdw::read_table(path, format, encoding, job);
}

// Runs `f`, expecting a kdw::Error whose one-line message contains every part.
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

class TestDataTable : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir tmp_;
  fs::path file(const std::string& name) { return fs::path(tmp_.path().toStdString()) / name; }

 private Q_SLOTS:
  void csv_rfc4180_edge_cases() {
    const fs::path p = file("edge.csv");
    write_bytes(p,
                "text,label\r\n"
                "\"a, with comma\",x\r\n"
                "\"say \"\"hi\"\"\",y\r\n"
                "\"two\r\nlines\",x\r\n"
                "\r\n"
                ",y\r\n"
                "plain text,\"z\"");  // no final newline
    const kdw::Table t = read(p);
    QCOMPARE(t.format, kdw::TableFormat::kCsv);
    QCOMPARE(t.encoding, kdw::TextEncoding::kUtf8);
    QVERIFY(!t.had_bom);
    QCOMPARE(t.columns, (std::vector<std::string>{"text", "label"}));
    QCOMPARE(t.rows.size(), std::size_t(5));
    QCOMPARE(t.rows[0][0], std::string("a, with comma"));
    QCOMPARE(t.rows[1][0], std::string("say \"hi\""));
    QCOMPARE(t.rows[2][0], std::string("two\r\nlines"));
    QCOMPARE(t.rows[3][0], std::string(""));
    QCOMPARE(t.rows[4][0], std::string("plain text"));
    QCOMPARE(t.rows[4][1], std::string("z"));
    QCOMPARE(t.row_lines, (std::vector<int64_t>{2, 3, 4, 7, 8}));  // line 6 is blank
    QCOMPARE(t.data_rows, (std::vector<int64_t>{0, 1, 2, 3, 4}));
    QVERIFY(t.skipped.empty());
  }

  void csv_bad_rows_are_reported_with_lines() {
    const fs::path p = file("bad.csv");
    write_bytes(p,
                "text,label\n"
                "good one,a\n"
                "three,fields,here\n"
                "\"closed\"junk,b\n"
                "good two,b\n"
                "\"never closed,a\n"
                "good three,a\n");
    const kdw::Table t = read(p);
    QCOMPARE(t.rows.size(), std::size_t(3));
    QCOMPARE(t.rows[0][0], std::string("good one"));
    QCOMPARE(t.rows[1][0], std::string("good two"));
    QCOMPARE(t.rows[2][0], std::string("good three"));
    QCOMPARE(t.row_lines, (std::vector<int64_t>{2, 5, 7}));
    QCOMPARE(t.data_rows, (std::vector<int64_t>{0, 3, 5}));  // skipped rows keep their number
    QCOMPARE(t.skipped.size(), std::size_t(3));
    QCOMPARE(t.skipped[0].line, int64_t(3));
    QVERIFY(t.skipped[0].reason.find("3 fields, expected 2") != std::string::npos);
    QCOMPARE(t.skipped[1].line, int64_t(4));
    QCOMPARE(t.skipped[2].line, int64_t(6));
    QVERIFY(t.skipped[2].reason.find("unterminated") != std::string::npos);
  }

  void tsv_by_extension_and_by_content() {
    write_bytes(file("a.tsv"), "text\tlabel\nhello, world\tx\n");
    write_bytes(file("a.txt"), "text\tlabel\nhello, world\tx\n");
    for (const char* name : {"a.tsv", "a.txt"}) {
      const kdw::Table t = read(file(name));
      QCOMPARE(t.format, kdw::TableFormat::kTsv);
      QCOMPARE(t.rows.size(), std::size_t(1));
      QCOMPARE(t.rows[0][0], std::string("hello, world"));
    }
    // Forced CSV reads the same bytes as a single column.
    const kdw::Table forced = read(file("a.tsv"), kdw::TableFormat::kCsv);
    QCOMPARE(forced.columns, (std::vector<std::string>{"text\tlabel"}));
  }

  // A value nested 150,000 deep crashed the reader (recursive copies): the row is skipped.
  void jsonl_deep_nesting_is_a_skipped_row() {
    const fs::path p = file("deep.jsonl");
    const std::string deep = "{\"text\": " + std::string(150000, '[') + std::string(150000, ']') +
                             ", \"label\": \"a\"}\n";
    write_bytes(p, "{\"text\": \"fine\", \"label\": \"b\"}\n" + deep +
                       "{\"text\": \"[[[ in a string ]]]\", \"label\": \"c\"}\n");
    const kdw::Table t = read(p);
    QCOMPARE(t.rows.size(), std::size_t(2));
    QCOMPARE(t.rows[1][0], std::string("[[[ in a string ]]]"));
    QCOMPARE(t.skipped.size(), std::size_t(1));
    QCOMPARE(t.skipped[0].line, int64_t(2));
    QVERIFY2(t.skipped[0].reason.find("nested") != std::string::npos, t.skipped[0].reason.c_str());
    // Nothing but such rows: one line naming the file.
    const fs::path only = file("only_deep.jsonl");
    write_bytes(only, deep);
    expect_error([&] { read(only); }, {only.string(), "no readable JSON object"});
  }

  void jsonl_union_of_keys() {
    const fs::path p = file("d.jsonl");
    write_bytes(p,
                "{\"text\": \"привет\", \"label\": \"a\"}\n"
                "\n"
                "{\"label\": 3, \"text\": \"x\", \"score\": 0.5}\r\n"
                "not json\n"
                "[1, 2]\n"
                "{\"text\": null, \"label\": \"b\"}\n");
    const kdw::Table t = read(p);
    QCOMPARE(t.format, kdw::TableFormat::kJsonl);
    QCOMPARE(t.columns, (std::vector<std::string>{"text", "label", "score"}));
    QCOMPARE(t.rows.size(), std::size_t(3));
    QCOMPARE(t.rows[0], (std::vector<std::string>{"привет", "a", ""}));
    QCOMPARE(t.rows[1], (std::vector<std::string>{"x", "3", "0.5"}));
    QCOMPARE(t.rows[2], (std::vector<std::string>{"", "b", ""}));
    QCOMPARE(t.row_lines, (std::vector<int64_t>{1, 3, 6}));
    QCOMPARE(t.skipped.size(), std::size_t(2));
    QCOMPARE(t.skipped[0].line, int64_t(4));
    QCOMPARE(t.skipped[1].line, int64_t(5));
  }

  void utf8_bom() {
    const fs::path p = file("bom.csv");
    write_bytes(p, "\xEF\xBB\xBFtext,label\nЁжик,a\n");
    const kdw::Table t = read(p);
    QVERIFY(t.had_bom);
    QCOMPARE(t.columns[0], std::string("text"));
    QCOMPARE(t.rows[0][0], std::string("Ёжик"));
  }

  void cp1251_detected_and_decoded() {
    const fs::path p = file("win.csv");
    const std::string utf8 = "text,label\nЁлка и ёжик: Съешь же ещё этих мягких булок,да\n";
    write_bytes(p, kdw::test::to_cp1251(utf8));
    const kdw::Table t = read(p);
    QCOMPARE(t.encoding, kdw::TextEncoding::kCp1251);
    QCOMPARE(t.rows.size(), std::size_t(1));
    QCOMPARE(t.rows[0][0], std::string("Ёлка и ёжик: Съешь же ещё этих мягких булок"));
    QCOMPARE(t.rows[0][1], std::string("да"));
    // Forced UTF-8 on the same bytes: an error naming the file and the offset of the first bad
    // byte.
    expect_error([&] { read(p, kdw::TableFormat::kAuto, kdw::TextEncoding::kUtf8); },
                 {"win.csv", "invalid UTF-8", "offset 11"});
    // And UTF-8 text is never taken for cp1251.
    write_bytes(file("u.csv"), utf8);
    QCOMPARE(read(file("u.csv")).encoding, kdw::TextEncoding::kUtf8);
  }

  void undecodable_and_binary_files() {
    write_bytes(file("junk.csv"), std::string("text,label\n\x81\x83\x8A\x9A\x9C\x9E,a\n"));
    expect_error([&] { read(file("junk.csv")); },
                 {"junk.csv", "neither UTF-8 nor Windows-1251", "offset 11"});
    write_bytes(file("bin.csv"), std::string("text,label\nab\0cd,a\n", 19));
    expect_error([&] { read(file("bin.csv")); }, {"bin.csv", "NUL"});
    write_bytes(file("u16.csv"), std::string("\xFF\xFEt\0e\0", 6));
    expect_error([&] { read(file("u16.csv")); }, {"u16.csv", "UTF-16"});
  }

  void missing_and_empty_files() {
    expect_error([&] { read(file("nope.csv")); }, {"nope.csv", "no such file"});
    write_bytes(file("empty.csv"), "");
    expect_error([&] { read(file("empty.csv")); }, {"empty.csv", "empty file"});
    write_bytes(file("blank.csv"), "\n\n");
    expect_error([&] { read(file("blank.csv")); }, {"blank.csv", "empty"});
    write_bytes(file("header.csv"), "text,label\n");
    QCOMPARE(read(file("header.csv")).rows.size(), std::size_t(0));
  }

  void column_index_lists_columns() {
    write_bytes(file("c.csv"), "sentence,label\nx,y\n");
    const kdw::Table t = read(file("c.csv"));
    QCOMPARE(kdw::column_index(t, "label", file("c.csv")), 1);
    expect_error([&] { kdw::column_index(t, "text", file("c.csv")); },
                 {"c.csv", "no column 'text'", "columns: sentence, label"});
  }

  void option_parsing() {
    QCOMPARE(kdw::parse_table_format("jsonl"), kdw::TableFormat::kJsonl);
    QCOMPARE(kdw::parse_text_encoding("utf-8"), kdw::TextEncoding::kUtf8);
    QCOMPARE(kdw::parse_text_encoding("cp1251"), kdw::TextEncoding::kCp1251);
    QVERIFY_THROWS_EXCEPTION(kdw::UsageError, kdw::parse_table_format("xlsx"));
    QVERIFY_THROWS_EXCEPTION(kdw::UsageError, kdw::parse_text_encoding("koi8-r"));
  }

  void cancel_stops_reading() {
    write_bytes(file("big.csv"), "text,label\n" + std::string(1000, 'x') + ",a\n");
    kdw::JobContext job;
    job.request_cancel();
    QVERIFY_THROWS_EXCEPTION(
        kdw::Cancelled,
        kdw::read_table(file("big.csv"), kdw::TableFormat::kAuto, kdw::TextEncoding::kAuto, job));
  }
};

QTEST_GUILESS_MAIN(TestDataTable)
#include "test_data_table.moc"
