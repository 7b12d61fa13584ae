#include "core/option_table.h"

#include <algorithm>

namespace kdw {
namespace {

const char* kind_name(OptionKind kind) {
  switch (kind) {
    case OptionKind::kInteger:
      return "an integer";
    case OptionKind::kNumber:
      return "a number";
    case OptionKind::kFlag:
      return "true or false";
    default:
      return "a text";
  }
}

[[noreturn]] void wrong_kind(const OptionSpec& spec) {
  throw UsageError(spec.name + " must be " + kind_name(spec.kind));
}

}  // namespace

void check_option_value(const OptionSpec& spec, const OptionValue& value) {
  if (std::holds_alternative<std::monostate>(value)) {
    if (spec.optional()) return;
    throw UsageError(spec.name + " needs a value");
  }
  switch (spec.kind) {
    case OptionKind::kInteger:
      if (!std::holds_alternative<int64_t>(value)) wrong_kind(spec);
      check_integer(spec.name, std::get<int64_t>(value), spec.min, spec.max);
      return;
    case OptionKind::kNumber:
      if (std::holds_alternative<int64_t>(value)) {
        check_number(spec.name, double(std::get<int64_t>(value)), spec.range);
        return;
      }
      if (!std::holds_alternative<double>(value)) wrong_kind(spec);
      check_number(spec.name, std::get<double>(value), spec.range);
      return;
    case OptionKind::kFlag:
      if (!std::holds_alternative<bool>(value)) wrong_kind(spec);
      return;
    case OptionKind::kChoice: {
      if (!std::holds_alternative<std::string>(value)) wrong_kind(spec);
      const std::string& v = std::get<std::string>(value);
      if (std::find(spec.choices.begin(), spec.choices.end(), v) != spec.choices.end()) return;
      std::string valid;
      for (const auto& c : spec.choices) valid += (valid.empty() ? "" : ", ") + c;
      throw UsageError("unknown " + spec.name + " '" + v + "' (valid: " + valid + ")");
    }
    case OptionKind::kText:
    case OptionKind::kPath:
      if (!std::holds_alternative<std::string>(value)) wrong_kind(spec);
      return;
  }
}

std::string option_text(const OptionValue& value) {
  if (const auto* b = std::get_if<bool>(&value)) return *b ? "true" : "false";
  if (const auto* i = std::get_if<int64_t>(&value)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&value)) return number_text(*d);
  if (const auto* s = std::get_if<std::string>(&value)) return *s;
  return {};
}

nlohmann::json option_json(const OptionValue& value) {
  if (const auto* b = std::get_if<bool>(&value)) return *b;
  if (const auto* i = std::get_if<int64_t>(&value)) return *i;
  if (const auto* d = std::get_if<double>(&value)) return *d;
  if (const auto* s = std::get_if<std::string>(&value)) return *s;
  return nullptr;
}

OptionValue option_from_json(const OptionSpec& spec, const nlohmann::json& v) {
  if (v.is_null()) return {};
  switch (spec.kind) {
    case OptionKind::kInteger:
      if (v.is_number_integer()) return v.get<int64_t>();
      // A whole number written as 1e3 or 1000.0 is still that integer.
      if (v.is_number_float()) {
        const double d = v.get<double>();
        if (d == double(int64_t(d)) && d >= -9.2e18 && d <= 9.2e18) return int64_t(d);
      }
      break;
    case OptionKind::kNumber:
      if (v.is_number()) return v.get<double>();
      break;
    case OptionKind::kFlag:
      if (v.is_boolean()) return v.get<bool>();
      break;
    default:
      if (v.is_string()) return v.get<std::string>();
      break;
  }
  wrong_kind(spec);
}

}  // namespace kdw
