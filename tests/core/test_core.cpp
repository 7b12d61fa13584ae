// Core services: atomic outputs, workspace layout and run folders, .npy and safetensors files.
#include <QtTest>

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include <ATen/ATen.h>

#include "core/atomic_output.h"
#include "core/error.h"
#include "core/job.h"
#include "core/json_read.h"
#include "core/pending_losses.h"
#include "core/printable.h"
#include "core/remove_tree.h"
#include "core/workspace.h"
#include "formats/npy.h"
#include "formats/safetensors.h"

namespace fs = std::filesystem;

class TestCore : public QObject {
  Q_OBJECT

 private:
  fs::path tmp_;

 private Q_SLOTS:
  void init() {
    tmp_ = fs::temp_directory_path() / ("kdw_test_core_" + std::to_string(::getpid()));
    fs::remove_all(tmp_);
    fs::create_directories(tmp_);
  }
  void cleanup() { fs::remove_all(tmp_); }

  void atomicFileAppearsOnlyOnCommit() {
    const fs::path target = tmp_ / "sub" / "out.txt";
    {
      kdw::AtomicFile file(target);
      file.write("hello");
      QVERIFY(!fs::exists(target));
      file.commit();
    }
    QCOMPARE(QString::fromStdString(kdw::read_file(target)), QString("hello"));
    {
      kdw::AtomicFile file(target);
      file.write("half-written");
    }  // dropped without commit: the old content stays and no temporary is left
    QCOMPARE(QString::fromStdString(kdw::read_file(target)), QString("hello"));
    int entries = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(tmp_ / "sub")) ++entries;
    QCOMPARE(entries, 1);
  }

  void atomicFileReportsUnwritableFolder() {
    try {
      kdw::AtomicFile file("/dev/null/x.npy");
      QFAIL("creating a file below /dev/null must fail");
    } catch (const kdw::Error& e) {
      QVERIFY(QString(e.what()).startsWith("/dev/null"));
    }
  }

  void atomicDirectoryReplacesWhole() {
    const fs::path dir = tmp_ / "tokens";
    fs::create_directories(dir);
    std::ofstream(dir / "old.npy") << "old";
    {
      kdw::AtomicDirectory staged(dir);
      std::ofstream(staged.staging() / "new.npy") << "new";
      QVERIFY(fs::exists(dir / "old.npy"));
    }  // not committed: previous folder untouched
    QVERIFY(fs::exists(dir / "old.npy"));
    kdw::AtomicDirectory staged(dir);
    std::ofstream(staged.staging() / "new.npy") << "new";
    staged.commit();
    QVERIFY(fs::exists(dir / "new.npy"));
    QVERIFY(!fs::exists(dir / "old.npy"));
  }

  void readFileNamesMissingFile() {
    try {
      kdw::read_file(tmp_ / "missing.csv");
      QFAIL("expected an error");
    } catch (const kdw::Error& e) {
      QVERIFY(QString(e.what()).contains("missing.csv: no such file"));
    }
  }

  void readFileRefusesFolders() {
    try {
      kdw::read_file(tmp_);
      QFAIL("expected an error");
    } catch (const kdw::Error& e) {
      QVERIFY2(QString(e.what()).endsWith(": is a folder, not a file"), e.what());
    }
  }

  void printableEscapesControlsAndCaps() {
    QCOMPARE(kdw::printable("F32"), std::string("F32"));
    QCOMPARE(kdw::printable("привет"), std::string("привет"));  // UTF-8 stays readable
    QCOMPARE(kdw::printable("a\x1b[31mb\n\x7f"), std::string("a\\x1B[31mb\\x0A\\x7F"));
    QCOMPARE(kdw::printable("\xc2\x9b"
                            "2J"),
             std::string("\\x9B2J"));                                        // C1 CSI in UTF-8
    QCOMPARE(kdw::printable("\xff\xc3"), std::string("\\xFF\\xC3"));         // not UTF-8
    QCOMPARE(kdw::printable("x\xe2\x80\xaey"), std::string("x\\u{202E}y"));  // bidi override
    const std::string cut = kdw::printable(std::string(1000, 'a'), 10);
    QCOMPARE(cut, std::string(10, 'a') + "...");
    // A cut never splits a UTF-8 sequence.
    const std::string cyr = kdw::printable("жжжжжж", 5);
    QCOMPARE(cyr, std::string("жжж..."));
  }

  void jsonNestingIsBoundedBeforeParsing() {
    QCOMPARE(kdw::json_too_deep_at("{\"a\": [[1], {\"b\": []}]}"), std::size_t(0));
    QCOMPARE(kdw::json_too_deep_at("\"" + std::string(1000, '[') + "\""),
             std::size_t(0));                                          // in a string
    QCOMPARE(kdw::json_too_deep_at("[\"\\\"[[[\"]"), std::size_t(0));  // escaped quote
    QCOMPARE(kdw::json_too_deep_at("{\n\"a\":\n" + std::string(300, '[')), std::size_t(3));
    const std::string deep = std::string(200000, '[') + std::string(200000, ']');
    try {
      kdw::parse_json(deep, "deep.json");
      QFAIL("expected an error");
    } catch (const kdw::Error& e) {
      QVERIFY2(QString(e.what()).startsWith("deep.json: not valid JSON: arrays and objects nested"),
               e.what());
    }
    try {
      kdw::parse_json("{\"a\": \x1b[31m}", "bad.json", "corrupt");
      QFAIL("expected an error");
    } catch (const kdw::Error& e) {
      QVERIFY2(QString(e.what()).startsWith("bad.json: corrupt: "), e.what());
      QVERIFY(std::string(e.what()).find('\x1b') == std::string::npos);
    }
    QCOMPARE(kdw::parse_json(std::string(256, '[') + std::string(256, ']'), "ok.json").size(),
             std::size_t(1));
  }

  void runFolders() {
    const auto when = std::chrono::system_clock::now();
    const fs::path a = kdw::create_run_folder(tmp_, when);
    const fs::path b = kdw::create_run_folder(tmp_, when);
    QVERIFY(a != b);
    QVERIFY(kdw::is_run_folder_name(a.filename().string()));
    QVERIFY(kdw::is_run_folder_name(b.filename().string()));
    QVERIFY(kdw::is_run_folder_name("2020-06-01___22-48-13"));
    QVERIFY(!kdw::is_run_folder_name("2020-06-01_22-48-13"));
    QCOMPARE(static_cast<int>(kdw::list_run_folders(tmp_).size()), 2);
  }

  void resolveDataDir() {
    fs::create_directories(tmp_ / "ws" / "files" / "data" / "tokens");
    fs::create_directories(tmp_ / "flat" / "data" / "tokens");
    QCOMPARE(kdw::resolve_data_dir(tmp_ / "ws"), tmp_ / "ws" / "files" / "data");
    QCOMPARE(kdw::resolve_data_dir(tmp_ / "flat"), tmp_ / "flat" / "data");
    QCOMPARE(kdw::resolve_data_dir(tmp_ / "flat" / "data"), tmp_ / "flat" / "data");
    QVERIFY_THROWS_EXCEPTION(kdw::Error, kdw::resolve_data_dir(tmp_ / "nothing"));
  }

  void npyRoundTrip() {
    const std::vector<float> values = {1.5f, -2.f, 3.25f, 0.f, 7.f, 8.f};
    kdw::write_npy(tmp_ / "a.npy", values, {2, 3});
    const kdw::NpyArray a = kdw::read_npy(tmp_ / "a.npy", kdw::NpyType::kFloat32, 2);
    QCOMPARE(a.shape, (std::vector<int64_t>{2, 3}));
    QCOMPARE(a.values<float>(), values);
    kdw::write_npy(tmp_ / "b.npy", std::vector<int64_t>{5, 6, 7});
    const at::Tensor t = kdw::read_npy_tensor(tmp_ / "b.npy");
    QCOMPARE(t.scalar_type(), at::kLong);
    QCOMPARE(t.sum().item<int64_t>(), int64_t{18});
    // Same size as numpy.save gives: header padded to a multiple of 64 bytes.
    QCOMPARE(kdw::read_file(tmp_ / "b.npy").size(), std::size_t{128 + 24});
  }

  void npyRejectsTruncatedAndWrongType() {
    kdw::write_npy(tmp_ / "c.npy", std::vector<int32_t>{1, 2, 3, 4});
    std::string raw = kdw::read_file(tmp_ / "c.npy");
    std::ofstream(tmp_ / "c.npy", std::ios::binary) << raw.substr(0, raw.size() - 3);
    try {
      kdw::read_npy(tmp_ / "c.npy");
      QFAIL("expected an error");
    } catch (const kdw::Error& e) {
      QVERIFY(QString(e.what()).contains("truncated"));
    }
    kdw::write_npy(tmp_ / "d.npy", std::vector<int32_t>{1});
    QVERIFY_THROWS_EXCEPTION(kdw::Error, kdw::read_npy(tmp_ / "d.npy", kdw::NpyType::kInt64, 1));
  }

  void safetensorsRoundTripAndCorruption() {
    const at::Tensor w = at::arange(12, at::kFloat).reshape({3, 4});
    const at::Tensor ids = at::arange(5, at::kLong);
    kdw::write_safetensors(tmp_ / "m.safetensors", {{"w", w}, {"ids", ids}}, {{"format", "pt"}});
    const kdw::SafetensorsFile f = kdw::read_safetensors(tmp_ / "m.safetensors");
    QCOMPARE(static_cast<int>(f.tensors.size()), 2);
    QVERIFY(at::equal(f.find("w"), w));
    QVERIFY(at::equal(f.find("ids"), ids));
    QCOMPARE(QString::fromStdString(f.metadata.at("format")), QString("pt"));
    std::string raw = kdw::read_file(tmp_ / "m.safetensors");
    std::ofstream(tmp_ / "m.safetensors", std::ios::binary) << raw.substr(0, raw.size() - 8);
    QVERIFY_THROWS_EXCEPTION(kdw::Error, kdw::read_safetensors(tmp_ / "m.safetensors"));
    std::ofstream(tmp_ / "m.safetensors", std::ios::binary) << "\xff\xff\xff\xff\xff\xff\xff\x7f{}";
    QVERIFY_THROWS_EXCEPTION(kdw::Error, kdw::read_safetensors(tmp_ / "m.safetensors"));
  }

  // Losses queued on the device come back in order with their steps and weights, in one read.
  void pendingLossesComeBackInOrder() {
    kdw::PendingLosses pending(true);
    QVERIFY(pending.deferring());
    QVERIFY(pending.empty());
    pending.add(1, at::tensor(0.5), 2);
    pending.add(2, at::tensor({1.25}).sum());
    pending.add(3, at::tensor(std::numeric_limits<double>::quiet_NaN()));
    const auto losses = pending.take();
    QCOMPARE(losses.size(), std::size_t{3});
    QCOMPARE(losses[0].step, int64_t{1});
    QCOMPARE(losses[0].weight, 2.0);
    QCOMPARE(losses[0].value, 0.5);
    QCOMPARE(losses[1].value, 1.25);
    QCOMPARE(losses[1].weight, 1.0);
    QVERIFY(std::isnan(losses[2].value));
    QVERIFY(pending.empty());
    QVERIFY(pending.take().empty());
    QVERIFY(!kdw::PendingLosses(false).deferring());
  }

  void removeTreeRemovesFilesFoldersAndLinksOnly() {
    const fs::path root = tmp_ / "tree";
    fs::create_directories(root / "a" / "b");
    std::ofstream(root / "a" / "b" / "f.txt") << "x";
    std::ofstream(root / "g.txt") << "y";
    const fs::path outside = tmp_ / "kept.txt";
    std::ofstream(outside) << "z";
    fs::create_symlink(outside, root / "a" / "link");
    std::error_code ec;
    QCOMPARE(kdw::remove_tree(root, ec), std::uintmax_t{6});
    QVERIFY(!ec);
    QVERIFY(!fs::exists(root));
    QVERIFY(fs::exists(outside));                        // a link is removed, not what it points to
    QCOMPARE(kdw::remove_tree(root, ec), std::uintmax_t{0});  // missing: nothing, no error
    QVERIFY(!ec);
    QCOMPARE(kdw::remove_tree(outside, ec), std::uintmax_t{1});  // a plain file
    QVERIFY(!fs::exists(outside));
  }

  // std::filesystem::remove_all may resolve to PyTorch's LibTorch's broken copy (see
  // core/remove_tree.h): no program code calls it.
  void noCodeCallsRemoveAll() {
    QStringList offenders;
    for (const char* folder : {"engine", "app", "ui", "bench"})
      for (const auto& entry :
           fs::recursive_directory_iterator(fs::path(KDW_SOURCE_DIR) / folder)) {
        const std::string ext = entry.path().extension().string();
        if (ext != ".cpp" && ext != ".h") continue;
        std::ifstream in(entry.path());
        const std::string text((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
        if (text.find("remove_all(") != std::string::npos)
          offenders << QString::fromStdString(entry.path().string());
      }
    QVERIFY2(offenders.isEmpty(), qPrintable(offenders.join(", ")));
  }

  void jobCancellation() {
    kdw::JobContext job;
    int events = 0;
    job.set_progress_sink([&](const kdw::ProgressEvent& e) { events += e.done; });
    job.progress("x", 3, 10);
    QCOMPARE(events, 3);
    job.throw_if_cancelled();
    job.request_cancel();
    QVERIFY_THROWS_EXCEPTION(kdw::Cancelled, job.throw_if_cancelled());
  }
};

QTEST_APPLESS_MAIN(TestCore)
#include "test_core.moc"
