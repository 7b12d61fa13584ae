#include "formats/safetensors.h"

#include <algorithm>
#include <cstring>

#include <nlohmann/json.hpp>

#include "core/atomic_output.h"
#include "core/error.h"
#include "core/json_read.h"
#include "core/printable.h"
#include "core/read_guard.h"
#include "formats/file_ranges.h"

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

namespace {

struct Entry {
  uint64_t begin = 0, end = 0;
  std::string name;
  const DTypeName* dtype = nullptr;
  std::vector<int64_t> shape;
};

// The header's length from the file's first 8 bytes, checked against the file's size.
uint64_t header_length(const fs::path& path, std::string_view first8, uint64_t file_size) {
  if (file_size < 8 || first8.size() < 8)
    throw file_error(path, "truncated safetensors file (no header)");
  uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i)
    header_len = (header_len << 8) | static_cast<unsigned char>(first8[i]);
  if (header_len > file_size - 8)
    throw file_error(path, "truncated or corrupt safetensors file (header length " +
                               std::to_string(header_len) + " exceeds the file)");
  return header_len;
}

// The header's entries in file order, each checked against `data_size` (the bytes after the
// header), without reading any tensor's bytes.
std::vector<Entry> parse_header(const fs::path& path, std::string_view header_text,
                                uint64_t data_size, std::map<std::string, std::string>& metadata) {
  const nlohmann::json header = parse_json(header_text, path, "corrupt safetensors header");
  if (!header.is_object()) throw file_error(path, "corrupt safetensors header: not a JSON object");
  std::vector<Entry> entries;
  for (auto it = header.begin(); it != header.end(); ++it) {
    if (it.key() == "__metadata__") {
      if (it->is_object())
        for (auto m = it->begin(); m != it->end(); ++m)
          if (m->is_string()) metadata[m.key()] = m->get<std::string>();
      continue;
    }
    Entry e;
    e.name = it.key();
    const std::string shown = printable(e.name);
    std::vector<uint64_t> offsets;
    std::string dtype;
    try {
      dtype = it->at("dtype").get<std::string>();
      e.shape = integers<int64_t>(path, shown, "shape", it->at("shape"));
      offsets = integers<uint64_t>(path, shown, "data_offsets", it->at("data_offsets"));
    } catch (const nlohmann::json::exception& ex) {
      throw file_error(path,
                       "corrupt safetensors entry " + shown + ": " + printable(ex.what(), 200));
    }
    for (const auto& candidate : kDTypes)
      if (dtype == candidate.name) e.dtype = &candidate;
    if (!e.dtype)
      throw file_error(path, "tensor " + shown + " has unsupported dtype " + printable(dtype));
    if (offsets.size() != 2 || offsets[0] > offsets[1] || offsets[1] > data_size)
      throw file_error(path, "tensor " + shown + " lies outside the file (truncated or corrupt)");
    e.begin = offsets[0];
    e.end = offsets[1];
    // The byte count the shape needs, overflow-safe, before anything is allocated: it must be
    // exactly the tensor's slice of the file.
    uint64_t bytes = c10::elementSize(e.dtype->type);
    for (const int64_t d : e.shape) {
      if (d < 0) throw file_error(path, "tensor " + shown + " has a negative dimension");
      if (d > 0 && bytes > data_size / static_cast<uint64_t>(d)) {
        bytes = data_size + 1;  // more than the file holds; reported below
        break;
      }
      bytes *= static_cast<uint64_t>(d);
    }
    if (e.end - e.begin != bytes)
      throw file_error(
          path, "tensor " + shown + " has " + std::to_string(e.end - e.begin) +
                    " bytes, its shape needs " +
                    (bytes > data_size ? "more than the file holds" : std::to_string(bytes)));
    entries.push_back(std::move(e));
  }
  std::stable_sort(entries.begin(), entries.end(),
                   [](const Entry& a, const Entry& b) { return a.begin < b.begin; });
  // Gaps are harmless; overlapping tensors would share bytes no writer produces. (Empty tensors
  // hold no bytes and may sit anywhere.)
  const Entry* previous = nullptr;
  for (const Entry& e : entries) {
    if (e.begin == e.end) continue;
    if (previous && e.begin < previous->end)
      throw file_error(path, "tensors " + printable(previous->name) + " and " + printable(e.name) +
                                 " overlap in the file (corrupt)");
    previous = &e;
  }
  return entries;
}

SafetensorsFile parse_safetensors(const fs::path& path, const std::string& raw) {
  const uint64_t header_len = header_length(path, raw, raw.size());
  const std::size_t data_start = 8 + header_len;
  SafetensorsFile out;
  const std::vector<Entry> entries = parse_header(path, std::string_view(raw).substr(8, header_len),
                                                  raw.size() - data_start, out.metadata);
  for (const Entry& e : entries) {
    at::Tensor t = at::empty(e.shape, at::TensorOptions().dtype(e.dtype->type));
    if (e.end > e.begin)
      std::memcpy(t.data_ptr(), raw.data() + data_start + e.begin, e.end - e.begin);
    out.tensors.emplace_back(e.name, std::move(t));
  }
  return out;
}

}  // namespace

SafetensorsFile read_safetensors(const fs::path& path) {
  return guard_file_read(path, [&] { return parse_safetensors(path, read_file(path)); });
}

std::vector<TensorInfo> read_safetensors_info(const fs::path& path,
                                              std::map<std::string, std::string>* metadata_out) {
  return guard_file_read(path, [&] {
    FileRanges file(path);
    const uint64_t header_len =
        header_length(path, file.size() < 8 ? std::string() : file.read(0, 8), file.size());
    std::map<std::string, std::string> metadata;
    std::vector<Entry> entries =
        parse_header(path, file.read(8, header_len), file.size() - 8 - header_len, metadata);
    std::vector<TensorInfo> out;
    for (Entry& e : entries) out.push_back({std::move(e.name), e.dtype->type, std::move(e.shape)});
    if (metadata_out) *metadata_out = std::move(metadata);
    return out;
  });
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
    header[name] = {
        {"dtype", d->name}, {"shape", t.sizes().vec()}, {"data_offsets", {offset, offset + bytes}}};
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
  for (const at::Tensor& t : contiguous)
    file.write(t.data_ptr(), static_cast<std::size_t>(t.numel()) * t.element_size());
  file.commit();
}

}  // namespace kdw
