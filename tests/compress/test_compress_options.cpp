// compress_run checks every option before it writes anything: `--cut_model --batch_size 0` used
// to write the cut model and then fail without its report (issue 11, item 8).
#include <QTemporaryDir>
#include <QtTest>

#include <ATen/ATen.h>

#include "../student/synthetic_data.h"
#include "compress/compress_run.h"
#include "core/error.h"
#include "student/student_model.h"

using namespace kdw;
namespace fs = std::filesystem;

class TestCompressOptions : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;
  fs::path data_, run_;

  CompressOptions cut_options() const {
    CompressOptions o;
    o.run_dir = run_;
    o.cut_model = true;
    o.choice.keep = 2;
    o.data_path = data_;
    return o;
  }

 private Q_SLOTS:
  void initTestCase() {
    data_ = fs::path(dir_.path().toStdString()) / "data";
    run_ = fs::path(dir_.path().toStdString()) / "2026-01-01___00-00-00";
    testing::write_synthetic_data(data_);
    fs::create_directories(run_);
    at::manual_seed(3);
    StudentModel m(StudentArch::make(StudentType::kStackLSTM, 20, 4, 5, 2, {"neg", "pos"}, 0.0));
    save_student(m, run_ / "model_distill_stack_LSTM.pt");
  }

  void badBatchSizeWritesNothing() {
    CompressOptions o = cut_options();
    o.batch_size = 0;
    JobContext job;
    QVERIFY_THROWS_EXCEPTION(UsageError, compress_run(o, job));
    QVERIFY(!fs::exists(run_ / "cut_model_distill_stack_LSTM.pt"));
    QVERIFY(!fs::exists(run_ / "cut_report.json"));
  }

  void badDataPathWritesNothing() {
    CompressOptions o = cut_options();
    o.data_path = data_ / "missing";
    JobContext job;
    QVERIFY_THROWS_EXCEPTION(Error, compress_run(o, job));
    QVERIFY(!fs::exists(run_ / "cut_model_distill_stack_LSTM.pt"));
  }

  void goodOptionsWriteTheCutAndItsReport() {
    JobContext job;
    const CompressResult r = compress_run(cut_options(), job);
    QVERIFY(fs::is_regular_file(r.cut_model_file));
    QVERIFY(fs::is_regular_file(r.report_file));
    QVERIFY(r.report && r.report->evaluation);
    QCOMPARE(r.report->evaluation->after.dev.samples, int64_t(16));
  }
};

QTEST_GUILESS_MAIN(TestCompressOptions)
#include "test_compress_options.moc"
