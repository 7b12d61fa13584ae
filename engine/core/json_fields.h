// Reading optional fields of a typed result's JSON mapping: a missing or null key leaves the
// field as it is (older files lack newer keys); a key of the wrong type is nlohmann's type_error,
// which the caller turns into an error naming the file.
#pragma once

#include <optional>

#include <nlohmann/json.hpp>

namespace kdw {

template <typename T>
void read_optional(const nlohmann::json& j, const char* key, T& out) {
  const auto it = j.find(key);
  if (it != j.end() && !it->is_null()) it->get_to(out);
}

template <typename T>
void read_optional(const nlohmann::json& j, const char* key, std::optional<T>& out) {
  const auto it = j.find(key);
  if (it != j.end() && !it->is_null()) out = it->get<T>();
}

}  // namespace kdw
