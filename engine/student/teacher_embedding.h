// Student word embeddings from the teacher (kdw distill --emb_from_teacher): each word of the
// student vocabulary is the mean of its WordPiece pieces' teacher input embeddings, and the
// resulting [vocab, hidden] matrix is projected to emb_dim by PCA (its top principal
// directions, via SVD), scaled so that its entries have the standard deviation 1 of a fresh
// embedding. See docs/distillation.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <ATen/ATen.h>

namespace kdw {

class WordPieceTokenizer;

/// `teacher` [pieces, hidden]; returns float32 [vocab.size(), emb_dim]. Row 0 (<pad>) is 0,
/// row 1 (<unk>) the teacher's [UNK]. Components beyond `hidden` (emb_dim > hidden) are 0.
at::Tensor project_teacher_embeddings(const std::vector<std::string>& vocab,
                                      const WordPieceTokenizer& wordpiece,
                                      const at::Tensor& teacher, int64_t emb_dim);

/// The same for a data folder: the teacher is the model logits.json names (else the
/// workspace's fine-tuned teacher), its vocabulary its vocab.txt, the case prepare.json's.
at::Tensor teacher_embeddings_for(const std::filesystem::path& data_dir, int64_t emb_dim);

}  // namespace kdw
