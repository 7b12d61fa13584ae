#include "bert/logits.h"

#include <cmath>
#include <optional>

#include <ATen/ATen.h>

#include "bert/bert_io.h"
#include "bert/finetune_report.h"
#include "bert/teacher_data.h"
#include "bert/teacher_options.h"
#include "core/atomic_output.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/json_read.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/workspace_lock.h"
#include "data/augment.h"
#include "dist/dist_context.h"
#include "formats/npy.h"
#include "tokenize/wordpiece.h"

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

// What the augmented copies depend on beyond the plain inputs: their options and the student's
// train tokens and vocabulary they are made from. Absent without --augment, so that plain logits
// stay up to date across this change.
nlohmann::json augment_inputs(const Workspace& ws, const LogitsOptions& o) {
  return {{"copies", o.augment},
          {"p_mask", o.augment_mask},
          {"p_replace", o.augment_replace},
          {"p_ngram", o.augment_ngram},
          {"seed", o.augment_seed},
          {"train_ids", file_hash(ws.tokens_dir() / "train_ids.npy")},
          {"train_offsets", file_hash(ws.tokens_dir() / "train_offsets.npy")},
          {"vocab", file_hash(ws.tokens_dir() / "vocab.txt")}};
}

// The augmented copies of the train split (data/augment.h) as the student sees them (word ids)
// and as the teacher sees them (WordPiece ids of each word, a masked word as [MASK]).
struct AugmentedTransfer {
  AugmentedSplit student;
  RaggedSplit teacher;
  std::string mask_token;
};

AugmentedTransfer make_augmented(const Workspace& ws, const TeacherData& data,
                                 const BertFolderInfo& info, const LogitsOptions& o) {
  const std::string tokenizer =
      data.prepare.value("student", nlohmann::json::object()).value("tokenizer", "word");
  if (tokenizer != "word")
    throw file_error(ws.prepare_file(), "the student tokens are " + tokenizer +
                                            " pieces; augmentation needs word tokens "
                                            "(prepare with student_tokenizer word)");
  const RaggedSplit words = read_ragged_split(ws.tokens_dir(), "train");
  if (words.rows != data.splits[0].rows)
    throw file_error(ws.tokens_dir() / "train_rows.npy",
                     "rows differ from bert_data/train_rows.npy; rerun `kdw prepare`");
  const std::vector<std::string> vocab = read_vocab_lines(ws.tokens_dir() / "vocab.txt");
  for (const int32_t id : words.ids)
    if (id < 0 || std::size_t(id) >= vocab.size())
      throw file_error(ws.tokens_dir() / "train_ids.npy",
                       "word id " + std::to_string(id) + " outside tokens/vocab.txt");
  AugmentOptions a;
  a.copies = o.augment;
  a.p_mask = o.augment_mask;
  a.p_replace = o.augment_replace;
  a.p_ngram = o.augment_ngram;
  a.seed = o.augment_seed;
  AugmentedTransfer t;
  t.student = augment_split(words, vocab, a);

  const bool lower = data.prepare.value("bert", nlohmann::json::object()).is_object() &&
                     data.prepare["bert"].value("lower_case", false);
  const WordPieceTokenizer wp(info.vocab_file, lower);
  // A vocabulary without [MASK] gets [UNK] (id() falls back to it).
  const int32_t mask_id = wp.id("[MASK]");
  t.mask_token = wp.piece(mask_id);
  // Pieces of each vocabulary word, once; a word the student does not know (<unk>) reaches the
  // teacher as [UNK]: the tokens keep no text for it.
  std::vector<std::vector<int32_t>> pieces(vocab.size());
  std::vector<bool> done(vocab.size(), false);
  const RaggedSplit& s = t.student.words;
  std::vector<int32_t> ids;
  for (int64_t i = 0; i < s.size(); ++i) {
    ids.assign(1, wp.cls_id());
    for (int64_t k = s.offsets[std::size_t(i)]; k < s.offsets[std::size_t(i) + 1]; ++k) {
      const int32_t w = s.ids[std::size_t(k)];
      if (t.student.masked[std::size_t(k)]) {
        ids.push_back(mask_id);
      } else if (w <= 1) {
        ids.push_back(wp.unk_id());
      } else {
        if (!done[std::size_t(w)]) {
          wp.encode_pieces(vocab[std::size_t(w)], pieces[std::size_t(w)]);
          done[std::size_t(w)] = true;
        }
        ids.insert(ids.end(), pieces[std::size_t(w)].begin(), pieces[std::size_t(w)].end());
      }
    }
    ids.push_back(wp.sep_id());
    t.teacher.add(ids, s.labels[std::size_t(i)], s.rows[std::size_t(i)]);
  }
  return t;
}

