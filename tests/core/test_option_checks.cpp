// Option checks shared by the CLI and the GUI (core/option_checks.h), the thread-count limit
// and the BLAS check (core/threads.h).
#include <QtTest>

#include <cmath>
#include <limits>

#include "core/error.h"
#include "core/option_checks.h"
#include "core/threads.h"

using namespace kdw;

namespace {

template <typename F>
std::string usage_error_of(F&& f) {
  try {
    f();
  } catch (const UsageError& e) {
    return e.what();
  }
  return {};
}

const double kNan = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

}  // namespace

class TestOptionChecks : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void numbersMustBeFiniteAndInRange() {
    QCOMPARE(usage_error_of([] { check_number("dropout", kNan, Interval::right_open(0, 1)); }),
             std::string("dropout must be a finite number in [0, 1): got nan"));
    QCOMPARE(usage_error_of([] { check_number("lr", kInf, Interval::positive()); }),
             std::string("lr must be a finite number > 0: got inf"));
    QCOMPARE(usage_error_of([] { check_number("group_lasso", -kInf, Interval::non_negative()); }),
             std::string("group_lasso must be a finite number >= 0: got -inf"));
    QCOMPARE(usage_error_of([] { check_number("alpha", 1.5, Interval::closed(0, 1)); }),
             std::string("alpha must be a finite number in [0, 1]: got 1.5"));
    QCOMPARE(usage_error_of([] { check_number("lr", 0.0, Interval::positive()); }),
             std::string("lr must be a finite number > 0: got 0"));
    QCOMPARE(usage_error_of([] { check_number("dropout", 1.0, Interval::right_open(0, 1)); }),
             std::string("dropout must be a finite number in [0, 1): got 1"));
    // In range: no error.
    check_number("dropout", 0.0, Interval::right_open(0, 1));
    check_number("alpha", 1.0, Interval::closed(0, 1));
    check_number("lr", 1e-300, Interval::positive());
    check_number("temperature", 1e300, Interval::positive());
  }

  void integersMustBeInRange() {
    QCOMPARE(usage_error_of([] { check_integer("hidden_size", 30000, 1, 16384); }),
             std::string("hidden_size must be in 1..16384: got 30000"));
    check_integer("hidden_size", 16384, 1, 16384);
  }

  void numberTextIsShort() {
    QCOMPARE(number_text(0.1), std::string("0.1"));
    QCOMPARE(number_text(1e-3), std::string("0.001"));
    QCOMPARE(number_text(kNan), std::string("nan"));
  }

  void threadCountIsBounded() {
    const int most = max_thread_count();
    QCOMPARE(most, kMaxThreadsPerCore * core_count());
    check_thread_count(0);
    check_thread_count(1);
    check_thread_count(most);
    // 100000 once started 3,600 threads and stalled; -1 silently meant "all cores".
    for (const int bad : {-1, most + 1, 100000}) {
      const std::string e = usage_error_of([bad] { apply_thread_count(bad); });
      QVERIFY2(e.rfind("threads must be 0 (all cores) or 1..", 0) == 0, e.c_str());
      QVERIFY2(e.find("got " + std::to_string(bad)) != std::string::npos, e.c_str());
    }
    QCOMPARE(apply_thread_count(1), 1);
  }

  void referenceBlasIsRecognisedByItsFile() {
    QVERIFY(is_reference_blas("/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0"));
    QVERIFY(is_reference_blas("/usr/lib64/librefblas.so.3"));
    QVERIFY(!is_reference_blas("/usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3"));
    // OpenBLAS's generic fallback on a CPU it does not recognise, and the kernels to name.
    QCOMPARE(better_openblas_core("Prescott", true, true), std::string("SkylakeX"));
    QCOMPARE(better_openblas_core("Prescott", true, false), std::string("Haswell"));
    QCOMPARE(better_openblas_core("Prescott", false, false), std::string());
    QCOMPARE(better_openblas_core("SkylakeX", true, true), std::string());
    QCOMPARE(better_openblas_core("Haswell", true, false), std::string());
    QVERIFY(
        !is_reference_blas("/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so"));
    QVERIFY(!is_reference_blas("/usr/lib/x86_64-linux-gnu/blis-openmp/libblas.so.3"));
    QVERIFY(!is_reference_blas("/usr/lib/x86_64-linux-gnu/atlas/libblas.so.3"));
    QVERIFY(!is_reference_blas("/opt/libtorch/lib/libtorch_cpu.so"));  // MKL linked in
    QVERIFY(!is_reference_blas(""));                                   // no shared sgemm_
  }

  void loadedBlasIsAFile() {
    // This process links LibTorch, so sgemm_ comes from some loaded library (or is static).
    const std::string file = loaded_blas_file();
    if (!file.empty()) QVERIFY2(std::filesystem::exists(file), file.c_str());
  }
};

QTEST_GUILESS_MAIN(TestOptionChecks)
#include "test_option_checks.moc"
