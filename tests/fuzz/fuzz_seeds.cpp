// Writes the seed corpora of the harnesses into <out>/<harness>/: small valid inputs made with the
// engine's own writers or byte by byte, and trimmed copies of tests/fixtures/bert. Seeds are made
// here, at run time, so that nothing large is committed.
#include <fstream>
#include <iostream>
#include <sstream>

#include <torch/torch.h>

#include "bert/bert_config.h"
#include "compress/selection.h"
#include "core/atomic_output.h"
#include "core/error.h"
#include "core/job.h"
#include "data/table.h"
#include "formats/npy.h"
#include "formats/ragged.h"
#include "formats/safetensors.h"
#include "formats/torch_pickle.h"
#include "fuzz_util.h"
#include "student/run_folder.h"
#include "student/student_model.h"
#include "tokenize/wordpiece.h"
#include "torch_files.h"

namespace fs = std::filesystem;
using namespace std::string_literals;

namespace {

fs::path out_root;

void seed(const std::string& harness, const std::string& name, const std::string& bytes) {
  const fs::path dir = out_root / harness;
  fs::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary) << bytes;
}

std::string slurp(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (std::size_t k = 0; k < parts.size(); ++k)
    out += (k ? std::string(kdw_fuzz::kSeparator) : std::string()) + parts[k];
  return out;
}

void table_seeds() {
  // Byte 0: format (0 auto, 1 csv, 2 tsv, 3 jsonl) + 4 * encoding (0 auto, 1 utf-8, 2 cp1251).
  seed("fuzz_table", "csv",
       std::string("\x01") +
           "text,label\n\"Привет, мир\",pos\n\"a \"\"quoted\"\"\nline\",neg\nok,pos\n");
  seed("fuzz_table", "csv_bom", "\x00\xef\xbb\xbftext;label\r\nхорошо;1\r\nплохо;0\r\n"s);
  seed("fuzz_table", "tsv", "\x02text\tlabel\nодин\ta\nдва\tb\n\nтри\ta\n");
  seed("fuzz_table", "jsonl",
       "\x03{\"text\": \"да \\u00e9\", \"label\": \"pos\"}\n{\"text\": \"нет\", \"label\": 2}\n"
       "{\"text\": [1], \"label\": null}\nnot json\n");
  seed("fuzz_table", "cp1251", "\x09text,label\n\xcf\xf0\xe8\xe2\xe5\xf2,pos\n\xcc\xe8\xf0,neg\n");
  seed("fuzz_table", "auto_sniff", "\x00text\tlabel\nx\ty\n"s);
}

void vocab_seeds(const fs::path& fixtures) {
  // The fixture vocabulary's first 120 lines ([PAD], [unused*], [UNK], [CLS], [SEP], [MASK], ...)
  // and its last 60 (word pieces, ## continuations), then a text to tokenize.
  std::istringstream in(slurp(fixtures / "bert" / "vocab.txt"));
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::string vocab;
  for (std::size_t k = 0; k < lines.size(); ++k)
    if (k < 120 || k + 60 >= lines.size()) vocab += lines[k] + "\n";
  seed("fuzz_vocab", "fixture_trimmed", join({vocab, "Привет, мир! Hello ##world 東京 naïve."}));
  seed("fuzz_vocab", "tiny",
       join({"[PAD]\r\n[UNK]\r\n[CLS]\r\n[SEP]\r\nпри\r\n##вет\r\n", "привет"}));
}

void bert_config_seeds(const fs::path& fixtures) {
  seed("fuzz_bert_config", "deeppavlov",
       slurp(fixtures / "bert" / "deeppavlov_style" / "bert_config.json"));
  seed("fuzz_bert_config", "huggingface", slurp(fixtures / "bert" / "hf_style" / "config.json"));
}

std::string file_bytes(const std::function<void(const fs::path&)>& write) {
  const fs::path tmp = kdw_fuzz::scratch() / "seed.tmp";
  write(tmp);
  return slurp(tmp);
}

void safetensors_seeds() {
  const auto st = [](const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                     const std::map<std::string, std::string>& meta) {
    return file_bytes([&](const fs::path& p) { kdw::write_safetensors(p, tensors, meta); });
  };
  seed("fuzz_safetensors", "mixed",
       st({{"w", torch::arange(6, torch::kFloat).reshape({2, 3})},
           {"h", torch::ones({3}, torch::kHalf)},
           {"b16", torch::ones({2}, torch::kBFloat16)},
           {"ids", torch::arange(4, torch::kLong)},
           {"i32", torch::arange(3, torch::kInt)},
           {"mask", torch::ones({2}, torch::kBool)},
           {"u8", torch::ones({1, 1}, torch::kByte)},
           {"empty", torch::zeros({0, 3}, torch::kFloat)}},
          {{"format", "pt"}}));
  seed("fuzz_safetensors", "scalar", st({{"s", torch::tensor(1.5, torch::kDouble)}}, {}));
}

