// prepare.json's figures, typed: the labels, each split's sample count per class and the
// student vocabulary's size. One JSON mapping (to_json / from_json); the Data panel reads a
// prepare job's result through it instead of by key. Lenient about missing keys (older files),
// strict about wrong types (nlohmann's type_error).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace kdw {

struct PreparedSplit {
  int64_t samples = 0;
  std::map<std::string, int64_t> per_class;  ///< label name: samples
};

struct PrepareReport {
  std::vector<std::string> labels;              ///< by label id
  std::map<std::string, PreparedSplit> splits;  ///< "train", "dev", "test"
  int64_t vocab_size = 0;                       ///< of the student's tokens
};

void to_json(nlohmann::json& j, const PreparedSplit& s);
void from_json(const nlohmann::json& j, PreparedSplit& s);
void to_json(nlohmann::json& j, const PrepareReport& r);
void from_json(const nlohmann::json& j, PrepareReport& r);

}  // namespace kdw
