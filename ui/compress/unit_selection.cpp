#include "ui/compress/unit_selection.h"

#include "ui/common/human_units.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

UnitSelection::UnitSelection(std::vector<UnitGroup> groups) : groups_(std::move(groups)) {
  for (const auto& g : groups_) picked_.emplace_back(g.norms.size(), 0);
}

int UnitSelection::findGroup(int layer, int direction) const {
  for (size_t i = 0; i < groups_.size(); ++i)
    if (groups_[i].layer == layer && groups_[i].direction == direction) return static_cast<int>(i);
  return -1;
}

bool UnitSelection::isPicked(int g, int unit) const {
  if (g < 0 || g >= groupCount() || unit < 0 || unit >= unitCount(g)) return false;
  return picked_[static_cast<size_t>(g)][static_cast<size_t>(unit)] != 0;
}

void UnitSelection::setPicked(int g, int unit, bool picked) {
  if (g < 0 || g >= groupCount() || unit < 0 || unit >= unitCount(g)) return;
  picked_[static_cast<size_t>(g)][static_cast<size_t>(unit)] = picked ? 1 : 0;
}

void UnitSelection::toggle(int g, int unit) {
  setPicked(g, unit, !isPicked(g, unit));
}

void UnitSelection::setRange(int g, int first, int last, bool picked) {
  if (g < 0 || g >= groupCount()) return;
  if (first > last) std::swap(first, last);
  first = std::max(first, 0);
  last = std::min(last, unitCount(g) - 1);
  for (int u = first; u <= last; ++u) setPicked(g, u, picked);
}

void UnitSelection::clear() {
  for (auto& p : picked_) std::fill(p.begin(), p.end(), 0);
}

void UnitSelection::applyThreshold(float threshold) {
  for (size_t g = 0; g < groups_.size(); ++g)
    for (size_t u = 0; u < groups_[g].norms.size(); ++u)
      picked_[g][u] = groups_[g].norms[u] < threshold ? 1 : 0;
}

float UnitSelection::maxNorm() const {
  float m = 0.0f;
  for (const auto& g : groups_)
    for (float v : g.norms) m = std::max(m, v);
  return m;
}

float UnitSelection::minNonZeroNorm() const {
  float m = 0.0f;
  for (const auto& g : groups_)
    for (float v : g.norms)
      if (v > 0.0f && (m == 0.0f || v < m)) m = v;
  return m;
}

int UnitSelection::countBelow(float threshold) const {
  int n = 0;
  for (const auto& g : groups_)
    for (float v : g.norms) n += v < threshold ? 1 : 0;
  return n;
}

int UnitSelection::totalUnits() const {
  int n = 0;
  for (const auto& g : groups_) n += static_cast<int>(g.norms.size());
  return n;
}

void UnitSelection::setPicks(const Picks& picks) {
  if (picks.size() != picked_.size()) return;
  for (size_t g = 0; g < picks.size(); ++g)
    if (picks[g].size() != picked_[g].size()) return;
  picked_ = picks;
}

int UnitSelection::pickedCount(int g) const {
  if (g < 0 || g >= groupCount()) return 0;
  const auto& p = picked_[static_cast<size_t>(g)];
  return static_cast<int>(std::count(p.begin(), p.end(), 1));
}

int UnitSelection::keptCount(int g) const {
  return static_cast<int>(keptUnits(g).size());
}

std::vector<int> UnitSelection::pickedUnits(int g) const {
  std::vector<int> out;
  for (int u = 0; u < unitCount(g); ++u)
    if (isPicked(g, u)) out.push_back(u);
  return out;
}

std::vector<int> UnitSelection::keptUnits(int g) const {
  std::vector<int> out;
  if (g < 0 || g >= groupCount()) return out;
  for (int u = 0; u < unitCount(g); ++u)
    if (!isPicked(g, u)) out.push_back(u);
  if (out.empty() && unitCount(g) > 0) {
    const auto& n = group(g).norms;
    out.push_back(static_cast<int>(std::max_element(n.begin(), n.end()) - n.begin()));
  }
  return out;
}

int64_t ArchSizes::parameterCount() const {
  int64_t total = vocab_size * emb_dim;
  int64_t in = emb_dim;
  for (const auto& h : hidden) {
    for (int d = 0; d < (bidirectional ? 2 : 1); ++d) {
      const int64_t H = h[static_cast<size_t>(d)];
      total += 4 * H * in + 4 * H * H + 8 * H;
    }
    in = h[0] + (bidirectional ? h[1] : 0);
  }
  total += num_labels * in + num_labels;
  return total;
}

ArchSizes ArchSizes::afterCut(const UnitSelection& selection) const {
  ArchSizes out = *this;
  for (size_t l = 0; l < out.hidden.size(); ++l)
    for (int d = 0; d < 2; ++d) {
      const int g = selection.findGroup(static_cast<int>(l), d);
      if (g >= 0) out.hidden[l][static_cast<size_t>(d)] = selection.keptCount(g);
    }
  return out;
}

std::string summaryText(const ArchSizes& before, const ArchSizes& after) {
  std::string text;
  for (size_t l = 0; l < before.hidden.size() && l < after.hidden.size(); ++l) {
    auto sizes = [&](const ArchSizes& a) {
      return before.bidirectional
                 ? std::to_string(a.hidden[l][0]) + " + " + std::to_string(a.hidden[l][1])
                 : std::to_string(a.hidden[l][0]);
    };
    text += "layer " + std::to_string(l) + ": " + sizes(before) + "  ->  " + sizes(after) + "\n";
  }
  const int64_t pb = before.parameterCount(), pa = after.parameterCount();
  char pct[32];
  std::snprintf(pct, sizeof pct, " (%.1f %%)", pb > 0 ? 100.0 * double(pa) / double(pb) : 0.0);
  text += "parameters: " + humanCount(pb) + "  ->  " + humanCount(pa) + pct + "\n";
  text += "bytes: " + humanBytes(before.parameterBytes()) + "  ->  " +
          humanBytes(after.parameterBytes());
  return text;
}
