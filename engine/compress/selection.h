// Which ISS components (hidden units of one layer and direction) to remove from a student:
// by a threshold on their group norm, by keeping the k strongest, or by an explicit list
// (a components file, or the GUI's picks). Every layer/direction keeps at least one unit.
//
// Components file (JSON), also written back as the "removed" part of cut_report.json:
//   {"remove": [{"layer": 0, "direction": "fwd", "units": [3, 17]},
//               {"layer": 1, "direction": "bwd", "units": [0]}]}
// Layers count from 0; direction is "fwd" or "bwd" ("bwd" only for stack_biLSTM); unit indices
// are the current model's (0 .. H-1). Layers/directions not listed lose nothing.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "student/student_model.h"

namespace kdw {

/// "fwd" (0) / "bwd" (1).
std::string direction_name(int direction);

/// Group norms of one layer/direction (the unit's weights in all 4 gates, in and out).
struct ComponentNorms {
  int layer = 0;
  int direction = 0;         ///< 0 fwd, 1 bwd
  std::vector<float> norms;  ///< one per unit
};

struct Selection {
  /// removed[l][d]: sorted, unique unit indices of layer l, direction d to remove.
  std::vector<std::array<std::vector<int64_t>, 2>> removed;

  /// Removes nothing, shaped for `arch`.
  static Selection none(const StudentArch& arch);
  int64_t count() const;
  /// The components-file form ({"remove": [...]}, only non-empty entries).
  nlohmann::json to_json() const;
};

/// Removes every unit whose norm is below `threshold`.
Selection select_by_threshold(const StudentArch& arch, const std::vector<ComponentNorms>& norms,
                              double threshold);
/// The components a run's ISS training zeroed: norm below `iss_threshold` (the run's own
/// --iss_threshold), or zero (kZeroGroupNorm) when it had none (0). As training did, the strongest
/// unit of a layer/direction stays even when it too is below the threshold.
Selection select_trained_zeros(const StudentArch& arch, const std::vector<ComponentNorms>& norms,
                               double iss_threshold);
/// Keeps the `keep` strongest units of each layer/direction (all of them where H <= keep).
Selection select_by_keep(const StudentArch& arch, const std::vector<ComponentNorms>& norms,
                         int64_t keep);
/// Parses a components file's JSON; `source` names it in errors.
Selection parse_components(const nlohmann::json& j, const StudentArch& arch,
                           const std::string& source);
Selection read_components_file(const std::filesystem::path& path, const StudentArch& arch);

/// Throws kdw::Error (prefixed by `source`) for a layer/direction/unit the model does not have,
/// or a selection that would remove every unit of a layer/direction.
void validate_selection(const Selection& selection, const StudentArch& arch,
                        const std::string& source);

}  // namespace kdw
