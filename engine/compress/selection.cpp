#include "compress/selection.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/atomic_output.h"
#include "core/error.h"
#include "core/json_read.h"
#include "core/option_checks.h"
#include "student/iss.h"

namespace kdw {
namespace {

std::string where(int layer, int direction) {
  return "layer " + std::to_string(layer) + " " + direction_name(direction);
}

const ComponentNorms& norms_of(const std::vector<ComponentNorms>& norms, int layer, int direction,
                               int64_t units) {
  for (const auto& n : norms)
    if (n.layer == layer && n.direction == direction) {
      if (static_cast<int64_t>(n.norms.size()) != units)
        throw Error("component norms of " + where(layer, direction) + " have " +
                    std::to_string(n.norms.size()) + " entries, the model has " +
                    std::to_string(units) + " units");
      return n;
    }
  throw Error("no component norms for " + where(layer, direction));
}

// Units ordered strongest first (ties: lower index first, so the result is deterministic).
std::vector<int64_t> strongest_first(const std::vector<float>& norms) {
  std::vector<int64_t> order(norms.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    const float na = std::isnan(norms[a]) ? -INFINITY : norms[a];
    const float nb = std::isnan(norms[b]) ? -INFINITY : norms[b];
    return na > nb;
  });
  return order;
}

}  // namespace

std::string direction_name(int direction) {
  return direction == 0 ? "fwd" : "bwd";
}

Selection Selection::none(const StudentArch& arch) {
  Selection s;
  s.removed.resize(arch.hidden.size());
  return s;
}

int64_t Selection::count() const {
  int64_t n = 0;
  for (const auto& layer : removed)
    for (const auto& units : layer) n += static_cast<int64_t>(units.size());
  return n;
}

nlohmann::json Selection::to_json() const {
  nlohmann::json list = nlohmann::json::array();
  for (size_t l = 0; l < removed.size(); ++l)
    for (int d = 0; d < 2; ++d)
      if (!removed[l][d].empty())
        list.push_back({{"layer", l}, {"direction", direction_name(d)}, {"units", removed[l][d]}});
  return {{"remove", list}};
}

void validate_selection(const Selection& selection, const StudentArch& arch,
                        const std::string& source) {
  if (selection.removed.size() != arch.hidden.size())
    throw Error(source + ": selection has " + std::to_string(selection.removed.size()) +
                " layers, the model has " + std::to_string(arch.hidden.size()));
  for (size_t l = 0; l < arch.hidden.size(); ++l)
    for (int d = 0; d < 2; ++d) {
      const auto& units = selection.removed[l][d];
      const int64_t h = d < arch.num_directions() ? arch.hidden[l][d] : 0;
      if (!units.empty() && h == 0)
        throw Error(source + ": " + where(int(l), d) + " does not exist in this " +
                    student_type_name(arch.type) + " model");
      for (size_t i = 0; i < units.size(); ++i) {
        if (units[i] < 0 || units[i] >= h)
          throw Error(source + ": unit " + std::to_string(units[i]) + " of " + where(int(l), d) +
                      " does not exist (it has units 0.." + std::to_string(h - 1) + ")");
        if (i > 0 && units[i] <= units[i - 1])
          throw Error(source + ": units of " + where(int(l), d) + " must be sorted and unique");
      }
      if (h > 0 && static_cast<int64_t>(units.size()) >= h)
        throw Error(source + ": removes all " + std::to_string(h) + " units of " +
                    where(int(l), d) + "; each layer/direction must keep at least one unit");
    }
}

Selection select_by_threshold(const StudentArch& arch, const std::vector<ComponentNorms>& norms,
                              double threshold) {
  check_number("threshold", threshold, Interval::non_negative());
  Selection s = Selection::none(arch);
  for (size_t l = 0; l < arch.hidden.size(); ++l)
    for (int d = 0; d < arch.num_directions(); ++d) {
      const auto& n = norms_of(norms, int(l), d, arch.hidden[l][d]).norms;
      for (size_t u = 0; u < n.size(); ++u)
        if (!(n[u] >= threshold)) s.removed[l][d].push_back(static_cast<int64_t>(u));
      if (s.removed[l][d].size() == n.size() && !n.empty()) {
        const float best = *std::max_element(n.begin(), n.end());
        throw Error("threshold " + std::to_string(threshold) + " removes all " +
                    std::to_string(n.size()) + " units of " + where(int(l), d) +
                    " (largest norm there " + std::to_string(best) +
                    "); each layer/direction must keep at least one unit");
      }
    }
  return s;
}

