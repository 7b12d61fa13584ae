#include "data/prepare_tokens.h"

#include "formats/ragged.h"

namespace kdw {
namespace fs = std::filesystem;
using json = nlohmann::json;

json write_split(const Samples& s, const std::vector<int64_t>& members, const Encoder& encode,
                 int32_t unk_id, const fs::path& dir, const std::string& split,
                 const std::string& stage, JobContext& job) {
  RaggedSplit out;
  out.labels.reserve(members.size());
  out.rows.reserve(members.size());
  out.offsets.reserve(members.size() + 1);
  std::vector<int32_t> ids;
  int64_t unknown = 0;
  for (std::size_t k = 0; k < members.size(); ++k) {
    if (k % kCheckEvery == 0) {
      job.throw_if_cancelled();
      job.progress(stage, static_cast<int64_t>(k), static_cast<int64_t>(members.size()), split);
    }
    const int64_t i = members[k];
    ids.clear();
    encode(s.texts[i], ids);
    if (ids.empty()) ids.push_back(unk_id);  // keeps every sample at least one step long
    for (const int32_t id : ids) unknown += id == unk_id;
    out.ids.insert(out.ids.end(), ids.begin(), ids.end());
    out.offsets.push_back(static_cast<int64_t>(out.ids.size()));
    out.labels.push_back(s.labels[i]);
    out.rows.push_back(s.rows[i]);
  }
  write_ragged_split(dir, split, out);
  return {{"samples", out.size()},
          {"tokens", static_cast<int64_t>(out.ids.size())},
          {"unknown_tokens", unknown}};
}

}  // namespace kdw
