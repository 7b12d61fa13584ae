// BERT model and checkpoint folders: parity with the reference outputs for both layouts, save/load
// round trip, shape and padding invariants at odd sizes, bf16, and the errors bad folders give.
#include <QtTest/QtTest>

#include <fstream>

#include <nlohmann/json.hpp>

#include "bert/bert_io.h"
#include "bert_test_util.h"
#include "core/error.h"
#include "formats/safetensors.h"

namespace fs = std::filesystem;
using namespace kdw;
using namespace kdw::test;

namespace {

BertForSequenceClassificationImpl::Output run(BertForSequenceClassification model,
                                              const ExpectedOutputs& e) {
  at::NoGradGuard no_grad;
  return model->forward(e.input_ids, e.attention_mask, e.token_type_ids);
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// Bytes this thread has read through read(2) and the like so far (Linux's per-thread I/O
// accounting, which counts page-cache hits too): how much of a file a reader really read.
int64_t bytes_read_by_this_thread() {
  std::ifstream io("/proc/thread-self/io");
  std::string key;
  int64_t value = -1;
  while (io >> key >> value)
    if (key == "rchar:") return value;
  return -1;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

BertConfig small_config() {
  BertConfig c;
  c.vocab_size = 53;
  c.hidden_size = 21;
  c.num_hidden_layers = 2;
  c.num_attention_heads = 3;
  c.intermediate_size = 17;
  c.max_position_embeddings = 16;
  c.type_vocab_size = 3;
  return c;
}

}  // namespace

class TestBert : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir tmp_;
  ExpectedOutputs expected_;
  fs::path dir() const { return fs::path(tmp_.path().toStdString()); }

  void check_encoder(const BertForSequenceClassificationImpl::Output& out) {
    const double seq = max_abs_diff(out.sequence_output, expected_.sequence_output);
    const double pooled = max_abs_diff(out.pooled_output, expected_.pooled_output);
    qInfo("max |diff|: sequence_output %.3g, pooled_output %.3g", seq, pooled);
    QVERIFY(seq <= expected_.tolerance);
    QVERIFY(pooled <= expected_.tolerance);
  }

 private Q_SLOTS:
  void initTestCase() {
    at::manual_seed(7);
    expected_ = expected_outputs();
  }

  void parity_deeppavlov() {
    LoadedBert loaded = load_bert(bert_fixtures() / "deeppavlov_style", {"neg", "neu", "pos"});
    QCOMPARE(loaded.info.layout, std::string("deeppavlov"));
    QVERIFY(loaded.new_head);
    QVERIFY(!loaded.info.has_classifier);
    QVERIFY(loaded.info.missing.empty());
    QVERIFY(!loaded.info.unexpected.empty());
    for (const auto& name : loaded.info.unexpected)
      QVERIFY2(name.rfind("cls.", 0) == 0, name.c_str());
    QCOMPARE(loaded.config.labels, std::vector<std::string>({"neg", "neu", "pos"}));
    check_encoder(run(loaded.model, expected_));
  }

  void parity_huggingface_safetensors() {
    LoadedBert loaded = load_bert(bert_fixtures() / "hf_style", {});
    QCOMPARE(loaded.info.layout, std::string("huggingface"));
    QCOMPARE(loaded.info.weights_file.filename().string(), std::string("model.safetensors"));
    QVERIFY(!loaded.new_head);
    QCOMPARE(loaded.config.labels, std::vector<std::string>({"LABEL_0", "LABEL_1", "LABEL_2"}));
    const auto out = run(loaded.model, expected_);
    check_encoder(out);
    const double logits = max_abs_diff(out.logits, expected_.logits);
    qInfo("max |diff| logits %.3g", logits);
    QVERIFY(logits <= expected_.tolerance);
  }

  void parity_huggingface_zip_checkpoint() {
    const fs::path folder = dir() / "hf_zip";
    copy_folder(bert_fixtures() / "hf_style", folder);
    fs::remove(folder / "model.safetensors");
    LoadedBert loaded = load_bert(folder, {"LABEL_0", "LABEL_1", "LABEL_2"});
    QCOMPARE(loaded.info.weights_file.filename().string(), std::string("pytorch_model.bin"));
    const auto out = run(loaded.model, expected_);
    check_encoder(out);
    QVERIFY(max_abs_diff(out.logits, expected_.logits) <= expected_.tolerance);
  }

  void save_and_load_round_trip() {
    LoadedBert first = load_bert(bert_fixtures() / "deeppavlov_style", {"a", "b"});
    const fs::path folder = dir() / "saved";
    save_bert_hf(first.model, first.config, first.info.vocab_file, folder);
    QVERIFY(fs::exists(folder / "config.json") && fs::exists(folder / "model.safetensors"));
    const auto config = nlohmann::json::parse(read_bytes(folder / "config.json"));
    QCOMPARE(config.at("id2label").at("1").get<std::string>(), std::string("b"));
    QCOMPARE(config.at("label2id").at("a").get<int>(), 0);
    QCOMPARE(config.at("model_type").get<std::string>(), std::string("bert"));
    QCOMPARE(read_bytes(folder / "vocab.txt"), read_bytes(first.info.vocab_file));

    LoadedBert second = load_bert(folder, {"a", "b"});
    QVERIFY(!second.new_head);
    QCOMPARE(second.info.layout, std::string("huggingface"));
    QCOMPARE(second.info.parameter_count, first.info.parameter_count + 2 * 48 + 2);
    const auto a = run(first.model, expected_), b = run(second.model, expected_);
    QVERIFY(at::equal(a.sequence_output, b.sequence_output));
    QVERIFY(at::equal(a.pooled_output, b.pooled_output));
    QVERIFY(at::equal(a.logits, b.logits));
    // Saving again replaces the folder whole.
    save_bert_hf(second.model, second.config, second.info.vocab_file, folder);
    QVERIFY(at::equal(run(load_bert(folder, {}).model, expected_).logits, a.logits));
  }

  void parameter_names_follow_huggingface() {
    const BertConfig c = small_config();
    BertForSequenceClassification model(c, 5);
    const auto expected = bert_parameter_shapes(c, 5);
    const auto params = model->named_parameters();
    QCOMPARE(params.size(), expected.size());
    std::size_t i = 0;
    for (const auto& item : params) {
      QCOMPARE(item.key(), expected[i].first);
      QVERIFY2(item.value().sizes() == at::IntArrayRef(expected[i].second), item.key().c_str());
      ++i;
    }
  }

  void odd_shapes_and_padding_invariance() {
    BertForSequenceClassification model(small_config(), 5);
    model->eval();
    at::NoGradGuard no_grad;
    const at::Tensor alone_ids = at::randint(1, 53, {1, 7}, at::kLong);
    const at::Tensor alone_types = at::randint(0, 3, {1, 7}, at::kLong);
    const auto alone = model->forward(alone_ids, at::ones({1, 7}, at::kLong), alone_types);
    QCOMPARE(alone.sequence_output.sizes(), at::IntArrayRef({1, 7, 21}));
    QCOMPARE(alone.pooled_output.sizes(), at::IntArrayRef({1, 21}));
    QCOMPARE(alone.logits.sizes(), at::IntArrayRef({1, 5}));

    // The same sample right-padded to 12 tokens (padding ids are arbitrary on purpose) next to a
    // full-length neighbour.
    at::Tensor ids = at::randint(0, 53, {2, 12}, at::kLong);
    at::Tensor types = at::randint(0, 3, {2, 12}, at::kLong);
    at::Tensor mask = at::ones({2, 12}, at::kLong);
    ids[1].narrow(0, 0, 7).copy_(alone_ids[0]);
    types[1].narrow(0, 0, 7).copy_(alone_types[0]);
    mask[1].narrow(0, 7, 5).zero_();
    const auto batch = model->forward(ids, mask, types);
    const double seq =
        max_abs_diff(batch.sequence_output[1].narrow(0, 0, 7), alone.sequence_output[0]);
    const double logits = max_abs_diff(batch.logits[1], alone.logits[0]);
    qInfo("padding changes outputs by at most %.3g (sequence) %.3g (logits)", seq, logits);
    QVERIFY(seq < 1e-5);
    QVERIFY(logits < 1e-5);
    // ...and the neighbour does not change it either: the first row alone gives its batch result.
    const auto first =
        model->forward(ids.narrow(0, 0, 1), mask.narrow(0, 0, 1), types.narrow(0, 0, 1));
    QVERIFY(max_abs_diff(first.logits[0], batch.logits[0]) < 1e-5);
  }

  void training_mode_uses_dropout() {
    BertConfig c = small_config();
    c.hidden_dropout_prob = 0.5;
    BertForSequenceClassification model(c, 2);
    const at::Tensor ids = at::randint(0, 53, {2, 9}, at::kLong);
    model->train();
    const auto a = model->forward(ids, {}, {});
    const auto b = model->forward(ids, {}, {});
    QVERIFY(!at::equal(a.logits, b.logits));
    a.logits.sum().backward();
    for (const auto& p : model->parameters()) QVERIFY(p.grad().defined());
    model->eval();
    at::NoGradGuard no_grad;
    QVERIFY(at::equal(model->forward(ids, {}, {}).logits, model->forward(ids, {}, {}).logits));
  }

  void bad_forward_inputs_are_errors() {
    BertForSequenceClassification model(small_config(), 2);
    at::NoGradGuard no_grad;
    const std::string too_long = error_of([&] {
      model->forward(at::zeros({1, 17}, at::kLong), {}, {});
    });
    QVERIFY2(contains(too_long, "17") && contains(too_long, "max_position_embeddings 16"),
             too_long.c_str());
    QVERIFY(error_of([&] { model->forward(at::full({1, 4}, 53, at::kLong), {}, {}); }) != "");
    QVERIFY(error_of([&] {
              model->forward(at::zeros({1, 4}, at::kLong), at::ones({1, 5}, at::kLong), {});
            }) != "");
    QVERIFY(error_of([&] {
              model->forward(at::zeros({1, 4}, at::kLong), {}, at::full({1, 4}, 3, at::kLong));
            }) != "");
    QVERIFY(error_of([&] { model->forward(at::zeros({4}, at::kLong), {}, {}); }) != "");
    // max_position_embeddings itself is fine.
    QCOMPARE(model->forward(at::zeros({1, 16}, at::kLong), {}, {}).sequence_output.size(1), 16);
  }

  // The fused attention kernel (what a GPU runs under LibTorch >= 2.1) against the reference
  // outputs and against the explicit path's gradients, on the CPU. Debian 12's LibTorch 1.13 has
  // no such kernel: there the model must refuse to be asked for it.
  void fused_attention_matches_explicit() {
    using Attention = BertForSequenceClassificationImpl::Attention;
    if (!BertForSequenceClassificationImpl::has_fused_attention()) {
      BertForSequenceClassification model(small_config(), 2);
      QVERIFY(contains(error_of([&] { model->set_attention(Attention::kFused); }), "2.1"));
      return;
    }
    LoadedBert loaded = load_bert(bert_fixtures() / "hf_style", {});
    loaded.model->set_attention(Attention::kFused);
    check_encoder(run(loaded.model, expected_));

    BertConfig c = small_config();
    c.hidden_dropout_prob = c.attention_probs_dropout_prob = 0;
    BertForSequenceClassification fused(c, 3), plain(c, 3);
    {
      at::NoGradGuard no_grad;
      for (std::size_t k = 0; k < fused->parameters().size(); ++k)
        plain->parameters()[k].copy_(fused->parameters()[k]);
    }
    fused->set_attention(Attention::kFused);
    plain->set_attention(Attention::kExplicit);
    const at::Tensor ids = at::randint(0, 53, {3, 11}, at::kLong);
    at::Tensor mask = at::ones({3, 11}, at::kLong);
    mask[2].narrow(0, 4, 7).zero_();
    fused->forward(ids, mask, {}).logits.sum().backward();
    plain->forward(ids, mask, {}).logits.sum().backward();
    double worst = 0;
    for (std::size_t k = 0; k < fused->parameters().size(); ++k)
      worst = std::max(worst,
                       max_abs_diff(fused->parameters()[k].grad(), plain->parameters()[k].grad()));
    qInfo("fused vs explicit attention: gradients differ by at most %.3g", worst);
    QVERIFY(worst < 1e-4);
  }

  void bfloat16_inference() {
    LoadedBert loaded = load_bert(bert_fixtures() / "hf_style", {});
    loaded.model->to(at::kBFloat16);
    const auto out = run(loaded.model, expected_);
    QCOMPARE(out.logits.scalar_type(), at::kFloat);
    const double logits = max_abs_diff(out.logits, expected_.logits);
    const double seq = max_abs_diff(out.sequence_output, expected_.sequence_output);
    qInfo("bf16: max |diff| logits %.3g, sequence_output %.3g", logits, seq);
    QVERIFY(logits < 0.05);
    QVERIFY(seq < 0.1);
  }

  void inspect_reports_the_folder() {
    const BertFolderInfo dp = inspect_bert_folder(bert_fixtures() / "deeppavlov_style");
    QCOMPARE(dp.vocab_lines, int64_t{2384});
    QCOMPARE(dp.config.hidden_size, int64_t{48});
    QVERIFY(dp.labels.empty());
    int64_t count = 0;
    for (const auto& entry : bert_parameter_shapes(dp.config, 0)) {
      int64_t n = 1;
      for (int64_t d : entry.second) n *= d;
      count += n;
    }
    QCOMPARE(dp.parameter_count, count);

    const fs::path folder = dir() / "config_only";
    fs::create_directories(folder);
    write_bytes(folder / "bert_config.json",
                read_bytes(bert_fixtures() / "deeppavlov_style" / "bert_config.json"));
    write_bytes(folder / "vocab.txt", read_bytes(bert_fixtures() / "vocab.txt"));
    QCOMPARE(inspect_bert_folder(folder).layout, std::string("config-only"));
    LoadedBert random = load_bert(folder, {"x", "y"});
    QVERIFY(random.new_head);
    QCOMPARE(run(random.model, expected_).logits.sizes(), at::IntArrayRef({4, 2}));
  }

  // Inspecting reads only the weights' names, dtypes and shapes, yet reports the folder exactly
  // as loading it (which reads every tensor) does, for the three weight formats.
  void inspect_reads_headers_not_weights() {
    const fs::path zip = dir() / "hf_zip";
    copy_folder(bert_fixtures() / "hf_style", zip);
    fs::remove(zip / "model.safetensors");
    // A checkpoint with 8 MB more of tensors the classifier does not use (as cls.* heads are).
    const fs::path large = dir() / "hf_large";
    copy_folder(bert_fixtures() / "hf_style", large);
    fs::remove(large / "pytorch_model.bin");
    auto tensors = read_safetensors(large / "model.safetensors").tensors;
    tensors.emplace_back("cls.predictions.extra", at::zeros({2 << 20}));
    write_safetensors(large / "model.safetensors", tensors);
    for (const fs::path& folder :
         {bert_fixtures() / "deeppavlov_style", bert_fixtures() / "hf_style", zip, large}) {
      const int64_t before = bytes_read_by_this_thread();
      QVERIFY(before >= 0);
      const BertFolderInfo info = inspect_bert_folder(folder);
      const int64_t read = bytes_read_by_this_thread() - before;
      const auto weights = static_cast<int64_t>(fs::file_size(info.weights_file));
      qInfo("%s: inspecting read %lld bytes (weights file %lld bytes)", folder.filename().c_str(),
            static_cast<long long>(read), static_cast<long long>(weights));
      // Config, vocabulary (24 KB) and the header: well under the weights file alone.
      QVERIFY2(read < weights / 3, folder.c_str());

      const BertFolderInfo loaded =
          load_bert(folder, info.has_classifier ? std::vector<std::string>{}
                                                : std::vector<std::string>{"a", "b"})
              .info;
      QCOMPARE(info.layout, loaded.layout);
      QCOMPARE(info.config_file, loaded.config_file);
      QCOMPARE(info.vocab_file, loaded.vocab_file);
      QCOMPARE(info.weights_file, loaded.weights_file);
      QCOMPARE(info.parameter_count, loaded.parameter_count);
      QCOMPARE(info.vocab_lines, loaded.vocab_lines);
      QCOMPARE(info.labels, loaded.labels);
      QCOMPARE(info.unexpected, loaded.unexpected);
      QCOMPARE(info.missing, loaded.missing);
      QCOMPARE(info.has_classifier, loaded.has_classifier);
      QCOMPARE(info.config.hidden_size, loaded.config.hidden_size);
    }
    QCOMPARE(inspect_bert_folder(large).unexpected.back(), std::string("cls.predictions.extra"));
  }

  void shape_mismatch_names_tensor_and_shapes() {
    const fs::path folder = dir() / "bad_shape";
    copy_folder(bert_fixtures() / "deeppavlov_style", folder);
    auto config = nlohmann::json::parse(read_bytes(folder / "bert_config.json"));
    config["intermediate_size"] = 95;
    write_bytes(folder / "bert_config.json", config.dump());
    const std::string error = error_of([&] { load_bert(folder, {"a"}); });
    QVERIFY2(contains(error, "bert.encoder.layer.0.intermediate.dense.weight") &&
                 contains(error, "[96, 48]") && contains(error, "[95, 48]") &&
                 contains(error, "pytorch_model.bin"),
             error.c_str());
  }

  void vocabulary_mismatch_says_both_numbers() {
    const fs::path folder = dir() / "bad_vocab";
    copy_folder(bert_fixtures() / "hf_style", folder);
    write_bytes(folder / "vocab.txt", read_bytes(folder / "vocab.txt") + "extra\n");
    const std::string error = error_of([&] { inspect_bert_folder(folder); });
    QVERIFY2(contains(error, "2385") && contains(error, "2384") && contains(error, "vocab.txt"),
             error.c_str());
  }

  // HF's placeholder labels (LABEL_0..2 in the fixture) mean the head was never trained for
  // named classes: the data's labels get a new head, of their own size, on the same encoder.
  void placeholder_head_is_replaced() {
    const fs::path folder = bert_fixtures() / "hf_style";
    const LoadedBert kept = load_bert(folder, {});
    for (const std::vector<std::string>& labels :
         {std::vector<std::string>{"x", "y", "z"}, std::vector<std::string>{"neg", "pos"}}) {
      const LoadedBert loaded = load_bert(folder, labels);
      QVERIFY(loaded.new_head);
      QCOMPARE(loaded.config.labels, labels);
      QCOMPARE(loaded.model->num_labels(), static_cast<int64_t>(labels.size()));
      const auto out = run(loaded.model, expected_);
      check_encoder(out);  // the pretrained encoder is loaded as before
      QCOMPARE(out.logits.size(1), static_cast<int64_t>(labels.size()));
      if (labels.size() == 3) QVERIFY(!at::equal(out.logits, run(kept.model, expected_).logits));
    }
    // Data that really is labelled LABEL_0..2 keeps the trained head.
    QVERIFY(!load_bert(folder, {"LABEL_0", "LABEL_1", "LABEL_2"}).new_head);
  }

  void head_and_labels_must_match() {
    const fs::path folder = dir() / "named_head";
    copy_folder(bert_fixtures() / "hf_style", folder);
    auto config = nlohmann::json::parse(read_bytes(folder / "config.json"));
    config["id2label"] = {{"0", "neg"}, {"1", "neu"}, {"2", "pos"}};
    config["label2id"] = {{"neg", 0}, {"neu", 1}, {"pos", 2}};
    write_bytes(folder / "config.json", config.dump());
    const std::string error = error_of([&] { load_bert(folder, {"x", "y", "z"}); });
    QVERIFY2(contains(error, "neg, neu, pos") && contains(error, "x, y, z") &&
                 contains(error, "without the classifier"),
             error.c_str());
    const std::string no_labels =
        error_of([&] { load_bert(bert_fixtures() / "deeppavlov_style", {}); });
    QVERIFY2(contains(no_labels, "no classifier"), no_labels.c_str());
  }

  // Config sizes are bounded before anything of their size is built (16,777,216 layers ran
  // 12.7 s into bad_alloc); nesting is bounded before parsing; folders are not files.
  void config_sizes_and_nesting_are_bounded() {
    const fs::path folder = dir() / "hostile_config";
    fs::create_directories(folder);
    write_bytes(folder / "vocab.txt", read_bytes(bert_fixtures() / "vocab.txt"));
    const auto base = nlohmann::json::parse(
        read_bytes(bert_fixtures() / "deeppavlov_style" / "bert_config.json"));
    const fs::path config = folder / "config.json";
    struct Case {
      const char* field;
      int64_t value;
      const char* says;
    };
    for (const Case& c :
         std::vector<Case>{{"num_hidden_layers", 16777216, "num_hidden_layers"},
                           {"hidden_size", int64_t{1} << 20, "hidden_size"},
                           {"intermediate_size", int64_t{1} << 24, "intermediate_size"},
                           {"max_position_embeddings", int64_t{1} << 24, "max_position"},
                           {"type_vocab_size", int64_t{1} << 20, "type_vocab_size"},
                           {"num_attention_heads", 5, "multiple"},
                           {"hidden_size", 4096, "parameters"}}) {
      auto j = base;
      j[c.field] = c.value;
      if (std::string(c.says) == "parameters") {  // each size allowed, the whole too large
        j["num_attention_heads"] = 16;
        j["num_hidden_layers"] = 256;
        j["intermediate_size"] = 16384;
      }
      write_bytes(config, j.dump());
      const std::string error = error_of([&] { inspect_bert_folder(folder); });
      QVERIFY2(contains(error, config.string()) && contains(error, c.says), error.c_str());
    }
    write_bytes(config,
                "{\"vocab_size\": " + std::string(200000, '[') + std::string(200000, ']') + "}");
    const std::string deep = error_of([&] { inspect_bert_folder(folder); });
    QVERIFY2(contains(deep, config.string()) && contains(deep, "nested more than"), deep.c_str());

    write_bytes(config, base.dump());
    QCOMPARE(inspect_bert_folder(folder).layout, std::string("config-only"));
    fs::remove(folder / "vocab.txt");
    fs::create_directories(folder / "vocab.txt");
    const std::string vocab = error_of([&] { inspect_bert_folder(folder); });
    QVERIFY2(contains(vocab, "vocab.txt: is a folder, not a file"), vocab.c_str());
  }

  void damaged_weights_are_errors() {
    const fs::path folder = dir() / "damaged";
    copy_folder(bert_fixtures() / "hf_style", folder);
    const std::string st = read_bytes(folder / "model.safetensors");
    write_bytes(folder / "model.safetensors", st.substr(0, st.size() - 10));
    QVERIFY(contains(error_of([&] { load_bert(folder, {}); }), "model.safetensors"));
    write_bytes(folder / "model.safetensors", st.substr(0, 100));
    QVERIFY(contains(error_of([&] { load_bert(folder, {}); }), "model.safetensors"));

    fs::remove(folder / "model.safetensors");
    const std::string bin = read_bytes(folder / "pytorch_model.bin");
    write_bytes(folder / "pytorch_model.bin", bin.substr(0, bin.size() / 2));
    QVERIFY(contains(error_of([&] { load_bert(folder, {}); }), "pytorch_model.bin"));
    // Inspecting reads less but checks the same sizes: a truncated file is refused too.
    QVERIFY(contains(error_of([&] { inspect_bert_folder(folder); }), "pytorch_model.bin"));
    write_bytes(folder / "model.safetensors", st.substr(0, st.size() - 10));
    QVERIFY(contains(error_of([&] { inspect_bert_folder(folder); }), "model.safetensors"));
    fs::remove(folder / "model.safetensors");
    const std::string legacy =
        read_bytes(bert_fixtures() / "deeppavlov_style" / "pytorch_model.bin");
    write_bytes(folder / "pytorch_model.bin", legacy.substr(0, legacy.size() - 10));
    QVERIFY(contains(error_of([&] { inspect_bert_folder(folder); }), "truncated checkpoint"));

    // A checkpoint without some tensor: listed as missing, and loading refuses.
    auto tensors = read_safetensors(bert_fixtures() / "hf_style" / "model.safetensors").tensors;
    tensors.erase(tensors.begin() + 5);
    write_safetensors(folder / "model.safetensors", tensors);
    const BertFolderInfo info = inspect_bert_folder(folder);
    QCOMPARE(info.missing.size(), std::size_t{1});
    QVERIFY(contains(error_of([&] { load_bert(folder, {}); }), info.missing.front()));

    write_bytes(folder / "config.json", "{\"vocab_size\": 2384}");
    QVERIFY(contains(error_of([&] { inspect_bert_folder(folder); }), "hidden_size"));
    QVERIFY(contains(error_of([&] { inspect_bert_folder(dir() / "nowhere"); }), "nowhere"));
  }
};

QTEST_GUILESS_MAIN(TestBert)
#include "test_bert.moc"
