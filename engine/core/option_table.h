// One table per stage of the options a job takes, one record per option (after llama.cpp's
// common/arg.cpp and sentencepiece's TrainerSpec): its name, kind, default, range or choices,
// label and help. The name is the options struct's field name, the CLI flag (--name), the key
// in a run's config.json and in the GUI's saved settings, and the form widget's object name, so
// that an option is spelled once. From the table come the CLI flags and --help (app/kdw), the
// GUI forms and their settings (ui/common/option_form), config.json and its reading back, the
// options' defaults and their checks (with messages naming the field, never a CLI flag).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/option_checks.h"

namespace kdw {

enum class OptionKind { kInteger, kNumber, kText, kPath, kChoice, kFlag };

/// An option's value; monostate: not given (an option whose absence means "not used").
using OptionValue = std::variant<std::monostate, bool, int64_t, double, std::string>;

/// Where an option shows; every option is kept in config.json.
enum OptionUse : unsigned {
  kOnCli = 1,    ///< a flag of the kdw verb
  kOnForm = 2,   ///< a field of the GUI panel's form
  kRequired = 4  ///< the CLI requires it (the GUI fills it from the workspace)
};

struct OptionSpec {
  std::string name;  ///< field name, --flag, config.json key, settings key, widget name
  OptionKind kind = OptionKind::kText;
  OptionValue default_value;         ///< monostate: optional, no default
  int64_t min = 0, max = 0;          ///< kInteger: the accepted range
  Interval range{0, 0};              ///< kNumber: the accepted range
  std::vector<std::string> choices;  ///< kChoice
  std::string label;                 ///< the form's label
  std::string help;                  ///< the CLI's help and the form's tooltip
  unsigned use = kOnCli | kOnForm;
  int decimals = 3;  ///< kNumber: digits the form shows
  double step = 0;   ///< kNumber: the form's step (0: adaptive, a tenth of the value)

  bool on_cli() const { return use & kOnCli; }
  bool on_form() const { return use & kOnForm; }
  bool required() const { return use & kRequired; }
  bool optional() const { return std::holds_alternative<std::monostate>(default_value); }
};

/// Throws kdw::UsageError naming the option's field when `value` is of the wrong kind, NaN,
/// infinite, out of range or not one of the choices.
void check_option_value(const OptionSpec& spec, const OptionValue& value);
/// The value as a command line or --help writes it ("1000", "0.002", "mse", "" for monostate).
std::string option_text(const OptionValue& value);
nlohmann::json option_json(const OptionValue& value);
/// Reads a config.json value of the option's kind; throws kdw::UsageError naming the field.
OptionValue option_from_json(const OptionSpec& spec, const nlohmann::json& value);

// Conversions between a field and an OptionValue; other field types (enums) add overloads of
// to_option_value / from_option_value in their own namespace.
template <class T>
OptionValue to_option_value(const T& v) {
  if constexpr (std::is_same_v<T, bool>)
    return v;
  else if constexpr (std::is_integral_v<T>)
    return static_cast<int64_t>(v);
  else if constexpr (std::is_floating_point_v<T>)
    return static_cast<double>(v);
  else if constexpr (std::is_same_v<T, std::filesystem::path>)
    return v.string();
  else
    return std::string(v);
}
template <class T>
OptionValue to_option_value(const std::optional<T>& v) {
  return v ? to_option_value(*v) : OptionValue{};
}
template <class T>
void from_option_value(const OptionValue& v, T& out) {
  if constexpr (std::is_same_v<T, bool>)
    out = std::get<bool>(v);
  else if constexpr (std::is_integral_v<T>)
    out = static_cast<T>(std::get<int64_t>(v));
  else if constexpr (std::is_floating_point_v<T>)
    out = static_cast<T>(std::holds_alternative<int64_t>(v) ? double(std::get<int64_t>(v))
                                                            : std::get<double>(v));
  else
    out = T(std::get<std::string>(v));
}
template <class T>
void from_option_value(const OptionValue& v, std::optional<T>& out) {
  if (std::holds_alternative<std::monostate>(v)) {
    out.reset();
    return;
  }
  T value{};
  from_option_value(v, value);
  out = value;
}

/// Option values by name, e.g. the demo's settings of one stage (core/demo_recipe.h).
using OptionArgs = std::vector<std::pair<std::string, OptionValue>>;

/// The options of one stage, bound to the fields of its options struct `O`.
template <class O>
class OptionTable {
 public:
  struct Entry {
    OptionSpec spec;
    std::function<OptionValue(const O&)> get;
    std::function<void(O&, const OptionValue&)> set;
  };

