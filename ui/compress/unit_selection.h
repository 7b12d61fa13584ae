// Which hidden units the user means to cut, kept apart from any widget so it can be tested
// without rendering. A "group" is one (layer, direction) of the student; each of its hidden
// units has an ISS group norm. Picked = will be cut.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

struct UnitGroup {
  int layer = 0;
  int direction = 0;         ///< 0 = fwd, 1 = bwd
  std::vector<float> norms;  ///< ISS group norm per hidden unit
};

class UnitSelection {
 public:
  UnitSelection() = default;
  explicit UnitSelection(std::vector<UnitGroup> groups);

  int groupCount() const { return static_cast<int>(groups_.size()); }
  const UnitGroup& group(int g) const { return groups_.at(static_cast<size_t>(g)); }
  /// Index of the group for (layer, direction), -1 when absent.
  int findGroup(int layer, int direction) const;
  int unitCount(int g) const { return static_cast<int>(group(g).norms.size()); }

  bool isPicked(int g, int unit) const;
  void setPicked(int g, int unit, bool picked);
  void toggle(int g, int unit);
  /// Sets every unit in [first, last] (either order, clamped) to `picked`.
  void setRange(int g, int first, int last, bool picked);
  void clear();
  /// Picks exactly the units whose norm is below `threshold`, in every group.
  void applyThreshold(float threshold);
  /// Largest norm over all groups (the slider's range).
  float maxNorm() const;
  /// Smallest norm above zero over all groups (the log slider's low end), 0 when none.
  float minNonZeroNorm() const;
  /// Units in all groups whose norm is below `threshold` (what applyThreshold would pick).
  int countBelow(float threshold) const;
  int totalUnits() const;

  /// The picked flags of every group (a snapshot for undo); setPicks ignores a snapshot of
  /// another shape.
  using Picks = std::vector<std::vector<char>>;
  const Picks& picks() const { return picked_; }
  void setPicks(const Picks& picks);

  int pickedCount(int g) const;
  /// Hidden size of group g after the cut; at least one unit always stays (a layer of zero
  /// units is not a model), so the strongest unit is kept even when all are picked.
  int keptCount(int g) const;
  /// Picked units of group g in ascending order.
  std::vector<int> pickedUnits(int g) const;
  /// Kept units of group g in ascending order (as cut_student receives them).
  std::vector<int> keptUnits(int g) const;

 private:
  std::vector<UnitGroup> groups_;
  Picks picked_;
};

/// The sizes that decide a student's parameter count (mirrors kdw::StudentArch without torch).
struct ArchSizes {
  bool bidirectional = true;
  int64_t vocab_size = 0;
  int64_t emb_dim = 0;
  int64_t num_labels = 0;
  std::vector<std::array<int64_t, 2>> hidden;  ///< {fwd, bwd} per layer, bwd 0 when forward-only

  int64_t parameterCount() const;
  /// float32 parameters.
  int64_t parameterBytes() const { return parameterCount() * 4; }
  /// The same architecture with the hidden sizes left by `selection`.
  ArchSizes afterCut(const UnitSelection& selection) const;
};

/// "layer 0: 256+256 -> 180+201" lines, then parameters and bytes before -> after.
std::string summaryText(const ArchSizes& before, const ArchSizes& after);
