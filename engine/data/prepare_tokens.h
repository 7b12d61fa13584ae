// The token stage of data preparation: one split's samples encoded into a ragged split file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/job.h"
#include "data/prepare_rows.h"

namespace kdw {

using Encoder = std::function<void(const std::string&, std::vector<int32_t>&)>;

// Encodes the samples of one split into `dir`; returns its summary (sizes, tokens).
nlohmann::json write_split(const Samples& s, const std::vector<int64_t>& members,
                           const Encoder& encode, int32_t unk_id, const std::filesystem::path& dir,
                           const std::string& split, const std::string& stage, JobContext& job);

}  // namespace kdw
