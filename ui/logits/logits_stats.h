// Statistics of stored teacher logits for the Logits panel (plain C++, runs on a worker).
#pragma once

#include <filesystem>

#include <nlohmann/json.hpp>

/// For each <split>.npy under `logitsDir`: {"confidence": 20-bin histogram of the max softmax
/// over [0,1], "values": 30-bin histogram of all logit values with "min"/"max"}, summed over
/// splits.
nlohmann::json logitsHistograms(const std::filesystem::path& logitsDir);
