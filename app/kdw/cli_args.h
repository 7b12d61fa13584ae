// Command-line options of one kdw verb: each option is bound to a variable whose current value
// is its default, and --help is generated from the declarations.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "core/option_table.h"

namespace kdw::cli {

class ArgParser {
 public:
  ArgParser(std::string verb, std::string summary);

  void add_string(const std::string& name, std::string* target, const std::string& help,
                  bool required = false);
  void add_path(const std::string& name, std::string* target, const std::string& help,
                bool required = false);
  void add_choice(const std::string& name, std::string* target, std::vector<std::string> choices,
                  const std::string& help);
  void add_int(const std::string& name, int* target, const std::string& help);
  void add_int64(const std::string& name, long long* target, const std::string& help);
  void add_double(const std::string& name, double* target, const std::string& help);
  /// A switch without a value (--lower); also accepts --name=true/false.
  void add_flag(const std::string& name, bool* target, const std::string& help);

  /// Every CLI option of a stage's table, as --<name>, bound to `target`: the text is read as
  /// the option's kind here, its range and choices are checked by the table (messages name
  /// the field). `table` and `target` must outlive parse().
  template <class O>
  void add_table(const OptionTable<O>& table, O& target) {
    for (const auto& e : table.entries())
      if (e.spec.on_cli())
        add_spec(e.spec, [&table, &target, name = e.spec.name](const OptionValue& v) {
          table.set(target, name, v);
        });
  }
  void add_spec(const OptionSpec& spec, std::function<void(const OptionValue&)> assign);

  /// Parses argv[1..] (argv[0] is the verb). Returns false when --help was printed.
  /// Throws kdw::UsageError on unknown options, bad values or missing required options.
  bool parse(int argc, char** argv);
  bool was_set(const std::string& name) const { return seen_.count(name) > 0; }
  /// For options whose absence means "not used" rather than a value: --help shows no default.
  void hide_default(const std::string& name);
  std::string help() const;

 private:
  struct Option {
    std::string name;
    std::string value_name;  // empty for flags
    std::string help;
    std::string default_text;
    bool required = false;
    std::function<void(const std::string&)> assign;
  };
  void add(Option option);
  Option* find(const std::string& name);

  std::string verb_;
  std::string summary_;
  std::vector<Option> options_;
  std::set<std::string> seen_;
};

}  // namespace kdw::cli
