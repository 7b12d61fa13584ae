#include "cli_args.h"

#include <cmath>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "core/error.h"

namespace kdw::cli {
namespace {

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
         std::size_t used = 0;
         try {
           *target = std::stoi(v, &used);
         } catch (const std::exception&) {
           used = 0;
         }
         if (used == 0 || used != v.size())
           throw UsageError("--" + name + ": expected an integer, got '" + v + "'");
       }});
}

void ArgParser::add_int64(const std::string& name, long long* target, const std::string& help) {
  add({name, "N", help, std::to_string(*target), false, [name, target](const std::string& v) {
         std::size_t used = 0;
         try {
           *target = std::stoll(v, &used);
         } catch (const std::exception&) {
           used = 0;
         }
         if (used == 0 || used != v.size())
           throw UsageError("--" + name + ": expected an integer, got '" + v + "'");
       }});
}

void ArgParser::add_double(const std::string& name, double* target, const std::string& help) {
  add({name, "X", help, format_double(*target), false, [name, target](const std::string& v) {
         std::size_t used = 0;
         try {
           *target = std::stod(v, &used);
         } catch (const std::exception&) {
           used = 0;
         }
         if (used == 0 || used != v.size())
           throw UsageError("--" + name + ": expected a number, got '" + v + "'");
         // stod reads "nan" and "inf"; no option means anything by them.
         if (!std::isfinite(*target))
           throw UsageError("--" + name + ": expected a finite number, got '" + v + "'");
       }});
}

void ArgParser::add_flag(const std::string& name, bool* target, const std::string& help) {
  add({name, "", help, *target ? "on" : "", false, [name, target](const std::string& v) {
         if (v.empty() || v == "true" || v == "1")
           *target = true;
         else if (v == "false" || v == "0")
           *target = false;
         else
           throw UsageError("--" + name + ": expected no value, true or false, got '" + v + "'");
       }});
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