  /// `field`: a member pointer, or a callable returning a reference to the field of an `O&`.
  template <class F>
  OptionTable& integer(std::string name, F field, int64_t def, int64_t lo, int64_t hi,
                       std::string label, std::string help, unsigned use = kOnCli | kOnForm) {
    OptionSpec s = make(std::move(name), OptionKind::kInteger, def);
    s.min = lo, s.max = hi;
    return bind(finish(std::move(s), std::move(label), std::move(help), use), field);
  }
  /// An integer that may be absent (def: std::nullopt).
  template <class F>
  OptionTable& optional_integer(std::string name, F field, int64_t lo, int64_t hi,
                                std::string label, std::string help,
                                unsigned use = kOnCli | kOnForm) {
    OptionSpec s = make(std::move(name), OptionKind::kInteger, {});
    s.min = lo, s.max = hi;
    return bind(finish(std::move(s), std::move(label), std::move(help), use), field);
  }
  /// A number; `def` nullopt: may be absent.
  template <class F>
  OptionTable& number(std::string name, F field, std::optional<double> def, Interval range,
                      int decimals, std::string label, std::string help,
                      unsigned use = kOnCli | kOnForm) {
    OptionSpec s =
        make(std::move(name), OptionKind::kNumber, def ? OptionValue(*def) : OptionValue{});
    s.range = range;
    s.decimals = decimals;
    return bind(finish(std::move(s), std::move(label), std::move(help), use), field);
  }
  /// One of `choices`; `def` empty: may be absent.
  template <class F>
  OptionTable& choice(std::string name, F field, std::string def, std::vector<std::string> choices,
                      std::string label, std::string help, unsigned use = kOnCli | kOnForm) {
    OptionSpec s = make(std::move(name), OptionKind::kChoice, def.empty() ? OptionValue{} : def);
    s.choices = std::move(choices);
    return bind(finish(std::move(s), std::move(label), std::move(help), use), field);
  }
  template <class F>
  OptionTable& text(std::string name, F field, std::string def, std::string label, std::string help,
                    unsigned use = kOnCli | kOnForm) {
    return bind(finish(make(std::move(name), OptionKind::kText, std::move(def)), std::move(label),
                       std::move(help), use),
                field);
  }
  /// A path; the default is empty ("not given"), which --help does not show.
  template <class F>
  OptionTable& path(std::string name, F field, std::string label, std::string help,
                    unsigned use = kOnCli) {
    return bind(finish(make(std::move(name), OptionKind::kPath, std::string()), std::move(label),
                       std::move(help), use),
                field);
  }
  template <class F>
  OptionTable& flag(std::string name, F field, bool def, std::string label, std::string help,
                    unsigned use = kOnCli | kOnForm) {
    return bind(finish(make(std::move(name), OptionKind::kFlag, def), std::move(label),
                       std::move(help), use),
                field);
  }

  const std::vector<Entry>& entries() const { return entries_; }
  std::vector<OptionSpec> specs() const {
    std::vector<OptionSpec> out;
    for (const Entry& e : entries_) out.push_back(e.spec);
    return out;
  }
  const Entry* find(const std::string& name) const {
    for (const Entry& e : entries_)
      if (e.spec.name == name) return &e;
    return nullptr;
  }

