// prepare.json: what data preparation read, dropped, split and wrote.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "data/prepare.h"
#include "data/prepare_rows.h"
#include "data/table.h"

namespace kdw {

/// `p` made absolute and normal, as the summary names files.
std::string absolute_text(const std::filesystem::path& p);

/// The parts a preparation produced, as written to prepare.json.
struct PrepareParts {
  nlohmann::json rare;     ///< finish_labels()
  nlohmann::json splits;   ///< per split: write_split() and "per_class"
  nlohmann::json student;  ///< the student tokenizer and vocabulary
  int64_t vocab_size = 0;  ///< of the student vocabulary
  nlohmann::json bert;     ///< bert_data/, or null
};

nlohmann::json prepare_summary(const PrepareOptions& o, const Table& table, const Counts& counts,
                               const Samples& s, PrepareParts parts);

}  // namespace kdw
