// Faults that only a GPU showed (../shared/gpu/README.md), caught on the CPU: BERT, its loss and
// the optimizer step, and the student through its non-CPU LSTM path, run with model and inputs on
// the meta device; any tensor the engine makes on the CPU meets a meta tensor and is recorded
// (device_watch.h). The student's at::lstm call must ask for training whenever a backward follows,
// since cuDNN refuses the backward otherwise.
#include <QtTest/QtTest>

#include <ATen/ATen.h>
#include <torch/optim/adam.h>
#include <torch/optim/adamw.h>

#include "bert/bert_model.h"
#include "bert/finetune.h"
#include "core/adamw_step.h"
#include "core/dropout.h"
#include "device_watch.h"
#include "student/iss.h"
#include "student/loss.h"
#include "student/student_model.h"

using namespace kdw;
using kdw::test::DeviceWatch;

namespace {

const at::TensorOptions kMeta = at::TensorOptions().device(at::kMeta);

BertConfig tiny_bert() {
  BertConfig c;
  c.vocab_size = 50;
  c.hidden_size = 16;
  c.num_hidden_layers = 2;
  c.num_attention_heads = 2;
  c.intermediate_size = 32;
  c.max_position_embeddings = 24;
  return c;
}

// Runs `body`; an exception (e.g. a device mix that a meta kernel does reject) becomes its text.
template <typename F>
std::string run(F&& body) {
  try {
    body();
    return "";
  } catch (const std::exception& e) {
    const std::string what = e.what();
    return what.substr(0, what.find('\n'));
  }
}

bool all_on_meta(const std::vector<at::Tensor>& tensors) {
  for (const auto& t : tensors)
    if (t.defined() && !t.is_meta()) return false;
  return true;
}

}  // namespace

