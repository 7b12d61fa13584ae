// Each kdw verb: parses its own options (argv[0] is the verb's name), calls the engine, and
// returns an exit code. Errors travel as exceptions; main() turns them into exit codes.
#pragma once

namespace kdw::cli {

int run_prepare(int argc, char** argv);
int run_tokenize(int argc, char** argv);
int run_bert_info(int argc, char** argv);
int run_finetune(int argc, char** argv);
int run_logits(int argc, char** argv);
int run_distill(int argc, char** argv);
int run_compress(int argc, char** argv);
int run_export(int argc, char** argv);

}  // namespace kdw::cli
