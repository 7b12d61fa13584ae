#include "data/prepare_report.h"

#include "core/json_fields.h"

namespace kdw {

void to_json(nlohmann::json& j, const PreparedSplit& s) {
  j = {{"samples", s.samples}, {"per_class", s.per_class}};
}
void from_json(const nlohmann::json& j, PreparedSplit& s) {
  read_optional(j, "samples", s.samples);
  read_optional(j, "per_class", s.per_class);
}

void to_json(nlohmann::json& j, const PrepareReport& r) {
  j = {{"labels", r.labels}, {"splits", r.splits}, {"vocab_size", r.vocab_size}};
}
void from_json(const nlohmann::json& j, PrepareReport& r) {
  read_optional(j, "labels", r.labels);
  read_optional(j, "splits", r.splits);
  read_optional(j, "vocab_size", r.vocab_size);
}

}  // namespace kdw
