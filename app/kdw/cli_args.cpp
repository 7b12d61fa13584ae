#include "cli_args.h"

#include <cmath>
#include <iomanip>
#include <iostream>
#include <limits>
#include <sstream>

#include "core/error.h"

namespace kdw::cli {
namespace {

long long parse_integer(const std::string& name, const std::string& v) {
  std::size_t used = 0;
  long long out = 0;
  try {
    out = std::stoll(v, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != v.size())
    throw UsageError("--" + name + ": expected an integer, got '" + v + "'");
  return out;
}

double parse_number(const std::string& name, const std::string& v) {
  std::size_t used = 0;
  double out = 0;
  try {
    out = std::stod(v, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != v.size())
    throw UsageError("--" + name + ": expected a number, got '" + v + "'");
  // stod reads "nan" and "inf"; no option means anything by them.
  if (!std::isfinite(out))
    throw UsageError("--" + name + ": expected a finite number, got '" + v + "'");
  return out;
}

bool parse_flag(const std::string& name, const std::string& v) {
  if (v.empty() || v == "true" || v == "1") return true;
  if (v == "false" || v == "0") return false;
  throw UsageError("--" + name + ": expected no value, true or false, got '" + v + "'");
}

std::string format_double(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

}  // namespace

ArgParser::ArgParser(std::string verb, std::string summary)
    : verb_(std::move(verb)), summary_(std::move(summary)) {}

void ArgParser::add(Option option) {
  options_.push_back(std::move(option));
}

void ArgParser::hide_default(const std::string& name) {
  if (Option* o = find(name)) o->default_text.clear();
}

ArgParser::Option* ArgParser::find(const std::string& name) {
  for (Option& o : options_)
    if (o.name == name) return &o;
  return nullptr;
}

void ArgParser::add_string(const std::string& name, std::string* target, const std::string& help,
                           bool required) {
  add({name, "TEXT", help, *target, required, [target](const std::string& v) { *target = v; }});
}

void ArgParser::add_path(const std::string& name, std::string* target, const std::string& help,
                         bool required) {
  add({name, "PATH", help, *target, required, [target](const std::string& v) { *target = v; }});
}

void ArgParser::add_choice(const std::string& name, std::string* target,
                           std::vector<std::string> choices, const std::string& help) {
  std::string names;
  for (const auto& c : choices) names += (names.empty() ? "" : "|") + c;
  add({name, names, help, *target, false, [name, target, choices, names](const std::string& v) {
         for (const auto& c : choices)
           if (c == v) {
             *target = v;
             return;
           }
         throw UsageError("--" + name + ": unknown value '" + v + "' (expected " + names + ")");
       }});
}

void ArgParser::add_int(const std::string& name, int* target, const std::string& help) {
  add({name, "N", help, std::to_string(*target), false, [name, target](const std::string& v) {
         const long long n = parse_integer(name, v);
         if (n < std::numeric_limits<int>::min() || n > std::numeric_limits<int>::max())
           throw UsageError("--" + name + ": expected an integer, got '" + v + "'");
         *target = int(n);
       }});
}

void ArgParser::add_int64(const std::string& name, long long* target, const std::string& help) {
  add({name, "N", help, std::to_string(*target), false,
       [name, target](const std::string& v) { *target = parse_integer(name, v); }});
}

void ArgParser::add_double(const std::string& name, double* target, const std::string& help) {
  add({name, "X", help, format_double(*target), false,
       [name, target](const std::string& v) { *target = parse_number(name, v); }});
}

void ArgParser::add_flag(const std::string& name, bool* target, const std::string& help) {
  add({name, "", help, *target ? "on" : "", false,
       [name, target](const std::string& v) { *target = parse_flag(name, v); }});
}

void ArgParser::add_spec(const OptionSpec& spec, std::function<void(const OptionValue&)> assign) {
  Option o;
  o.name = spec.name;
  o.help = spec.help;
  o.required = spec.required();
  o.default_text = option_text(spec.default_value);
  const std::string name = spec.name;
  switch (spec.kind) {
    case OptionKind::kInteger:
      o.value_name = "N";
      o.assign = [name, assign](const std::string& v) {
        assign(static_cast<int64_t>(parse_integer(name, v)));
      };
      break;
    case OptionKind::kNumber:
      o.value_name = "X";
      o.assign = [name, assign](const std::string& v) { assign(parse_number(name, v)); };
      break;
    case OptionKind::kFlag:
      o.default_text = std::get<bool>(spec.default_value) ? "on" : "";
      o.assign = [name, assign](const std::string& v) { assign(parse_flag(name, v)); };
      break;
    case OptionKind::kChoice:
      for (const auto& c : spec.choices) o.value_name += (o.value_name.empty() ? "" : "|") + c;
      o.assign = [assign](const std::string& v) { assign(v); };
      break;
    case OptionKind::kText:
    case OptionKind::kPath:
      o.value_name = spec.kind == OptionKind::kPath ? "PATH" : "TEXT";
      o.assign = [assign](const std::string& v) { assign(v); };
      break;
  }
  add(std::move(o));
}

bool ArgParser::parse(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << help();
      return false;
    }
    if (arg.rfind("--", 0) != 0 || arg.size() == 2)
      throw UsageError("kdw " + verb_ + ": unexpected argument '" + arg + "' (see kdw " + verb_ +
                       " --help)");
    std::string name = arg.substr(2), value;
    bool has_value = false;
    if (const auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    Option* option = find(name);
    if (!option) {
      // Accept dashes for underscores (--data-path) since both spellings are common.
      std::string alt = name;
      for (char& c : alt) c = c == '-' ? '_' : c;
      option = find(alt);
      name = alt;
    }
    if (!option)
      throw UsageError("kdw " + verb_ + ": unknown option --" + name + " (see kdw " + verb_ +
                       " --help)");
    if (!option->value_name.empty() && !has_value) {
      // A missing value must not swallow the next option (--restore_path --cut_model); a
      // negative number ("-1") starts with one dash only, so it still passes as a value.
      if (i + 1 >= argc || std::string(argv[i + 1]).rfind("--", 0) == 0)
        throw UsageError("--" + name + " needs a value (write --" + name +
                         "=VALUE for one that starts with --)");
      value = argv[++i];
    }
    option->assign(value);
    seen_.insert(name);
  }
  for (const Option& o : options_)
    if (o.required && !seen_.count(o.name))
      throw UsageError("kdw " + verb_ + ": --" + o.name + " is required (see kdw " + verb_ +
                       " --help)");
  return true;
}

std::string ArgParser::help() const {
  std::ostringstream out;
  out << "usage: kdw " << verb_ << " [options]\n\n" << summary_ << "\n\noptions:\n";
  for (const Option& o : options_) {
    std::string left = "  --" + o.name + (o.value_name.empty() ? "" : " " + o.value_name);
    out << std::left << std::setw(34) << left;
    if (left.size() >= 34) out << "\n" << std::string(34, ' ');
    out << o.help;
    if (o.required)
      out << " (required)";
    else if (!o.default_text.empty())
      out << " [default: " << o.default_text << "]";
    out << "\n";
  }
  out << std::left << std::setw(34) << "  --help"
      << "show this help\n";
  return out.str();
}

}  // namespace kdw::cli
