#include "formats/safetensors.h"

#include <cstring>

#include <nlohmann/json.hpp>

#include "core/atomic_output.h"
#include "core/error.h"

namespace fs = std::filesystem;

namespace kdw {
namespace {

struct DTypeName {
  const char* name;
  at::ScalarType type;
};

const DTypeName kDTypes[] = {
    {"F32", at::kFloat}, {"F16", at::kHalf},  {"BF16", at::kBFloat16}, {"F64", at::kDouble},
    {"I64", at::kLong},  {"I32", at::kInt},   {"I16", at::kShort},     {"I8", at::kChar},
    {"U8", at::kByte},   {"BOOL", at::kBool},
};

// Only JSON integers: nlohmann turns a float such as 9e28 into an integer type by a plain cast,
// undefined behaviour when out of range.
template <typename T>
std::vector<T> integers(const fs::path& path, const std::string& name, const char* field,
                        const nlohmann::json& j) {
  std::vector<T> out;
  if (j.is_array())
    for (const auto& v : j) {
      if (!v.is_number_integer()) break;
      out.push_back(v.get<T>());
    }
  if (!j.is_array() || out.size() != j.size())
    throw file_error(path, "tensor " + name + ": " + field + " is not a list of integers");
  return out;
}

}  // namespace

at::Tensor SafetensorsFile::find(const std::string& name) const {
  for (const auto& [n, t] : tensors)
    if (n == name) return t;
  return {};
}

SafetensorsFile read_safetensors(const fs::path& path) {
  const std::string raw = read_file(path);
  if (raw.size() < 8) throw file_error(path, "truncated safetensors file (no header)");
  uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | static_cast<unsigned char>(raw[i]);
  if (header_len > raw.size() - 8)
    throw file_error(path, "truncated or corrupt safetensors file (header length " +
                               std::to_string(header_len) + " exceeds the file)");
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(raw.begin() + 8, raw.begin() + 8 + static_cast<long>(header_len));
  } catch (const nlohmann::json::exception& e) {
    throw file_error(path, std::string("corrupt safetensors header: ") + e.what());
  }
  if (!header.is_object()) throw file_error(path, "corrupt safetensors header: not a JSON object");
  const std::size_t data_start = 8 + header_len;
  const std::size_t data_size = raw.size() - data_start;

  SafetensorsFile out;
  std::vector<std::pair<std::size_t, std::pair<std::string, at::Tensor>>> ordered;
  for (auto it = header.begin(); it != header.end(); ++it) {
    if (it.key() == "__metadata__") {
      if (it->is_object())
        for (auto m = it->begin(); m != it->end(); ++m)
          if (m->is_string()) out.metadata[m.key()] = m->get<std::string>();
      continue;
    }
    const std::string& name = it.key();
    try {
      const std::string dtype = it->at("dtype").get<std::string>();
      const auto shape = integers<int64_t>(path, name, "shape", it->at("shape"));
      const auto offsets = integers<uint64_t>(path, name, "data_offsets", it->at("data_offsets"));
      const DTypeName* d = nullptr;
      for (const auto& candidate : kDTypes)
        if (dtype == candidate.name) d = &candidate;
      if (!d) throw file_error(path, "tensor " + name + " has unsupported dtype " + dtype);
      if (offsets.size() != 2 || offsets[0] > offsets[1] || offsets[1] > data_size)
        throw file_error(path, "tensor " + name + " lies outside the file (truncated or corrupt)");
      at::Tensor t = at::empty(shape, at::TensorOptions().dtype(d->type));
      const std::size_t expected = static_cast<std::size_t>(t.numel()) * t.element_size();
      if (offsets[1] - offsets[0] != expected)
        throw file_error(path, "tensor " + name + " has " + std::to_string(offsets[1] - offsets[0]) +
                                   " bytes, its shape needs " + std::to_string(expected));
      if (expected) std::memcpy(t.data_ptr(), raw.data() + data_start + offsets[0], expected);
      ordered.push_back({offsets[0], {name, t}});
    } catch (const nlohmann::json::exception& e) {
      throw file_error(path, "corrupt safetensors entry " + name + ": " + e.what());
    } catch (const c10::Error&) {
      throw file_error(path, "corrupt safetensors entry " + name + ": invalid shape");
    }
  }
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& entry : ordered) out.tensors.push_back(std::move(entry.second));
  return out;
}

void write_safetensors(const fs::path& path,
                       const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  nlohmann::ordered_json header;
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::vector<at::Tensor> contiguous;
  uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    at::Tensor t = tensor.detach().to(at::kCPU).contiguous();
    const DTypeName* d = nullptr;
    for (const auto& candidate : kDTypes)
      if (t.scalar_type() == candidate.type) d = &candidate;
    if (!d) throw file_error(path, "cannot store tensor " + name + ": unsupported dtype");
    const uint64_t bytes = static_cast<uint64_t>(t.numel()) * t.element_size();
    header[name] = {{"dtype", d->name}, {"shape", t.sizes().vec()}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
    contiguous.push_back(t);
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // keeps tensor data 8-byte aligned
  char len[8];
  uint64_t n = text.size();
  for (int i = 0; i < 8; ++i, n >>= 8) len[i] = static_cast<char>(n & 0xff);
  AtomicFile file(path);
  file.write(len, 8);
  file.write(text);
  for (const at::Tensor& t : contiguous) file.write(t.data_ptr(), static_cast<std::size_t>(t.numel()) * t.element_size());
  file.commit();
}

}  // namespace kdw
