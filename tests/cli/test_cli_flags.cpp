// The options of a stage written as kdw flags (OptionTable::to_cli_args) read back by the kdw
// verb's parser to the same options, for every table and an option of every kind set to a
// value other than its default (a number that needs all its digits, a text with spaces and "=",
// a path that starts with "--", a false flag whose default is true); and the job events of
// `kdw --progress json` (core/job_events.h) read back as written. The GUI starts multi-process
// jobs with both.
#include <QtTest>

#include "bert/teacher_options.h"
#include "cli_args.h"
#include "compress/compress_options.h"
#include "core/job_events.h"
#include "data/prepare_options.h"
#include "dist/dist_options.h"
#include "student/distill_options.h"

namespace {

// A valid value of the option other than its default (the default when it has no other).
kdw::OptionValue other_value(const kdw::OptionSpec& s) {
  std::vector<kdw::OptionValue> candidates;
  switch (s.kind) {
    case kdw::OptionKind::kInteger:
      candidates = {s.min + 1, s.min, s.max};
      break;
    case kdw::OptionKind::kNumber:
      candidates = {0.1 + 0.2, 0.0625, 1.5, 7.25, 0.0};
      break;
    case kdw::OptionKind::kChoice:
      for (const auto& c : s.choices) candidates.push_back(c);
      break;
    case kdw::OptionKind::kFlag:
      candidates = {true, false};
      break;
    case kdw::OptionKind::kText:
      candidates = {std::string("a b=c")};
      break;
    case kdw::OptionKind::kPath:
      candidates = {std::string("--odd dir/x=1")};
      break;
  }
  for (const auto& v : candidates) {
    if (v == s.default_value) continue;
    try {
      kdw::check_option_value(s, v);
      return v;
    } catch (const kdw::Error&) {
    }
  }
  return s.default_value;
}

template <class O>
void check_round_trip(const kdw::OptionTable<O>& table, const char* verb) {
  O x;
  int changed = 0, on_cli = 0;
  for (const auto& e : table.entries()) {
    if (!e.spec.on_cli()) continue;
    ++on_cli;
    const kdw::OptionValue v = other_value(e.spec);
    if (v == e.spec.default_value) continue;
    try {
      table.set(x, e.spec.name, v);
      ++changed;
    } catch (const kdw::Error&) {
      // A text the field reads in its own way (prepare's split "60:20:20") keeps its default.
    }
  }
  QVERIFY(changed > 3 || changed == on_cli);
  const std::vector<std::string> args = table.to_cli_args(x);
  std::vector<std::string> argv_text{verb};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_text) argv.push_back(a.data());

  O y;
  kdw::cli::ArgParser parser(verb, "test");
  parser.add_table(table, y);
  QVERIFY(parser.parse(int(argv.size()), argv.data()));
  QCOMPARE(QString::fromStdString(table.to_json(y).dump()),
           QString::fromStdString(table.to_json(x).dump()));
}

}  // namespace

class TestCliFlags : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void everyTableRoundTrips() {
    check_round_trip(kdw::distill_option_table(), "distill");
    check_round_trip(kdw::finetune_option_table(), "finetune");
    check_round_trip(kdw::logits_option_table(), "logits");
    check_round_trip(kdw::compress_option_table(), "compress");
    check_round_trip(kdw::prepare_option_table(), "prepare");
    check_round_trip(kdw::dist::dist_option_table(), "distill");
  }

  // Defaults stay defaults; an empty path ("not given") is left out; a true flag is bare.
  void defaultsAndFlags() {
    kdw::DistillOptions o;
    o.data_path = "/ws";
    o.emb_from_teacher = true;
    o.augmented = false;
    const auto args = kdw::distill_option_table().to_cli_args(o);
    const auto has = [&args](const std::string& a) {
      return std::find(args.begin(), args.end(), a) != args.end();
    };
    QVERIFY(has("--data_path=/ws"));
    QVERIFY(has("--emb_from_teacher"));
    QVERIFY(has("--augmented=false"));
    QVERIFY(has("--model_type=stack_biLSTM"));
    for (const auto& a : args) QVERIFY2(a.rfind("--output_dir", 0) != 0, a.c_str());
  }

  void jobEventsReadBack() {
    using kdw::JobEvent;
    const auto back = [](const JobEvent& e) {
      const std::string line = kdw::job_event_line(e);
      if (line.find('\n') != std::string::npos) qFatal("an event line holds a newline");
      const auto read = kdw::read_job_event(line);
      if (!read) qFatal("not read back: %s", line.c_str());
      return *read;
    };
    const JobEvent p = back(kdw::progress_event({"epoch 2/3", 5, 9, "loss 0.4\nnext"}));
    QCOMPARE(p.kind, JobEvent::Kind::kProgress);
    QCOMPARE(QString::fromStdString(p.progress.stage), QStringLiteral("epoch 2/3"));
    QCOMPARE(p.progress.done, int64_t(5));
    QCOMPARE(p.progress.total, int64_t(9));
    QCOMPARE(QString::fromStdString(p.progress.message), QStringLiteral("loss 0.4\nnext"));
    const nlohmann::json record = {{"kind", "step"}, {"step", 10}, {"loss", 0.25}};
    const JobEvent m = back(kdw::metric_event(record));
    QCOMPARE(m.kind, JobEvent::Kind::kMetric);
    QVERIFY(m.data == record);
    const JobEvent r = back(kdw::result_event({{"run_dir", "/x"}}));
    QCOMPARE(r.kind, JobEvent::Kind::kResult);
    QVERIFY(r.data == nlohmann::json({{"run_dir", "/x"}}));
    const JobEvent c = back(kdw::cancelled_event(nullptr));
    QCOMPARE(c.kind, JobEvent::Kind::kCancelled);
    QVERIFY(c.data.is_null());
    const JobEvent e = back(kdw::error_event("data.csv: bad", -1, 1));
    QCOMPARE(e.kind, JobEvent::Kind::kError);
    QCOMPARE(QString::fromStdString(e.message), QStringLiteral("data.csv: bad"));
    QCOMPARE(e.rank, -1);
    QCOMPARE(e.failed_rank, 1);
    // Other lines are not events.
    for (const char* line : {"", "[info] text", "{\"event\":\"other\"}", "{not json", "[1,2]"})
      QVERIFY2(!kdw::read_job_event(line), line);
  }
};

QTEST_GUILESS_MAIN(TestCliFlags)
#include "test_cli_flags.moc"
