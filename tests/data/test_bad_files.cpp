// Files that are no text table (an image, an archive, a program) and tables without a label
// column get one plain sentence, from the engine and from `kdw prepare` alike (issue 13).
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "core/error.h"
#include "core/job.h"
#include "data/file_kind.h"
#include "data/prepare.h"
#include "data/table.h"
#include "data_test_util.h"

namespace {

const QString kKdw = QStringLiteral(KDW_BINARY_DIR "/app/kdw/kdw");

// The last non-empty line of `kdw prepare`'s stderr (its error message) and its exit code.
std::pair<int, QString> run_prepare(const QString& input, const QString& workspace) {
  QProcess p;
  p.start(kKdw, {"prepare", "--input", input, "--workspace", workspace, "--threads", "1"});
  if (!p.waitForFinished(60000)) return {-1, {}};
  const QStringList lines =
      QString::fromUtf8(p.readAllStandardError()).split('\n', Qt::SkipEmptyParts);
  return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
          lines.isEmpty() ? QString() : lines.last()};
}

const std::string kPng("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01", 20);

}  // namespace

class TestBadFiles : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir tmp_;

 private Q_SLOTS:
  void initTestCase() { QVERIFY(tmp_.isValid()); }

  void binary_kinds() {
    QCOMPARE(kdw::binary_file_kind(kPng), std::string("a PNG image"));
    QCOMPARE(kdw::binary_file_kind("\xFF\xD8\xFF\xE0"), std::string("a JPEG image"));
    QCOMPARE(kdw::binary_file_kind("%PDF-1.7\n"), std::string("a PDF document"));
    QVERIFY(kdw::binary_file_kind("PK\x03\x04....").find("ZIP") != std::string::npos);
    QCOMPARE(kdw::binary_file_kind("\x1f\x8b\x08"), std::string("a gzip archive"));
    QCOMPARE(kdw::binary_file_kind("\x7F"
                                   "ELF\x02"),
             std::string("a program (ELF)"));
    // Text tables are not mistaken for anything.
    QCOMPARE(kdw::binary_file_kind("text,label\nhello,a\n"), std::string());
    QCOMPARE(kdw::binary_file_kind("\xEF\xBB\xBFtext\tlabel\n"), std::string());
    QCOMPARE(kdw::binary_file_kind(""), std::string());
  }

  void png_is_named_by_the_reader() {
    const QString png = tmp_.filePath("picture.png");
    kdw::test::write_bytes(png.toStdString(), kPng);
    kdw::JobContext job;
    try {
      kdw::read_table(png.toStdString(), kdw::TableFormat::kAuto, kdw::TextEncoding::kAuto, job);
      QFAIL("a PNG read as a table");
    } catch (const kdw::Error& e) {
      const QString m = QString::fromUtf8(e.what());
      QVERIFY2(m.contains("picture.png: this looks like a PNG image, not a text table"),
               qPrintable(m));
    }
  }

  void cli_says_the_same() {
    const QString ws = tmp_.filePath("ws");
    const QString png = tmp_.filePath("photo.csv");  // the extension does not fool it
    kdw::test::write_bytes(png.toStdString(), kPng);
    auto [code, message] = run_prepare(png, ws);
    QCOMPARE(code, 1);
    QVERIFY2(message.contains("photo.csv: this looks like a PNG image, not a text table"),
             qPrintable(message));

    const QString only_text = tmp_.filePath("only_text.csv");
    std::string csv = "text\n";
    for (int i = 0; i < 50; ++i) csv += "some words number " + std::to_string(i) + "\n";
    kdw::test::write_bytes(only_text.toStdString(), csv);
    std::tie(code, message) = run_prepare(only_text, ws);
    QCOMPARE(code, 1);
    QVERIFY2(message.contains(
                 "only_text.csv: no label column: the file has only `text`; choose a label column"),
             qPrintable(message));
    QVERIFY(!QFileInfo::exists(ws + "/files/data/prepare.json"));
  }
};

QTEST_GUILESS_MAIN(TestBadFiles)
#include "test_bad_files.moc"