void torch_seeds() {
  using namespace kdw_fuzz;
  const auto tensors = sample_tensors();
  const std::string pickle = state_dict_pickle(tensors, false);
  seed("fuzz_torch_checkpoint", "zip", zip_checkpoint(pickle, {12, 4}));
  seed("fuzz_torch_checkpoint", "legacy", legacy_checkpoint(tensors));
  seed("fuzz_pickle", "state_dict", pickle);
  // Nested dicts (optimizer-style) and a bare dict.
  seed("fuzz_pickle", "nested",
       "\x80\x02}(" + pk_str("model") + state_dict_ops({tensors[1]}, false) + pk_str("epoch") +
           pk_int(3) + "u.");
}

void npy_seeds() {
  const auto npy = [](auto write) { return file_bytes(write); };
  seed("fuzz_npy", "i32", npy([](const fs::path& p) {
         kdw::write_npy(p, std::vector<int32_t>{1, 2, 3});
       }));
  seed("fuzz_npy", "i64", npy([](const fs::path& p) {
         kdw::write_npy(p, std::vector<int64_t>{0, 5});
       }));
  seed("fuzz_npy", "f32_2d", npy([](const fs::path& p) {
         kdw::write_npy(p, std::vector<float>{1, 2, 3, 4, 5, 6}, {2, 3});
       }));
  seed("fuzz_npy", "empty",
       npy([](const fs::path& p) { kdw::write_npy(p, std::vector<int64_t>{}); }));
}

void ragged_seeds() {
  kdw::RaggedSplit split;
  split.add({2, 3, 4}, 0, 0);
  split.add({5}, 1, 2);
  split.add({}, 1, 3);
  const fs::path dir = kdw_fuzz::scratch() / "ragged";
  fs::create_directories(dir);
  kdw::write_ragged_split(dir, "train", split);
  seed("fuzz_ragged", "three_samples",
       join({slurp(dir / "train_ids.npy"), slurp(dir / "train_offsets.npy"),
             slurp(dir / "train_labels.npy"), slurp(dir / "train_rows.npy")}));
}

void student_seeds() {
  for (const auto type : {kdw::StudentType::kStackLSTM, kdw::StudentType::kStackBiLSTM}) {
    auto arch = kdw::StudentArch::make(type, 12, 3, 4, 2, {"neg", "pos"}, 0.1);
    arch.hidden[1][0] = 2;  // a cut model: layers of different sizes
    const kdw::StudentModel model(arch);
    seed("fuzz_student", kdw::student_type_name(type),
         file_bytes([&](const fs::path& p) { kdw::save_student(model, p); }));
  }
}

void components_seeds() {
  // Byte 0: 0 = stack_LSTM, 1 = stack_biLSTM (see fuzz_components.cpp).
  seed("fuzz_components", "lstm",
       "\x00{\"remove\": [{\"layer\": 0, \"direction\": \"fwd\", \"units\": [1, 3]}]}"s);
  seed("fuzz_components", "bilstm",
       "\x01{\"remove\": [{\"layer\": 1, \"direction\": \"bwd\", \"units\": [0, 2]}, "
       "{\"layer\": 0, \"direction\": \"fwd\", \"units\": [5]}]}");
  seed("fuzz_components", "cut_report", "\x01{\"removed\": {\"remove\": []}, \"remove\": []}");
}

void run_config_seeds() {
  const std::string config =
      R"({"data_path": "ws/files/data", "model_type": "stack_biLSTM", "hidden_size": 8,
 "num_layers": 2, "emb_dim": 4, "dropout": 0.1, "batch_size": 4, "epochs": 3, "lr": 0.001,
 "alpha": 0.5, "temperature": 1.0, "distill_loss": "mse", "group_lasso": 0.01, "seed": 1,
 "arch": {"model_type": "stack_biLSTM", "vocab_size": 12, "emb_dim": 4,
 "hidden": [[8, 8], [8, 8]], "labels": ["neg", "pos"], "dropout": 0.1}})";
  // A cut model trained on: its own shape recorded, hidden_size left out (its layers differ).
  const std::string restored =
      R"({"data_path": "ws/files/data", "model_type": "stack_biLSTM", "num_layers": 2,
 "emb_dim": 4, "dropout": 0.1, "epochs": 2, "restore_model_path": "cut_model_distill_stack_biLSTM.pt",
 "arch": {"model_type": "stack_biLSTM", "vocab_size": 12, "emb_dim": 4,
 "hidden": [[5, 3], [2, 4]], "labels": ["neg", "pos"], "dropout": 0.1}})";
  const std::string result =
      R"({"model_type": "stack_biLSTM", "best_epoch": 2, "epochs_done": 3, "stopped": false,
 "dev": {"accuracy": 0.75, "macro_f1": 0.7}, "test": {"accuracy": 0.7, "macro_f1": 0.65},
 "parameters": 1234, "bytes": 5000})";
  const std::string metrics =
      "{\"kind\": \"step\", \"step\": 1, \"loss\": 0.9}\n{\"kind\": \"step\", \"step\": 2, "
      "\"loss\": 0.7}\n"
      "{\"kind\": \"epoch\", \"epoch\": 1, \"dev\": {\"accuracy\": 0.6, \"macro_f1\": "
      "0.5}}\nbroken\n";
  seed("fuzz_run_config", "run", join({config, result, metrics}));
  seed("fuzz_run_config", "restored", join({restored, result, metrics}));
}

