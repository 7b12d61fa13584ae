// kdw::log: the formatter, sinks and levels, and the rule that only log.cpp includes spdlog or
// fmt (LibTorch 2.x ships its own fmt headers; a file that sees both breaks or mixes two fmts).
#include <QtTest>

#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/log.h"

namespace fs = std::filesystem;
using kdw::log::Level;

class TestLog : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void formatsPlaceholders() {
    using kdw::log::format;
    QCOMPARE(format("plain"), std::string("plain"));
    QCOMPARE(format("{} + {} = {}", 1, -2, std::size_t{3}), std::string("1 + -2 = 3"));
    QCOMPARE(format("{}", int64_t{-9000000000}), std::string("-9000000000"));
    QCOMPARE(format("{} {} {}", std::string("a"), "b", std::string_view("c")),
             std::string("a b c"));
    QCOMPARE(format("{} {}", true, 'x'), std::string("true x"));
    QCOMPARE(format("{{}} {}", 1), std::string("{} 1"));
    QCOMPARE(format("{}{}", 0.5, ""), std::string("0.5"));
  }

  void formatsNumbersLikeFmt() {
    using kdw::log::format;
    QCOMPARE(format("{:.4f}", 0.123456), std::string("0.1235"));
    QCOMPARE(format("{:.4f}", 1.0), std::string("1.0000"));
    QCOMPARE(format("{:.1f}", 25.04f), std::string("25.0"));
    QCOMPARE(format("{:.2e}", 12345.0), std::string("1.23e+04"));
    QCOMPARE(format("{:.3}", 2.0 / 3.0), std::string("0.667"));
    QCOMPARE(format("{:.2f}", 3), std::string("3.00"));
    // "{}" of a double: the shortest text that reads back the same, as fmt writes it.
    QCOMPARE(format("{}", 3.0), std::string("3"));
    QCOMPARE(format("{}", 0.1), std::string("0.1"));
    QCOMPARE(format("{}", 1e-5), std::string("1e-05"));
  }

  void neverThrowsOnBadFormats() {
    using kdw::log::format;
    QCOMPARE(format("{} and {}", 1), std::string("1 and {}"));  // missing argument: kept
    QCOMPARE(format("{}", 1, 2), std::string("1"));             // extra argument: dropped
    QCOMPARE(format("{:>8q}", 2.5), std::string("2.5"));        // unknown spec: as "{}"
    QCOMPARE(format("open {", 1), std::string("open {"));
    QCOMPARE(format("{}", static_cast<const char*>(nullptr)), std::string("(null)"));
  }

  void sinksGetLinesFromTheirLevel() {
    kdw::log::init_silent();
    std::vector<std::pair<Level, std::string>> got;
    const auto id = kdw::log::add_sink(
        [&](const kdw::log::Record& r) { got.emplace_back(r.level, std::string(r.text)); },
        Level::info);
    kdw::log::debug("hidden {}", 1);
    kdw::log::info("epoch {}: dev accuracy {:.4f}", 2, 0.87654);
    kdw::log::warn("careful");
    kdw::log::remove_sink(id);
    kdw::log::error("after removal");
    QCOMPARE(got.size(), std::size_t{2});
    QCOMPARE(got[0].first, Level::info);
    QCOMPARE(got[0].second, std::string("epoch 2: dev accuracy 0.8765"));
    QCOMPARE(got[1].first, Level::warn);
  }

  // A sink added or removed while other threads log: every line still reaches the sinks that stay.
  void sinksComeAndGoWhileOtherThreadsLog() {
    kdw::log::init_silent();
    std::atomic<int> kept{0};
    const auto keep = kdw::log::add_sink([&kept](const kdw::log::Record&) { ++kept; });
    std::atomic<bool> stop{false};
    std::atomic<int> written{0};
    std::vector<std::thread> loggers;
    for (int t = 0; t < 2; ++t) {
      loggers.emplace_back([&stop, &written, t] {
        while (!stop.load()) {
          kdw::log::info("thread {} line", t);
          ++written;
        }
      });
    }
    std::atomic<int> churned{0};
    // Churn until both overlap for sure: no timing involved.
    for (int i = 0; i < 2000 || written.load() < 2000; ++i) {
      const auto id = kdw::log::add_sink([&churned](const kdw::log::Record&) { ++churned; });
      kdw::log::remove_sink(id);
    }
    stop = true;
    for (auto& t : loggers) t.join();
    kdw::log::remove_sink(keep);
    QCOMPARE(kept.load(), written.load());
    QVERIFY(churned.load() <= written.load());
  }

  void fileSinkAppends() {
    const fs::path file =
        fs::temp_directory_path() / ("kdw_test_log_" + std::to_string(::getpid()) + ".log");
    fs::remove(file);
    const auto id = kdw::log::add_file(file);
    kdw::log::info("to the file {}", 42);
    kdw::log::remove_sink(id);
    kdw::log::info("not in the file");
    std::ifstream in(file);
    const std::string text((std::istreambuf_iterator<char>(in)), {});
    fs::remove(file);
    QVERIFY(text.find("[info] to the file 42") != std::string::npos);
    QVERIFY(text.find("not in the file") == std::string::npos);
  }

  void parsesCliLevels() {
    QCOMPARE(kdw::log::parse_level("trace"), Level::trace);
    QCOMPARE(kdw::log::parse_level("debug"), Level::debug);
    QCOMPARE(kdw::log::parse_level("info"), Level::info);
    QCOMPARE(kdw::log::parse_level("warn"), Level::warn);
    QCOMPARE(kdw::log::parse_level("error"), Level::error);
  }

  // Only log.cpp may include spdlog or fmt: every other file may see LibTorch's headers, and
  // LibTorch 2.x ships a fmt of its own (see engine/core/log.h).
  void onlyLogCppIncludesSpdlogOrFmt() {
    const fs::path root = KDW_SOURCE_DIR;
    const std::set<std::string> allowed = {"engine/core/log.cpp"};
    const std::regex include("^\\s*#\\s*include\\s*[<\"](spdlog|fmt)/");
    const std::set<std::string> extensions = {".h", ".hpp", ".cpp", ".cc", ".cxx", ".inl"};
    std::vector<std::string> offenders;
    int scanned = 0;
    for (const char* top : {"engine", "app", "ui", "tests", "bench"}) {
      if (!fs::exists(root / top)) continue;
      for (const auto& entry : fs::recursive_directory_iterator(root / top)) {
        if (!entry.is_regular_file() || !extensions.count(entry.path().extension().string()))
          continue;
        ++scanned;
        const std::string rel = entry.path().lexically_relative(root).generic_string();
        std::ifstream in(entry.path());
        std::string line;
        while (std::getline(in, line)) {
          if (std::regex_search(line, include) && !allowed.count(rel)) {
            offenders.push_back(rel + ": " + line);
            break;
          }
        }
      }
    }
    QVERIFY(scanned > 100);
    std::string list;
    for (const auto& o : offenders) list += "\n  " + o;
    QVERIFY2(offenders.empty(),
             ("spdlog/fmt included outside engine/core/log.cpp:" + list).c_str());
  }
};

QTEST_GUILESS_MAIN(TestLog)
#include "test_log.moc"
