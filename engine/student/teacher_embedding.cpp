#include "student/teacher_embedding.h"

#include <cmath>

#include <nlohmann/json.hpp>

#include "bert/bert_io.h"
#include "core/error.h"
#include "core/json_read.h"
#include "data/augment.h"
#include "student/distill_data.h"
#include "tokenize/wordpiece.h"

namespace fs = std::filesystem;

namespace kdw {

at::Tensor project_teacher_embeddings(const std::vector<std::string>& vocab,
                                      const WordPieceTokenizer& wp, const at::Tensor& teacher,
                                      int64_t emb_dim) {
  const auto rows = static_cast<int64_t>(vocab.size());
  const int64_t hidden = teacher.size(1);
  const at::Tensor table = teacher.to(at::kFloat).contiguous();
  at::Tensor mean = at::zeros({rows, hidden}, at::kFloat);
  std::vector<int32_t> pieces;
  for (int64_t i = 1; i < rows; ++i) {
    pieces.clear();
    if (i == 1)
      pieces.push_back(wp.unk_id());
    else
      wp.encode_pieces(vocab[std::size_t(i)], pieces);
    if (pieces.empty()) pieces.push_back(wp.unk_id());
    const at::Tensor index = at::tensor(std::vector<int64_t>(pieces.begin(), pieces.end()));
    mean[i] = table.index_select(0, index).mean(0);
  }
  // PCA over the real words (not <pad>): centre, then the top right-singular vectors.
  const at::Tensor words = mean.narrow(0, 1, rows - 1);
  const at::Tensor centred = words - words.mean(0, true);
  const auto svd = at::linalg_svd(centred, false);
  const at::Tensor& vh = std::get<2>(svd);  // [k, hidden], k = min(rows - 1, hidden)
  const int64_t k = std::min(emb_dim, vh.size(0));
  at::Tensor out = at::zeros({rows, emb_dim}, at::kFloat);
  out.narrow(0, 1, rows - 1).narrow(1, 0, k).copy_(at::matmul(centred, vh.narrow(0, 0, k).t()));
  // A fresh embedding is N(0, 1): scale to that spread so the LSTM sees inputs of the usual size.
  const double sd = out.narrow(0, 1, rows - 1).narrow(1, 0, k).std().item<double>();
  if (sd > 0 && std::isfinite(sd)) out.narrow(1, 0, k).mul_(1.0 / sd);
  return out;
}

at::Tensor teacher_embeddings_for(const fs::path& data_dir, int64_t emb_dim) {
  fs::path model;
  const fs::path summary = data_dir / "logits" / "logits.json";
  if (fs::exists(summary)) model = read_json_file(summary).value("model", std::string());
  if (model.empty() || !fs::is_directory(model)) {
    const fs::path files = fs::absolute(data_dir).lexically_normal().parent_path();
    model = (files.filename().empty() ? files.parent_path() : files) / "bert" / "rubert_finetune";
  }
  if (!fs::is_directory(model))
    throw file_error(summary, "names no teacher folder to take the embeddings from (" +
                                  model.string() + " is missing); run `kdw logits` first");
  const BertFolderInfo info = inspect_bert_folder(model);
  bool lower = false;
  const fs::path prepare = data_dir / "prepare.json";
  if (fs::exists(prepare)) {
    const auto j = read_json_file(prepare);
    if (j.contains("bert") && j["bert"].is_object()) lower = j["bert"].value("lower_case", false);
  }
  const WordPieceTokenizer wp(info.vocab_file, lower);
  const LoadedBert loaded = load_bert(model, read_label_list(data_dir / "labels.json"));
  at::Tensor table;
  for (const auto& p : loaded.model->named_parameters())
    if (p.key() == "bert.embeddings.word_embeddings.weight") table = p.value().detach();
  if (!table.defined() || table.size(0) != wp.vocab_size())
    throw file_error(model, "holds no word embedding matching its vocab.txt");
  return project_teacher_embeddings(read_vocab_lines(data_dir / "tokens" / "vocab.txt"), wp, table,
                                    emb_dim);
}

}  // namespace kdw