// Every seed must be a file its reader accepts, else the fuzzer starts from an error path.
int check_seeds() {
  int bad = 0;
  const auto check = [&bad](const std::string& harness, const auto& load) {
    for (const auto& entry : fs::directory_iterator(out_root / harness)) {
      if (harness == "fuzz_table" && entry.path().filename() == "jsonl") continue;  // bad rows
      try {
        load(entry.path(), slurp(entry.path()));
      } catch (const std::exception& e) {
        std::cerr << "seed " << entry.path() << " does not load: " << e.what() << "\n";
        ++bad;
      }
    }
  };
  const auto body = [](const fs::path& file, const std::string& bytes, std::size_t skip) {
    const fs::path copy = kdw_fuzz::scratch() / file.filename();
    std::ofstream(copy, std::ios::binary) << bytes.substr(skip);
    return copy;
  };
  check("fuzz_table", [&](const fs::path& f, const std::string& b) {
    kdw::JobContext job;
    const auto t =
        kdw::read_table(body(f, b, 1), kdw::TableFormat::kAuto, kdw::TextEncoding::kAuto, job);
    if (!t.skipped.empty() || t.rows.empty()) throw std::runtime_error("rows skipped or none");
  });
  check("fuzz_vocab", [&](const fs::path& f, const std::string& b) {
    const auto parts = kdw_fuzz::split(reinterpret_cast<const uint8_t*>(b.data()), b.size(), 2);
    kdw::WordPieceTokenizer(body(f, std::string(parts[0]), 0), false);
  });
  check("fuzz_bert_config",
        [&](const fs::path& f, const std::string&) { kdw::read_bert_config(f).validate(f); });
  check("fuzz_safetensors",
        [&](const fs::path& f, const std::string&) { kdw::read_safetensors(f); });
  check("fuzz_torch_checkpoint", [&](const fs::path& f, const std::string&) {
    const auto t = kdw::read_torch_checkpoint(f);
    if (t.size() != 3 || t[2].second[1][1].item<float>() != 7.0f)
      throw std::runtime_error("unexpected tensors");
  });
  check("fuzz_pickle", [&](const fs::path& f, const std::string& b) {
    kdw::read_torch_checkpoint(body(f, kdw_fuzz::zip_checkpoint(b, 4, 16), 0));
  });
  check("fuzz_npy", [&](const fs::path& f, const std::string&) { kdw::read_npy(f); });
  check("fuzz_ragged", [&](const fs::path&, const std::string& b) {
    const auto parts = kdw_fuzz::split(reinterpret_cast<const uint8_t*>(b.data()), b.size(), 4);
    const fs::path dir = kdw_fuzz::scratch() / "ragged_check";
    fs::create_directories(dir);
    const char* names[] = {"train_ids.npy", "train_offsets.npy", "train_labels.npy",
                           "train_rows.npy"};
    for (int k = 0; k < 4; ++k) std::ofstream(dir / names[k], std::ios::binary) << parts[k];
    kdw::read_ragged_split(dir, "train");
  });
  check("fuzz_student", [&](const fs::path& f, const std::string&) { kdw::load_student(f); });
  // The run's recorded shape must read (a seed whose "arch" does not starts on the error line).
  check("fuzz_run_config", [&](const fs::path&, const std::string& b) {
    const auto parts = kdw_fuzz::split(reinterpret_cast<const uint8_t*>(b.data()), b.size(), 3);
    fs::create_directories(kdw_fuzz::scratch() / "run_check");
    kdw_fuzz::put("run_check/config.json", parts[0]);
    if (!kdw::RunFolder(kdw_fuzz::scratch() / "run_check").read_arch())
      throw std::runtime_error("config.json records no arch");
  });
  check("fuzz_components", [&](const fs::path& f, const std::string& b) {
    auto arch = kdw::StudentArch::make(
        b[0] % 2 ? kdw::StudentType::kStackBiLSTM : kdw::StudentType::kStackLSTM, 20, 4, 6, 2,
        {"neg", "pos"}, 0.0);
    if (b[0] % 2) arch.hidden[1] = {4, 4};
    kdw::read_components_file(body(f, b, 1), arch);
  });
  return bad;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: kdw_fuzz_seeds OUT_DIR FIXTURES_DIR\n";
    return 2;
  }
  out_root = argv[1];
  const fs::path fixtures = argv[2];
  std::error_code ec;
  fs::remove_all(out_root, ec);
  table_seeds();
  vocab_seeds(fixtures);
  bert_config_seeds(fixtures);
  safetensors_seeds();
  torch_seeds();
  npy_seeds();
  ragged_seeds();
  student_seeds();
  components_seeds();
  run_config_seeds();
  if (const int bad = check_seeds()) {
    std::cerr << bad << " seed(s) do not load\n";
    return 1;
  }
  std::cout << "seeds written to " << out_root << " and checked\n";
  return 0;
}