class TestDevice : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void bert_training_step_stays_on_the_model_device_data() {
    QTest::addColumn<bool>("with_mask");
    QTest::addColumn<bool>("bf16");
    QTest::newRow("default mask, float32") << false << false;
    QTest::newRow("given mask, float32") << true << false;
    QTest::newRow("default mask, bfloat16 products") << false << true;
  }

  // kdw finetune's step: forward (train mode, dropout on), cross-entropy, backward, clip-free
  // fused AdamW step (its non-CPU path). On a GPU the CPU-made position ids failed here.
  void bert_training_step_stays_on_the_model_device() {
    QFETCH(bool, with_mask);
    QFETCH(bool, bf16);
    at::manual_seed(1);
    BertForSequenceClassification model(tiny_bert(), 3);
    kdw::test::move_to_meta(*model);
    if (bf16) model->set_matmul_dtype(at::kBFloat16);
    model->train();
    auto optimizer = make_bert_optimizer(model, 1e-3, 0.01);
    const at::Tensor ids = at::zeros({2, 7}, kMeta.dtype(at::kLong));
    const at::Tensor mask = with_mask ? at::ones({2, 7}, kMeta.dtype(at::kLong)) : at::Tensor();
    const at::Tensor labels = at::zeros({2}, kMeta.dtype(at::kLong));
    DeviceWatch watch;
    at::Tensor logits;
    const std::string error = run([&] {
      const auto out = model->forward(ids, mask, {});
      logits = out.logits;
      at::cross_entropy_loss(logits, labels).backward();
      fused_adamw_step(*optimizer, 0.5);
    });
    QVERIFY2(error.empty(), error.c_str());
    QVERIFY2(watch.mixed().empty(), watch.mixed_text().c_str());
    QVERIFY(logits.is_meta());
    QCOMPARE(logits.sizes().vec(), (std::vector<int64_t>{2, 3}));
    std::vector<at::Tensor> grads;
    for (const auto& p : model->parameters()) grads.push_back(p.grad());
    QVERIFY(all_on_meta(model->parameters()) && all_on_meta(grads));
  }

  // kdw logits: evaluation mode, no gradients.
  void bert_inference_stays_on_the_model_device() {
    BertForSequenceClassification model(tiny_bert(), 2);
    kdw::test::move_to_meta(*model);
    model->eval();
    at::NoGradGuard no_grad;
    DeviceWatch watch;
    const std::string error = run([&] {
      const auto out = model->forward(at::zeros({3, 5}, kMeta.dtype(at::kInt)), {},
                                      at::zeros({3, 5}, kMeta.dtype(at::kLong)));
      QVERIFY(out.logits.is_meta() && out.pooled_output.is_meta());
    });
    QVERIFY2(error.empty(), error.c_str());
    QVERIFY2(watch.mixed().empty(), watch.mixed_text().c_str());
  }

  void dropout_stays_on_the_input_device() {
    DeviceWatch watch;
    const at::Tensor x = at::empty({4, 8}, kMeta).requires_grad_();
    at::Tensor y;
    const std::string error = run([&] {
      y = kdw::dropout(x, 0.1, true);
      y.sum().backward();
    });
    QVERIFY2(error.empty(), error.c_str());
    QVERIFY(y.is_meta() && x.grad().is_meta());
    QVERIFY2(watch.mixed().empty(), watch.mixed_text().c_str());
  }

  void student_training_step_stays_on_the_model_device_data() {
    QTest::addColumn<int>("type");
    QTest::newRow("stack_LSTM") << int(StudentType::kStackLSTM);
    QTest::newRow("stack_biLSTM") << int(StudentType::kStackBiLSTM);
  }

  // kdw distill's step through the LSTM path every non-CPU device takes (at::lstm, cuDNN on
  // CUDA): forward in training mode with dropout, distillation loss, group lasso, backward, Adam.
  // cuDNN's backward needs the forward to have run with train=true.
  void student_training_step_stays_on_the_model_device() {
    QFETCH(int, type);
    at::manual_seed(2);
    StudentModel model(StudentArch::make(StudentType(type), 30, 6, 5, 2, {"a", "b", "c"}, 0.2));
    kdw::test::move_to_meta(*model);
    model->train();
    torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(1e-3));
    const at::Tensor ids = at::zeros({4, 9}, kMeta.dtype(at::kLong));
    const at::Tensor lengths = at::full({4}, 9, at::kLong);  // CPU, as make_batch gives them
    const at::Tensor teacher = at::empty({4, 3}, kMeta);
    const at::Tensor gold = at::zeros({4}, kMeta.dtype(at::kLong));
    DeviceWatch watch({"aten::lstm"});
    const std::string error = run([&] {
      const at::Tensor logits = model->forward(ids, lengths);
      QVERIFY(logits.is_meta());
      const DistillLoss loss = distill_loss(logits, teacher, gold, 0.5, 2.0, "kl");
      (loss.total + 0.01 * group_lasso_penalty(*model)).backward();
      optimizer.step();
    });
    QVERIFY2(error.empty(), error.c_str());
    QVERIFY2(watch.mixed().empty(), watch.mixed_text().c_str());
    const auto calls = watch.calls("aten::lstm");
    QCOMPARE(calls.size(), std::size_t(type == int(StudentType::kStackBiLSTM) ? 4 : 2));
    for (const auto& args : calls) QVERIFY2(args.at(6).toBool(), "at::lstm ran with train=false");
    std::vector<at::Tensor> grads;
    for (const auto& p : model->parameters()) grads.push_back(p.grad());
    QVERIFY(all_on_meta(model->parameters()) && all_on_meta(grads));
  }

  // Evaluation needs no backward: cuDNN may skip what the backward would need.
  void student_inference_asks_for_no_training_state() {
    StudentModel model(StudentArch::make(StudentType::kStackBiLSTM, 30, 6, 5, 1, {"a", "b"}, 0.2));
    kdw::test::move_to_meta(*model);
    model->eval();
    at::NoGradGuard no_grad;
    DeviceWatch watch({"aten::lstm"});
    const std::string error = run([&] {
      const at::Tensor logits =
          model->forward(at::zeros({2, 4}, kMeta.dtype(at::kLong)), at::full({2}, 4, at::kLong));
      QVERIFY(logits.is_meta());
    });
    QVERIFY2(error.empty(), error.c_str());
    QVERIFY2(watch.mixed().empty(), watch.mixed_text().c_str());
    const auto calls = watch.calls("aten::lstm");
    QCOMPARE(calls.size(), std::size_t(2));
    for (const auto& args : calls) QVERIFY(!args.at(6).toBool());
  }

  // The watch itself: a CPU tensor meeting a meta one is seen even where the meta kernel lets it
  // pass (linear), and the known fault (CPU position ids into a meta embedding) is reported.
  void the_watch_sees_a_device_mix() {
    DeviceWatch watch;
    const at::Tensor w = at::empty({10, 4}, kMeta);
    const std::string error = run([&] {
      at::linear(at::empty({2, 4}, kMeta), at::empty({3, 4}), {});
      at::embedding(w, at::arange(3, at::kLong));
    });
    QVERIFY2(error.empty(), error.c_str());
    const auto mixed = watch.mixed();
    QVERIFY2(mixed.size() >= 2, watch.mixed_text().c_str());
    QVERIFY2(watch.mixed_text().find("aten::linear on cpu meta") != std::string::npos,
             watch.mixed_text().c_str());
    QVERIFY2(watch.mixed_text().find("aten::embedding on cpu meta") != std::string::npos,
             watch.mixed_text().c_str());
  }
};

QTEST_GUILESS_MAIN(TestDevice)
#include "test_device.moc"
