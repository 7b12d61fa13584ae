#include "bert_test_util.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace fs = std::filesystem;

namespace kdw::test {

fs::path bert_fixtures() {
  return fs::path(KDW_FIXTURES_DIR) / "bert";
}

std::string read_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_bytes(const fs::path& file, const std::string& bytes) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + file.string());
}

void copy_folder(const fs::path& from, const fs::path& to) {
  fs::create_directories(to);
  for (const auto& entry : fs::directory_iterator(from))
    if (entry.is_regular_file())
      write_bytes(to / entry.path().filename(), read_bytes(entry.path()));
}

namespace {

at::Tensor ints(const nlohmann::json& rows) {
  std::vector<int64_t> flat;
  for (const auto& row : rows)
    for (const auto& v : row) flat.push_back(v.get<int64_t>());
  return at::tensor(flat, at::kLong).view({static_cast<int64_t>(rows.size()), -1});
}

at::Tensor floats(const nlohmann::json& json, const std::string& name) {
  const auto data = json.at(name).get<std::vector<float>>();
  const auto shape = json.at(name + "_shape").get<std::vector<int64_t>>();
  return at::tensor(data, at::kFloat).view(shape);
}

}  // namespace

ExpectedOutputs expected_outputs() {
  const auto json = nlohmann::json::parse(read_bytes(bert_fixtures() / "expected_outputs.json"));
  ExpectedOutputs e;
  e.input_ids = ints(json.at("input_ids"));
  e.attention_mask = ints(json.at("attention_mask"));
  e.token_type_ids = ints(json.at("token_type_ids"));
  e.sequence_output = floats(json, "sequence_output");
  e.pooled_output = floats(json, "pooled_output");
  e.logits = floats(json, "logits");
  e.tolerance = json.at("tolerance_abs").get<double>();
  return e;
}

double max_abs_diff(const at::Tensor& a, const at::Tensor& b) {
  if (a.sizes() != b.sizes()) throw std::runtime_error("shapes differ");
  return (a.to(at::kDouble) - b.to(at::kDouble)).abs().max().item<double>();
}

}  // namespace kdw::test
