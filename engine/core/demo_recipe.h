// The demo pipeline's settings, once: scripts/demo.sh runs them as kdw command lines and the
// GUI's "Open demo workspace" (ui/shell/demo_pipeline) as jobs. Each stage's settings are
// option values by name of that stage's option table, so both read the same names and values;
// tests/ui/shell/test_demo_pipeline compares scripts/demo.sh's flags with these.
#pragma once

#include <string>
#include <vector>

#include "core/option_table.h"

namespace kdw {

struct DemoRecipe {
  std::string csv = "demo/fortunes_ru.csv";  ///< relative to the resources folder
  std::string bert_source = "demo/bert";     ///< config.json + vocab.txt
  std::string bert_folder = "demo_bert";     ///< under <workspace>/files/bert/
  /// kdw finetune: the small demo teacher, trained from scratch (config only).
  OptionArgs finetune = {{"epochs", int64_t(12)}, {"lr", 5e-4}, {"batch_size", int64_t(16)}};
  /// kdw logits: the teacher's logits of train/dev/test and of `augment` augmented copies of
  /// each train text (Tang et al. 2019: the larger transfer set is what brings the student
  /// close to the teacher; docs/distillation.md has the study).
  OptionArgs logits = {{"augment", int64_t(16)}};
  std::vector<std::string> student_types = {"stack_biLSTM", "stack_LSTM"};
  /// kdw distill --model_type T, for each student type, on the originals and their copies:
  /// small enough for a CPU demo (each epoch sees augment + 1 times the train texts, so few
  /// epochs do); one dense warm-up epoch, then the group lasso ramps up over 2 so that the
  /// cut keeps accuracy; sparse_tolerance keeps the sparsest epoch within 3 points of the best
  /// dev accuracy. Chosen by scripts/distill-sweep.sh (docs/distillation.md, "Choosing the
  /// demo's settings": variant k16-h128-e4-l3).
  OptionArgs student = {{"hidden_size", int64_t(128)},
                        {"emb_dim", int64_t(100)},
                        {"epochs", int64_t(4)},
                        {"batch_size", int64_t(32)},
                        {"lr", 2e-3},
                        {"group_lasso", 3e-3},
                        {"lasso_warmup", int64_t(1)},
                        {"lasso_ramp", int64_t(2)},
                        {"iss_threshold", 0.05},
                        {"sparse_tolerance", 0.03}};
  /// kdw compress --restore_path RUN ... --data_path WS, after each student.
  OptionArgs cut = {{"show_weight", true}, {"cut_model", true}, {"threshold", 0.05}};
  /// kdw distill --model_type T --restore_model_path RUN/cut_model_distill_T.pt, after each
  /// cut: the cut model trained on at its smaller shape (Wen et al. 2018), without the lasso.
  OptionArgs train_on = {{"epochs", int64_t(2)}, {"batch_size", int64_t(32)}, {"lr", 1e-3}};
};

/// "--epochs 12 --lr 0.0005 --batch_size 16"; a true flag is the bare --name
std::string option_flags(const OptionArgs& args);
/// Sets one value of `args` (adds it when absent); for tests and smaller demos.
void set_option_arg(OptionArgs& args, const std::string& name, OptionValue value);
/// The value `args` holds for `name`, monostate when none.
OptionValue option_arg(const OptionArgs& args, const std::string& name);

}  // namespace kdw