  /// Sets one option after checking the value (kdw::UsageError naming the field).
  void set(O& o, const std::string& name, const OptionValue& value) const {
    const Entry& e = at(name);
    check_option_value(e.spec, value);
    e.set(o, value);
  }
  OptionValue get(const O& o, const std::string& name) const { return at(name).get(o); }
  void set_defaults(O& o) const {
    for (const Entry& e : entries_) e.set(o, e.spec.default_value);
  }
  /// Checks every option's current value (options filled in by code, not through set()).
  void check(const O& o) const {
    for (const Entry& e : entries_) check_option_value(e.spec, e.get(o));
  }
  /// config.json: every option by name; absent optional ones are left out.
  nlohmann::json to_json(const O& o) const {
    nlohmann::json j = nlohmann::json::object();
    for (const Entry& e : entries_) {
      const OptionValue v = e.get(o);
      if (!std::holds_alternative<std::monostate>(v)) j[e.spec.name] = option_json(v);
    }
    return j;
  }
  /// The CLI options as the kdw verb's command line: "--name=value" for each one that has a
  /// value (a true flag: "--name"); a path left empty ("not given") is left out. The "=" keeps a
  /// value that starts with "-" or is empty a value. The verb reads them back to the same
  /// options (tests/cli/test_cli_flags); the GUI starts `kdw` with them.
  std::vector<std::string> to_cli_args(const O& o) const {
    std::vector<std::string> args;
    for (const Entry& e : entries_) {
      if (!e.spec.on_cli()) continue;
      const OptionValue v = e.get(o);
      if (std::holds_alternative<std::monostate>(v)) continue;
      if (e.spec.kind == OptionKind::kPath && std::get<std::string>(v).empty()) continue;
      if (const bool* flag = std::get_if<bool>(&v); flag && *flag)
        args.push_back("--" + e.spec.name);
      else
        args.push_back("--" + e.spec.name + "=" + option_text(v));
    }
    return args;
  }
  /// Reads back what to_json wrote: the options `j` holds are checked and set, the others keep
  /// their value; unknown keys are ignored (config.json also holds what the run found).
  void from_json(O& o, const nlohmann::json& j) const {
    if (!j.is_object()) throw UsageError("options must be a JSON object");
    for (const Entry& e : entries_)
      if (const auto it = j.find(e.spec.name); it != j.end())
        set(o, e.spec.name, option_from_json(e.spec, *it));
  }

 private:
  static OptionSpec make(std::string name, OptionKind kind, OptionValue def) {
    OptionSpec s;
    s.name = std::move(name);
    s.kind = kind;
    s.default_value = std::move(def);
    return s;
  }
  static OptionSpec finish(OptionSpec s, std::string label, std::string help, unsigned use) {
    s.label = std::move(label);
    s.help = std::move(help);
    s.use = use;
    return s;
  }
  template <class F>
  static auto& field_of(O& o, F field) {
    if constexpr (std::is_member_object_pointer_v<F>)
      return o.*field;
    else
      return field(o);
  }
  template <class F>
  OptionTable& bind(OptionSpec spec, F field) {
    entries_.push_back(
        {std::move(spec),
         [field](const O& o) { return to_option_value(field_of(const_cast<O&>(o), field)); },
         [field](O& o, const OptionValue& v) { from_option_value(v, field_of(o, field)); }});
    return *this;
  }
  const Entry& at(const std::string& name) const {
    if (const Entry* e = find(name)) return *e;
    throw UsageError("unknown option '" + name + "'");
  }

  std::vector<Entry> entries_;
};

/// Sets every option of `args` in `o` through its table (checked; unknown names are errors).
template <class O>
void apply_option_args(const OptionTable<O>& table, const OptionArgs& args, O& o) {
  for (const auto& [name, value] : args) table.set(o, name, value);
}

}  // namespace kdw
