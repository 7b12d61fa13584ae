#include "data/prepare_summary.h"

#include "data/nul_rows.h"

namespace kdw {
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr std::size_t kMaxSkippedInSummary = 1000;

json cleaning_json(const CleaningOptions& c) {
  return {{"nfc", c.nfc},
          {"remove_control", c.remove_control},
          {"collapse_whitespace", c.collapse_whitespace},
          {"lower", c.lower},
          {"mask_urls", c.mask_urls},
          {"mask_emails", c.mask_emails},
          {"mask_numbers", c.mask_numbers},
          {"drop_empty", c.drop_empty},
          {"drop_duplicates", c.drop_duplicates},
          {"min_class_samples", c.min_class_samples}};
}

}  // namespace

std::string absolute_text(const fs::path& p) {
  std::error_code ec;
  const fs::path a = fs::absolute(p, ec);
  return (ec ? p : a.lexically_normal()).string();
}

json prepare_summary(const PrepareOptions& o, const Table& table, const Counts& counts,
                     const Samples& s, PrepareParts parts) {
  json skipped = json::array();
  for (std::size_t i = 0; i < table.skipped.size() && i < kMaxSkippedInSummary; ++i) {
    skipped.push_back({{"line", table.skipped[i].line}, {"reason", table.skipped[i].reason}});
  }
  json nul_rows = json::array();  // first lines of rows dropped for stray NUL bytes
  int64_t dropped_nul_rows = 0;
  for (const SkippedRow& row : table.skipped) {
    if (row.reason != kNulRowReason) continue;
    if (++dropped_nul_rows <= int64_t(kMaxSkippedInSummary)) nul_rows.push_back(row.line);
  }
  return {{"format_version", 1},
          {"input", absolute_text(o.input)},
          {"format", table_format_name(table.format)},
          {"encoding", text_encoding_name(table.encoding)},
          {"had_bom", table.had_bom},
          {"text_column", o.text_column},
          {"label_column", o.label_column},
          {"cleaning", cleaning_json(o.cleaning)},
          {"split", {{"train", o.split.train}, {"dev", o.split.dev}, {"test", o.split.test}}},
          {"seed", o.seed},
          {"counts",
           {{"rows_read", counts.rows_read},
            {"rows_skipped", counts.rows_skipped},
            {"dropped_no_label", counts.dropped_no_label},
            {"dropped_empty", counts.dropped_empty},
            {"dropped_duplicate", counts.dropped_duplicate},
            {"duplicate_label_conflicts", counts.duplicate_label_conflicts},
            {"dropped_rare_class", counts.dropped_rare_class},
            {"dropped_nul_rows", dropped_nul_rows},
            {"samples", static_cast<int64_t>(s.texts.size())}}},
          {"skipped_rows", std::move(skipped)},
          {"nul_rows", std::move(nul_rows)},
          {"rare_classes", parts.rare},
          {"labels", s.label_names},
          {"splits", std::move(parts.splits)},
          {"student", std::move(parts.student)},
          {"vocab_size", parts.vocab_size},
          {"bert", std::move(parts.bert)}};
}

}  // namespace kdw