// The sequence length the teacher was fine-tuned with (finetune.json), else its position limit.
int64_t model_max_seq_len(const fs::path& model_dir, const BertConfig& config) {
  const fs::path notes = model_dir / kFinetuneNotesFile;
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
std::string stored_logits_problem(const Workspace& ws, const TeacherData& data, int64_t classes,
                                  int64_t copies) {
  if (copies > 0) {
    const fs::path file = ws.logits_dir() / "train_aug.npy";
    if (!fs::exists(file)) return file.string() + ": missing";
    try {
      const NpyArray a = read_npy(file, NpyType::kFloat32, 2);
      if (a.shape[0] != data.splits[0].size() * copies || a.shape[1] != classes)
        return file.string() + ": holds " + std::to_string(a.shape[0]) + " rows, expected " +
               std::to_string(data.splits[0].size() * copies);
    } catch (const Error& e) {
      return e.what();
    }
  }
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
  if (o.augment > 0 && o.augment_mask + o.augment_replace > 1)
    throw UsageError("augment_mask + augment_replace must not exceed 1");
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

  nlohmann::json inputs = input_hashes(ws, info, o.precision);
  if (o.augment > 0) inputs["augment"] = augment_inputs(ws, o);
  dist.agree("model and data", content_hash(inputs.dump()));
  const fs::path summary_file = ws.logits_dir() / "logits.json";
  // Rank 0 decides whether the stored logits hold; the others follow (below).
  if (dist.is_writer() && !o.force && fs::exists(summary_file)) {
    try {
      auto previous = read_json_file(summary_file);
      if (previous.value("inputs", nlohmann::json()) == inputs) {
        const std::string problem =
            stored_logits_problem(ws, data, static_cast<int64_t>(data.labels.size()), o.augment);
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
  // A new head (the folder's had only placeholder labels) would give random logits.
  if (loaded.new_head)
    throw file_error(model_dir,
                     "holds no classifier trained for the data's labels; run `kdw "
                     "finetune` first");
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
  // The augmented copies: rank 0 alone (they are not sharded yet).
  nlohmann::json augment = nullptr;
  if (o.augment > 0) {
    job.progress("augment", 0, 0, "augmenting the train split");
    const AugmentedTransfer t = make_augmented(ws, data, info, o);
    const at::Tensor logits =
        predict_split(model, t.teacher, max_seq_len, o.batch_size, device, job, "logits train_aug");
    write_npy_tensor(out.staging() / "train_aug.npy", logits);
    write_ragged_split(out.staging(), "train_aug", t.student.words);
    write_npy(out.staging() / "train_aug_source.npy", t.student.source);
    augment = {{"copies", o.augment},
               {"samples", t.student.words.size()},
               {"file", "train_aug.npy"},
               {"p_mask", o.augment_mask},
               {"p_replace", o.augment_replace},
               {"p_ngram", o.augment_ngram},
               {"max_ngram", 5},
               {"seed", o.augment_seed},
               {"teacher_mask_token", t.mask_token},
               {"student_mask_id", 1}};
    log::info("{} augmented train copies labelled by the teacher", t.student.words.size());
  }
  nlohmann::json summary = {{"model", fs::weakly_canonical(model_dir).string()},
                            {"labels", data.labels},
                            {"num_labels", classes},
                            {"max_seq_len", max_seq_len},
                            {"dtype", "float32"},
                            {"precision", o.precision},
                            {"splits", splits},
                            {"augment", augment},
                            {"inputs", inputs}};
  // Which fine-tune these logits came from: finetune.json is rewritten with each new best model,
  // so the GUI marks the logits stale once its hash differs (docs/formats.md).
  if (fs::exists(model_dir / kFinetuneNotesFile))
    summary["teacher_notes_hash"] = file_hash(model_dir / kFinetuneNotesFile);
  write_file_atomic(out.staging() / "logits.json", summary.dump(2));
  job.throw_if_cancelled();
  out.commit();
  log::info("logits written to {}", ws.logits_dir().string());
  return {summary, false};
}

}  // namespace kdw
