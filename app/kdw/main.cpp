// kdw: the command-line face of KD Workbench. Every verb calls the same engine functions as
// the GUI; this file only dispatches and turns errors into exit codes.
#include <cstring>
#include <iostream>
#include <string>

#include "common_options.h"
#include "core/error.h"
#include "core/memory.h"
#include "dist/dist_context.h"
#include "verbs.h"

namespace {

struct Verb {
  const char* name;
  int (*run)(int, char**);
  const char* summary;
};

const Verb kVerbs[] = {
    {"prepare", kdw::cli::run_prepare, "import, clean and split labelled texts; build token files"},
    {"tokenize", kdw::cli::run_tokenize, "print the WordPiece tokens (or ids) of lines on stdin"},
    {"bert-info", kdw::cli::run_bert_info,
     "report what a BERT folder holds (layout, sizes, labels)"},
    {"finetune", kdw::cli::run_finetune, "fine-tune the BERT teacher on the prepared data"},
    {"logits", kdw::cli::run_logits, "run the fine-tuned teacher over every sample, store logits"},
    {"distill", kdw::cli::run_distill,
     "train a stack_LSTM / stack_biLSTM student, or evaluate one"},
    {"compress", kdw::cli::run_compress, "show weight heatmaps and cut ISS components from a run"},
    {"export", kdw::cli::run_export,
     "write a model for deployment (.pt, config.json, safetensors)"},
};

void print_usage(std::ostream& out) {
  out << "usage: kdw <verb> [options]   (kdw <verb> --help for the verb's options)\n\nverbs:\n";
  for (const Verb& v : kVerbs) {
    std::string name = v.name;
    name.resize(12, ' ');
    out << "  " << name << v.summary << "\n";
  }
  out << "\n  --version   print the version\n  --help      show this help\n";
}

}  // namespace

int main(int argc, char** argv) {
  kdw::keep_freed_memory();
  if (argc < 2) {
    print_usage(std::cerr);
    return 2;
  }
  const std::string first = argv[1];
  if (first == "--help" || first == "-h" || first == "help") {
    print_usage(std::cout);
    return 0;
  }
  if (first == "--version") {
    std::cout << "kdw " << KDW_VERSION << "\n";
    return 0;
  }
  for (const Verb& v : kVerbs) {
    if (first != v.name) continue;
    try {
      return v.run(argc - 1, argv + 1);
    } catch (const kdw::UsageError& e) {
      kdw::dist::context().abort(e.what());  // the other ranks of a job stop with it
      kdw::cli::report_error(e.what());
      return 2;
    } catch (const kdw::Cancelled&) {
      std::cerr << "kdw: cancelled; earlier outputs are left as they were\n";
      return 130;
    } catch (const kdw::Error& e) {
      kdw::dist::context().abort(e.what());
      kdw::cli::report_error(e.what());
      return 1;
    } catch (const std::exception& e) {
      kdw::dist::context().abort(e.what());
      kdw::cli::report_error(std::string("internal error: ") + e.what());
      return 3;
    }
  }
  std::cerr << "kdw: unknown verb '" << first << "'\n";
  print_usage(std::cerr);
  return 2;
}
