#include "formats/ragged.h"

#include "core/error.h"
#include "formats/npy.h"

namespace fs = std::filesystem;

namespace kdw {

std::vector<int64_t> RaggedSplit::lengths() const {
  std::vector<int64_t> out(labels.size());
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = offsets[i + 1] - offsets[i];
  return out;
}

RaggedSplit slice_split(const RaggedSplit& split, int64_t begin, int64_t end) {
  RaggedSplit out;
  const auto b = static_cast<std::size_t>(begin), e = static_cast<std::size_t>(end);
  out.ids.assign(split.ids.begin() + split.offsets[b], split.ids.begin() + split.offsets[e]);
  out.offsets.clear();
  for (std::size_t i = b; i <= e; ++i) out.offsets.push_back(split.offsets[i] - split.offsets[b]);
  out.labels.assign(split.labels.begin() + begin, split.labels.begin() + end);
  out.rows.assign(split.rows.begin() + begin, split.rows.begin() + end);
  return out;
}

void RaggedSplit::add(const std::vector<int32_t>& sample_ids, int64_t label, int64_t row) {
  ids.insert(ids.end(), sample_ids.begin(), sample_ids.end());
  offsets.push_back(static_cast<int64_t>(ids.size()));
  labels.push_back(label);
  rows.push_back(row);
}

void write_ragged_split(const fs::path& dir, const std::string& split, const RaggedSplit& data) {
  write_npy(dir / (split + "_ids.npy"), data.ids);
  write_npy(dir / (split + "_offsets.npy"), data.offsets);
  write_npy(dir / (split + "_labels.npy"), data.labels);
  write_npy(dir / (split + "_rows.npy"), data.rows);
}

RaggedSplit read_ragged_split(const fs::path& dir, const std::string& split) {
  RaggedSplit s;
  const fs::path ids = dir / (split + "_ids.npy"), offsets = dir / (split + "_offsets.npy"),
                 labels = dir / (split + "_labels.npy"), rows = dir / (split + "_rows.npy");
  s.ids = read_npy(ids, NpyType::kInt32, 1).values<int32_t>();
  s.offsets = read_npy(offsets, NpyType::kInt64, 1).values<int64_t>();
  s.labels = read_npy(labels, NpyType::kInt64, 1).values<int64_t>();
  s.rows = read_npy(rows, NpyType::kInt64, 1).values<int64_t>();
  const std::size_t n = s.labels.size();
  if (s.offsets.size() != n + 1)
    throw file_error(offsets, "has " + std::to_string(s.offsets.size()) + " entries, expected " +
                                  std::to_string(n + 1) + " (one more than " +
                                  labels.filename().string() + ")");
  if (s.rows.size() != n)
    throw file_error(rows, "has " + std::to_string(s.rows.size()) + " entries, " +
                               labels.filename().string() + " has " + std::to_string(n));
  if (s.offsets.front() != 0 || s.offsets.back() != static_cast<int64_t>(s.ids.size()))
    throw file_error(offsets, "does not span " + ids.filename().string() +
                                  " (first must be 0, last " + std::to_string(s.ids.size()) + ")");
  for (std::size_t i = 0; i < n; ++i)
    if (s.offsets[i + 1] < s.offsets[i])
      throw file_error(offsets, "offsets decrease at sample " + std::to_string(i));
  return s;
}

}  // namespace kdw
