// The distillation's option table (student/distill_options.h, issue 12): it holds the defaults,
// checks every value with a message naming the field (never a CLI flag), writes config.json and
// reads it back, and the demo's settings are option values of it.
#include <QtTest>

#include <limits>

#include "core/demo_recipe.h"
#include "core/error.h"
#include "student/distill_options.h"

using namespace kdw;

namespace {

std::string usage_error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const UsageError& e) {
    return e.what();
  }
  return {};
}

}  // namespace

class TestDistillOptions : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void defaultsComeFromTheTable() {
    const DistillOptions o;
    for (const auto& e : distill_option_table().entries())
      QVERIFY2(e.get(o) == e.spec.default_value, e.spec.name.c_str());
    QCOMPARE(o.hidden_size, int64_t(1000));
    QCOMPARE(o.model_type, StudentType::kStackBiLSTM);
  }

  void valuesAreCheckedNamingTheField() {
    const auto& t = distill_option_table();
    DistillOptions o;
    QCOMPARE(usage_error_of([&] { t.set(o, "dropout", std::numeric_limits<double>::quiet_NaN()); }),
             std::string("dropout must be a finite number in [0, 1): got nan"));
    QCOMPARE(usage_error_of([&] { t.set(o, "num_layers", int64_t(17)); }),
             std::string("num_layers must be in 1..16: got 17"));
    QCOMPARE(usage_error_of([&] { t.set(o, "distill_loss", std::string("l1")); }),
             std::string("unknown distill_loss 'l1' (valid: mse, kl)"));
    QCOMPARE(usage_error_of([&] { t.set(o, "hidden_size", 2.5); }),
             std::string("hidden_size must be an integer"));
    QCOMPARE(o.num_layers, 2);  // a refused value is not set
    // Values set by code are checked by check().
    o.epochs = 0;
    QCOMPARE(usage_error_of([&] { t.check(o); }),
             std::string("epochs must be in 1..100000: got 0"));
    // A seed above int64's range reads as negative and is refused, not wrapped.
    o = DistillOptions();
    o.seed = std::numeric_limits<uint64_t>::max();
    QVERIFY(usage_error_of([&] { t.check(o); }).rfind("seed must be in 0..", 0) == 0);
  }

  void configJsonReadsBack() {
    DistillOptions o;
    o.hidden_size = 77;
    o.model_type = StudentType::kStackLSTM;
    o.lr = 0.25;
    o.distill_loss = "kl";
    o.data_path = "/data";
    const nlohmann::json j = nlohmann::json::parse(o.to_json().dump());
    QCOMPARE(j.at("hidden_size").get<int64_t>(), int64_t(77));
    QCOMPARE(j.at("model_type").get<std::string>(), std::string("stack_LSTM"));
    const DistillOptions back = distill_options_from_json(j);
    QCOMPARE(back.to_json().dump(), o.to_json().dump());
    // A partial config (an older run) keeps the other defaults; a bad one names the field.
    QCOMPARE(distill_options_from_json({{"epochs", 3}}).epochs, 3);
    QCOMPARE(usage_error_of([] {
               distill_options_from_json({{"lr", "fast"}});
             }),
             std::string("lr must be a number"));
    QCOMPARE(usage_error_of([] {
               distill_options_from_json({{"alpha", 2}});
             }),
             std::string("alpha must be a finite number in [0, 1]: got 2"));
  }

  void demoSettingsAreOptionsOfTheTable() {
    const DemoRecipe demo;
    QCOMPARE(option_flags(demo.student),
             std::string("--hidden_size 128 --emb_dim 100 --epochs 4 --batch_size 32 --lr 0.002 "
                         "--group_lasso 0.003 --lasso_warmup 1 --lasso_ramp 2 "
                         "--iss_threshold 0.05 --sparse_tolerance 0.03"));
    QCOMPARE(option_flags(demo.train_on), std::string("--epochs 2 --batch_size 32 --lr 0.001"));
    QCOMPARE(option_flags(demo.cut), std::string("--show_weight --cut_model --threshold 0.05"));
    DistillOptions o;
    apply_option_args(distill_option_table(), demo.student, o);
    QCOMPARE(o.hidden_size, int64_t(128));
    QCOMPARE(o.lasso_ramp, 2);
    QCOMPARE(o.group_lasso, 3e-3);
    OptionArgs bad = demo.student;
    set_option_arg(bad, "hidden_sise", int64_t(1));
    QCOMPARE(usage_error_of([&] { apply_option_args(distill_option_table(), bad, o); }),
             std::string("unknown option 'hidden_sise'"));
  }
};

QTEST_GUILESS_MAIN(TestDistillOptions)
#include "test_distill_options.moc"
