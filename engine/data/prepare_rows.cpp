#include "data/prepare_rows.h"

#include <algorithm>
#include <unordered_map>

#include "core/log.h"

namespace kdw {
using json = nlohmann::json;

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(first, last - first + 1));
}

Samples clean_rows(Table& table, int text_col, int label_col, const CleaningOptions& cleaning,
                   Counts& counts, JobContext& job) {
  Samples s;
  const int64_t n = static_cast<int64_t>(table.rows.size());
  s.texts.reserve(n);  // no reallocation: `seen` holds views into these strings
  s.labels.reserve(n);
  s.rows.reserve(n);
  std::unordered_map<std::string, int32_t> label_ids;
  std::unordered_map<std::string_view, int32_t> seen;  // text -> its label
  if (cleaning.drop_duplicates) seen.reserve(n);
  for (int64_t i = 0; i < n; ++i) {
    if (i % kCheckEvery == 0) {
      job.throw_if_cancelled();
      job.progress("clean", i, n);
    }
    std::vector<std::string> row = std::move(table.rows[i]);
    std::string label = trim(row[label_col]);
    std::string text = clean_text(row[text_col], cleaning);
    row = {};
    if (label.empty()) {
      ++counts.dropped_no_label;
      continue;
    }
    if (text.empty() && cleaning.drop_empty) {
      ++counts.dropped_empty;
      continue;
    }
    auto found = label_ids.find(label);
    if (found == label_ids.end()) {
      found = label_ids.emplace(label, static_cast<int32_t>(s.label_names.size())).first;
      s.label_names.push_back(label);
    }
    if (cleaning.drop_duplicates) {
      const auto dup = seen.find(text);
      if (dup != seen.end()) {
        ++counts.dropped_duplicate;
        counts.duplicate_label_conflicts += dup->second != found->second;
        continue;
      }
    }
    s.texts.push_back(std::move(text));
    s.labels.push_back(found->second);
    s.rows.push_back(table.data_rows[i]);
    if (cleaning.drop_duplicates) seen.emplace(s.texts.back(), found->second);
  }
  job.progress("clean", n, n);
  std::vector<std::vector<std::string>>().swap(table.rows);
  return s;
}

json finish_labels(Samples& s, int64_t min_class_samples, Counts& counts) {
  std::vector<int64_t> per_label(s.label_names.size(), 0);
  for (const int32_t l : s.labels) ++per_label[l];
  json rare = json::array();
  std::vector<std::pair<std::string, int32_t>> kept;  // name, old id
  for (std::size_t l = 0; l < s.label_names.size(); ++l) {
    if (per_label[l] < min_class_samples) {
      log::warn("class '{}' has only {} sample(s) (fewer than {}): dropped", s.label_names[l],
                per_label[l], min_class_samples);
      rare.push_back({{"label", s.label_names[l]}, {"samples", per_label[l]}});
      counts.dropped_rare_class += per_label[l];
    } else {
      kept.emplace_back(s.label_names[l], static_cast<int32_t>(l));
    }
  }
  std::sort(kept.begin(), kept.end());
  std::vector<int32_t> new_id(s.label_names.size(), -1);
  std::vector<std::string> names;
  for (std::size_t k = 0; k < kept.size(); ++k) {
    new_id[kept[k].second] = static_cast<int32_t>(k);
    names.push_back(kept[k].first);
  }
  std::size_t out = 0;
  for (std::size_t i = 0; i < s.labels.size(); ++i) {
    const int32_t id = new_id[s.labels[i]];
    if (id < 0) continue;
    if (out != i) {
      s.texts[out] = std::move(s.texts[i]);
      s.rows[out] = s.rows[i];
    }
    s.labels[out] = id;
    ++out;
  }
  s.texts.resize(out);
  s.labels.resize(out);
  s.rows.resize(out);
  s.label_names = std::move(names);
  return rare;
}

}  // namespace kdw