Selection select_trained_zeros(const StudentArch& arch, const std::vector<ComponentNorms>& norms,
                               double iss_threshold) {
  check_number("iss_threshold", iss_threshold, Interval::non_negative());
  Selection s = Selection::none(arch);
  for (size_t l = 0; l < arch.hidden.size(); ++l)
    for (int d = 0; d < arch.num_directions(); ++d) {
      const auto& n = norms_of(norms, int(l), d, arch.hidden[l][d]).norms;
      if (n.empty()) continue;
      const auto strongest = size_t(std::max_element(n.begin(), n.end()) - n.begin());
      for (size_t u = 0; u < n.size(); ++u) {
        const bool zeroed = iss_threshold > 0 ? !(n[u] >= iss_threshold) : !(n[u] > kZeroGroupNorm);
        if (zeroed && u != strongest) s.removed[l][d].push_back(static_cast<int64_t>(u));
      }
    }
  return s;
}

Selection select_by_keep(const StudentArch& arch, const std::vector<ComponentNorms>& norms,
                         int64_t keep) {
  if (keep < 1) throw UsageError("keep must be at least 1: got " + std::to_string(keep));
  Selection s = Selection::none(arch);
  for (size_t l = 0; l < arch.hidden.size(); ++l)
    for (int d = 0; d < arch.num_directions(); ++d) {
      const auto order = strongest_first(norms_of(norms, int(l), d, arch.hidden[l][d]).norms);
      if (static_cast<int64_t>(order.size()) <= keep) continue;
      auto& out = s.removed[l][d];
      out.assign(order.begin() + keep, order.end());
      std::sort(out.begin(), out.end());
    }
  return s;
}

Selection parse_components(const nlohmann::json& j, const StudentArch& arch,
                           const std::string& source) {
  if (!j.is_object() || !j.contains("remove") || !j["remove"].is_array())
    throw Error(source + ": expected {\"remove\": [{\"layer\", \"direction\", \"units\"}, ...]}");
  Selection s = Selection::none(arch);
  const auto& list = j["remove"];
  for (size_t i = 0; i < list.size(); ++i) {
    const auto& e = list[i];
    const std::string at = source + ": remove[" + std::to_string(i) + "]";
    if (!e.is_object() || !e.contains("layer") || !e["layer"].is_number_integer() ||
        !e.contains("units") || !e["units"].is_array())
      throw Error(at + ": needs an integer \"layer\" and a \"units\" list");
    const int64_t layer = e["layer"].get<int64_t>();
    if (layer < 0 || layer >= static_cast<int64_t>(arch.hidden.size()))
      throw Error(at + ": layer " + std::to_string(layer) + " does not exist (the model has " +
                  std::to_string(arch.hidden.size()) + " layers)");
    std::string dir = "fwd";
    if (e.contains("direction")) {
      if (!e["direction"].is_string())
        throw Error(at + ": \"direction\" must be \"fwd\" or \"bwd\"");
      dir = e["direction"].get<std::string>();
    }
    if (dir != "fwd" && dir != "bwd")
      throw Error(at + ": direction \"" + dir + "\" is neither \"fwd\" nor \"bwd\"");
    const int d = dir == "fwd" ? 0 : 1;
    auto& out = s.removed[static_cast<size_t>(layer)][d];
    for (const auto& u : e["units"]) {
      if (!u.is_number_integer()) throw Error(at + ": units must be integers");
      out.push_back(u.get<int64_t>());
    }
  }
  for (auto& layer : s.removed)
    for (auto& units : layer) {
      std::sort(units.begin(), units.end());
      units.erase(std::unique(units.begin(), units.end()), units.end());
    }
  validate_selection(s, arch, source);
  return s;
}

Selection read_components_file(const std::filesystem::path& path, const StudentArch& arch) {
  return parse_components(read_json_file(path), arch, path.string());
}

}  // namespace kdw
