#include "bert/logits.h"

#include <cmath>
#include <optional>

#include <ATen/ATen.h>

#include "bert/bert_io.h"
#include "bert/teacher_data.h"
#include "bert/teacher_options.h"
#include "core/atomic_output.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/json_read.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/workspace_lock.h"
#include "dist/dist_context.h"
#include "formats/npy.h"

namespace kdw {
namespace fs = std::filesystem;

namespace {

// Hashes of everything the logits depend on; equal hashes mean the stored logits still hold.
nlohmann::json input_hashes(const Workspace& ws, const BertFolderInfo& info,
                            const std::string& precision) {
  nlohmann::json bert_data = nlohmann::json::object();
  for (const char* split : kSplitNames)
    for (const char* part : {"ids", "offsets", "labels", "rows"}) {
      const std::string name = std::string(split) + "_" + part + ".npy";
      bert_data[name] = file_hash(ws.bert_data_dir() / name);
    }
  return {{"model_config", file_hash(info.config_file)},
          {"model_weights", file_hash(info.weights_file)},
          {"vocab", file_hash(info.vocab_file)},
          {"labels", file_hash(ws.labels_file())},
          {"bert_data", bert_data},
          {"precision", precision}};
}

// The sequence length the teacher was fine-tuned with (finetune.json), else its position limit.
int64_t model_max_seq_len(const fs::path& model_dir, const BertConfig& config) {
  const fs::path notes = model_dir / "finetune.json";
  if (fs::exists(notes)) {
    try {
      const auto json = read_json_file(notes);
      const auto n = json.at("max_seq_len").get<int64_t>();
      if (n >= 2 && n <= config.max_position_embeddings) return n;
    } catch (const nlohmann::json::exception&) {
    } catch (const Error&) {
    }
    log::warn("{}: no usable max_seq_len; using the model's {} positions", notes.string(),
              config.max_position_embeddings);
  }
  return config.max_position_embeddings;
}

// Why the stored logits cannot be reused although their inputs are unchanged (a file missing,
// unreadable, of another shape than the split's samples x labels, or holding NaN/inf), or "".
std::string stored_logits_problem(const Workspace& ws, const TeacherData& data, int64_t classes) {
  for (int s = 0; s < 3; ++s) {
    const fs::path file = ws.logits_dir() / (std::string(kSplitNames[s]) + ".npy");
    if (!fs::exists(file)) return file.string() + ": missing";
    try {
      const NpyArray a = read_npy(file, NpyType::kFloat32, 2);
      if (a.shape[0] != data.splits[s].size() || a.shape[1] != classes)
        return file.string() + ": holds " + std::to_string(a.shape[0]) + " x " +
               std::to_string(a.shape[1]) + " logits, expected " +
               std::to_string(data.splits[s].size()) + " x " + std::to_string(classes);
      const float* v = a.data<float>();
      for (int64_t k = 0; k < a.numel(); ++k)
        if (!std::isfinite(v[k])) return file.string() + ": holds NaN or infinite values";
    } catch (const Error& e) {
      return e.what();
    }
  }
  return {};
}

}  // namespace

LogitsResult run_logits(const LogitsOptions& o, JobContext& job) {
  logits_option_table().check(o);  // ranges from the table, messages naming the field
  const Workspace ws{o.workspace};
  dist::DistContext& dist = dist::context();
  // In a distributed job only rank 0 writes (and locks) the workspace.
  std::optional<WorkspaceLock> lock;
  if (dist.is_writer()) lock.emplace(ws.root, "logits");
  const fs::path model_dir = o.model.empty() ? ws.finetune_dir() : o.model;
  const at::Device device = parse_device(o.device);
  const at::ScalarType matmul_dtype = parse_precision(o.precision);
  if (!fs::is_directory(model_dir))
    throw file_error(model_dir, "no such model folder; run `kdw finetune` first");
  const BertFolderInfo info = inspect_bert_folder(model_dir);
  if (!info.has_classifier || info.weights_file.empty())
    throw file_error(model_dir, "holds no fine-tuned classifier; run `kdw finetune` first");
  TeacherData data = read_teacher_data(ws, info.config.vocab_size);
  check_bert_data_vocab(ws, data.prepare, info.vocab_file);

  const nlohmann::json inputs = input_hashes(ws, info, o.precision);
  dist.agree("model and data", content_hash(inputs.dump()));
  const fs::path summary_file = ws.logits_dir() / "logits.json";
  // Rank 0 decides whether the stored logits hold; the others follow (below).
  if (dist.is_writer() && !o.force && fs::exists(summary_file)) {
    try {
      auto previous = read_json_file(summary_file);
      if (previous.value("inputs", nlohmann::json()) == inputs) {
        const std::string problem =
            stored_logits_problem(ws, data, static_cast<int64_t>(data.labels.size()));
        if (problem.empty()) {
          log::info(
              "logits are up to date with the model and bert_data; skipped (--force "
              "recomputes)");
          dist.share_decision(true);
          return {previous, true};
        }
        log::warn("stored logits are damaged ({}); computing them again", problem);
      }
    } catch (const nlohmann::json::exception&) {
      // A damaged summary is simply recomputed.
    } catch (const Error& e) {
      log::warn("{}; computing the logits again", e.what());
    }
  }

  // Rank 0 gets here when the logits must be computed; the others learn whether it reused them.
  if (dist.share_decision(false)) return {{}, true};

  LoadedBert loaded = load_bert(model_dir, data.labels);  // errors when the head does not fit
  BertForSequenceClassification model = loaded.model;
  model->to(device);
  if (matmul_dtype == at::kBFloat16) model->to(at::kBFloat16);  // inference: weights in bf16 too
  const int64_t max_seq_len = model_max_seq_len(model_dir, info.config);
  const auto classes = static_cast<int64_t>(data.labels.size());

  std::optional<AtomicDirectory> out_dir;
  if (dist.is_writer()) out_dir.emplace(ws.logits_dir());
  nlohmann::json splits = nlohmann::json::object();
  for (int s = 0; s < 3; ++s) {
    const RaggedSplit& split = data.splits[s];
    const std::string name = kSplitNames[s];
    // Each rank a contiguous range of the samples; rank 0 gathers them back in sample order.
    const auto [begin, end] = dist.range(split.size());
    const at::Tensor logits = dist.gather_rows(
        predict_split(model, dist.distributed() ? slice_split(split, begin, end) : split,
                      max_seq_len, o.batch_size, device, job, "logits " + name));
    if (!dist.is_writer()) continue;
    AtomicDirectory& out = *out_dir;
    write_npy_tensor(out.staging() / (name + ".npy"), logits);
    nlohmann::json entry = {{"samples", split.size()}, {"file", name + ".npy"}};
    if (split.size() > 0) {
      const ClassificationMetrics m =
          classification_metrics(split.labels, argmax_rows(logits), classes);
      entry["accuracy"] = m.accuracy;
      entry["macro_f1"] = m.macro_f1;
      log::info("teacher on {}: accuracy {:.4f}, macro-F1 {:.4f} ({} samples)", name, m.accuracy,
                m.macro_f1, split.size());
    }
    splits[name] = entry;
  }
  if (!dist.is_writer()) return {{}, false};
  AtomicDirectory& out = *out_dir;
  nlohmann::json summary = {{"model", fs::weakly_canonical(model_dir).string()},
                            {"labels", data.labels},
                            {"num_labels", classes},
                            {"max_seq_len", max_seq_len},
                            {"dtype", "float32"},
                            {"precision", o.precision},
                            {"splits", splits},
                            {"inputs", inputs}};
  write_file_atomic(out.staging() / "logits.json", summary.dump(2));
  job.throw_if_cancelled();
  out.commit();
  log::info("logits written to {}", ws.logits_dir().string());
  return {summary, false};
}

}  // namespace kdw
