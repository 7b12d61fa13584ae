// BERT configs (bert_config.json / config.json, bert/bert_config.*).
#include "bert/bert_config.h"

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto file = kdw_fuzz::put("config.json", data, size);
  try {
    const kdw::BertConfig config = kdw::read_bert_config(file);
    config.validate(file);
    config.to_hf_json().dump();
  } catch (const kdw::Error&) {
  }
  return 0;
}
