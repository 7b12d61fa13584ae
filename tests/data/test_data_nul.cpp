// Stray NUL bytes (data/nul_rows.h): a few damaged rows are dropped and reported (log,
// prepare.json), the rest of the file is read; a file that is not text at all is still refused.
#include <QtTest>

#include <unistd.h>

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "core/atomic_output.h"
#include "core/error.h"
#include "core/job.h"
#include "core/workspace.h"
#include "data/prepare.h"
#include "data/table.h"
#include "data_test_util.h"

namespace fs = std::filesystem;
using kdw::test::to_cp1251;
using kdw::test::write_bytes;

namespace {

using namespace std::string_literals;

// 30 rows of three classes; line k + 2 holds row k.
std::string rows_csv(int first, int last) {
  std::string csv;
  const char* labels[] = {"a", "b", "c"};
  for (int i = first; i < last; ++i)
    csv += "текст номер " + std::to_string(i) + "," + labels[i % 3] + "\n";
  return csv;
}

QString error_of(const fs::path& path) {
  try {
    kdw::JobContext job;
    kdw::read_table(path, kdw::TableFormat::kAuto, kdw::TextEncoding::kAuto, job);
  } catch (const kdw::Error& e) {
    return QString::fromUtf8(e.what());
  }
  return {};
}

}  // namespace

class TestDataNul : public QObject {
  Q_OBJECT

 private:
  fs::path tmp_;

 private Q_SLOTS:
  void init() {
    tmp_ = fs::temp_directory_path() / ("kdw_test_nul_" + std::to_string(::getpid()));
    fs::remove_all(tmp_);
    fs::create_directories(tmp_);
  }
  void cleanup() { fs::remove_all(tmp_); }

  void rowsWithNulAreDroppedAndReported() {
    // Line 7: a NUL inside a text; lines 13-14: a quoted text over two lines, NUL on the second;
    // line 20: only NUL bytes (a blank line once cleaned, no row).
    const std::string csv = "text,label\n" + rows_csv(0, 5) + "ab\0cd,b\n"s + rows_csv(6, 11) +
                            "\"two\nli\0nes\",c\n"s + rows_csv(12, 17) + "\0\0\0\n"s +
                            rows_csv(17, 30);
    const fs::path input = tmp_ / "mail.csv";
    write_bytes(input, csv);
    kdw::JobContext job;
    const kdw::Table t =
        kdw::read_table(input, kdw::TableFormat::kAuto, kdw::TextEncoding::kAuto, job);
    QCOMPARE(t.rows.size(), std::size_t(28));
    QCOMPARE(t.skipped.size(), std::size_t(2));
    QCOMPARE(t.skipped[0].line, int64_t(7));
    QCOMPARE(t.skipped[1].line, int64_t(13));
    QCOMPARE(QString::fromStdString(t.skipped[0].reason), QString("contains NUL bytes"));
    for (const auto& row : t.rows)
      for (const auto& cell : row) QVERIFY(cell.find('\0') == std::string::npos);
    // Later rows keep their data row numbers (what S_rows.npy stores).
    QCOMPARE(t.data_rows.back(), int64_t(29));

    kdw::PrepareOptions o;
    o.input = input;
    o.workspace = tmp_ / "ws";
    const nlohmann::json summary = kdw::run_prepare(o, job).summary;
    QCOMPARE(summary["counts"]["dropped_nul_rows"].get<int64_t>(), int64_t(2));
    QCOMPARE(summary["nul_rows"], nlohmann::json({7, 13}));
    const auto written =
        nlohmann::json::parse(kdw::read_file(kdw::Workspace{o.workspace}.prepare_file()));
    QCOMPARE(written["nul_rows"], nlohmann::json({7, 13}));
  }

  void cp1251WithNulRowIsRead() {
    const std::string csv =
        to_cp1251("text,label\n" + rows_csv(0, 10)) + "x\0y,a\n"s + to_cp1251(rows_csv(11, 30));
    write_bytes(tmp_ / "cp.csv", csv);
    kdw::JobContext job;
    const kdw::Table t =
        kdw::read_table(tmp_ / "cp.csv", kdw::TableFormat::kAuto, kdw::TextEncoding::kAuto, job);
    QCOMPARE(t.rows.size(), std::size_t(29));
    QVERIFY(t.encoding == kdw::TextEncoding::kCp1251);
  }

  void jsonlWithNulRowIsRead() {
    std::string jsonl;
    for (int i = 0; i < 20; ++i)
      jsonl += "{\"text\": \"t" + std::to_string(i) + "\", \"label\": \"" + (i % 2 ? "a" : "b") +
               "\"}\n";
    jsonl.insert(jsonl.find("t7") + 1, "\0"s);
    write_bytes(tmp_ / "d.jsonl", jsonl);
    kdw::JobContext job;
    const kdw::Table t =
        kdw::read_table(tmp_ / "d.jsonl", kdw::TableFormat::kAuto, kdw::TextEncoding::kAuto, job);
    QCOMPARE(t.rows.size(), std::size_t(19));
    QCOMPARE(t.skipped.front().line, int64_t(8));
  }

  void binaryFilesAreStillRefused() {
    // A real (1x1, grey) PNG, named .csv.
    write_bytes(tmp_ / "image.csv", std::string("\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x00\x01\x00\x00\x00\x01\x08\x00\x00\x00\x00\x3a\x7e\x9b\x55\x00\x00\x00\x0a\x49\x44\x41\x54\x78\x9c\x63\x60\x00\x00\x00\x02\x00\x01\x48\xaf\xa4\x71\x00\x00\x00\x00\x49\x45\x4e\x44\xae\x42\x60\x82", 67));
    QVERIFY2(error_of(tmp_ / "image.csv").contains("not a text table"),
             qPrintable(error_of(tmp_ / "image.csv")));
    // UTF-16: NUL bytes everywhere.
    write_bytes(tmp_ / "u16.csv", "t\0e\0x\0t\0,\0l\0\n\0a\0,\0b\0\n\0c\0,\0d\0\n\0"s);
    QVERIFY(error_of(tmp_ / "u16.csv").contains("not a text table"));
    // A NUL in the header.
    write_bytes(tmp_ / "head.csv", "te\0xt,label\n"s + rows_csv(0, 30));
    QVERIFY(error_of(tmp_ / "head.csv").contains("NUL"));
    // More than one line in ten damaged: not a few stray bytes.
    std::string many = "text,label\n";
    for (int i = 0; i < 20; ++i) many += (i % 3 ? "ok," : "b\0d,"s) + "a\n";
    write_bytes(tmp_ / "many.csv", many);
    QVERIFY(error_of(tmp_ / "many.csv").contains("not a text table"));
  }
};

QTEST_GUILESS_MAIN(TestDataNul)
#include "test_data_nul.moc"
