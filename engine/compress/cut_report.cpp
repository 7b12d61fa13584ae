#include "compress/cut_report.h"

#include "core/error.h"
#include "core/json_fields.h"
#include "core/json_read.h"

namespace kdw {

void to_json(nlohmann::json& j, const LayerCut& c) {
  j = {{"layer", c.layer},
       {"direction", c.direction},
       {"hidden_before", c.hidden_before},
       {"hidden_after", c.hidden_after},
       {"removed", c.removed}};
}

void from_json(const nlohmann::json& j, LayerCut& c) {
  read_optional(j, "layer", c.layer);
  read_optional(j, "direction", c.direction);
  read_optional(j, "hidden_before", c.hidden_before);
  read_optional(j, "hidden_after", c.hidden_after);
  read_optional(j, "removed", c.removed);
}

void to_json(nlohmann::json& j, const CutReport& r) {
  j = {{"model_type", r.model_type},
       {"parameters_before", r.parameters_before},
       {"parameters_after", r.parameters_after},
       {"bytes_before", r.bytes_before},
       {"bytes_after", r.bytes_after},
       {"size_ratio", r.size_ratio},
       {"hidden_before", r.hidden_before},
       {"hidden_after", r.hidden_after},
       {"layers", r.layers},
       {"removed_total", r.removed_total},
       {"removed", r.removed}};
  if (!r.model_file.empty()) j["model_file"] = r.model_file;
  if (!r.cut_model_file.empty()) j["cut_model_file"] = r.cut_model_file;
  if (!r.norms.is_null()) j["norms"] = r.norms;
  if (!r.chosen_by.empty()) j["chosen_by"] = r.chosen_by;
  if (r.threshold) j["threshold"] = *r.threshold;
  if (r.keep) j["keep"] = *r.keep;
  if (r.evaluation)
    j["evaluation"] = {{"before", r.evaluation->before}, {"after", r.evaluation->after}};
}

void from_json(const nlohmann::json& j, CutReport& r) {
  read_optional(j, "model_type", r.model_type);
  read_optional(j, "parameters_before", r.parameters_before);
  read_optional(j, "parameters_after", r.parameters_after);
  read_optional(j, "bytes_before", r.bytes_before);
  read_optional(j, "bytes_after", r.bytes_after);
  read_optional(j, "size_ratio", r.size_ratio);
  read_optional(j, "hidden_before", r.hidden_before);
  read_optional(j, "hidden_after", r.hidden_after);
  read_optional(j, "layers", r.layers);
  read_optional(j, "removed_total", r.removed_total);
  if (j.contains("removed")) r.removed = j.at("removed");
  read_optional(j, "model_file", r.model_file);
  read_optional(j, "cut_model_file", r.cut_model_file);
  if (j.contains("norms")) r.norms = j.at("norms");
  read_optional(j, "chosen_by", r.chosen_by);
  read_optional(j, "threshold", r.threshold);
  read_optional(j, "keep", r.keep);
  if (j.contains("evaluation") && j.at("evaluation").is_object()) {
    CutEvaluation e;
    read_optional(j.at("evaluation"), "before", e.before);
    read_optional(j.at("evaluation"), "after", e.after);
    r.evaluation = e;
  }
}

CutReport read_cut_report(const std::filesystem::path& file) {
  const nlohmann::json j = read_json_file(file);
  if (!j.is_object()) throw file_error(file, "is not a JSON object");
  try {
    return j.get<CutReport>();
  } catch (const nlohmann::json::exception& e) {
    throw file_error(file, std::string("not a cut report: ") + e.what());
  }
}

}  // namespace kdw
