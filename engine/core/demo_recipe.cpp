#include "core/demo_recipe.h"

namespace kdw {

std::string option_flags(const OptionArgs& args) {
  std::string out;
  for (const auto& [name, value] : args) {
    if (const bool* flag = std::get_if<bool>(&value); flag && !*flag) continue;
    out += (out.empty() ? "--" : " --") + name;
    if (!std::holds_alternative<bool>(value)) out += " " + option_text(value);
  }
  return out;
}

void set_option_arg(OptionArgs& args, const std::string& name, OptionValue value) {
  for (auto& [n, v] : args)
    if (n == name) {
      v = std::move(value);
      return;
    }
  args.emplace_back(name, std::move(value));
}

OptionValue option_arg(const OptionArgs& args, const std::string& name) {
  for (const auto& [n, v] : args)
    if (n == name) return v;
  return {};
}

}  // namespace kdw
