#include "formats/torch_pickle.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <optional>

#include "core/atomic_output.h"
#include "core/error.h"
#include "core/printable.h"
#include "core/read_guard.h"
#include "formats/byte_cursor.h"
#include "formats/pickle_reader.h"
#include "formats/zip_reader.h"

namespace fs = std::filesystem;

namespace kdw {
namespace {

using pickle::Value;
using pickle::ValuePtr;

// ---------------------------------------------------------------------------------------------
// State dict -> named tensors.

struct Storage {
  at::ScalarType dtype;
  const char* bytes = nullptr;  // within the file buffer or `inflated`
  int64_t numel = 0;
  std::string inflated;  // owns the bytes of a deflated zip record
  const char* data() const { return inflated.empty() ? bytes : inflated.data(); }
};

void flatten(const fs::path& path, const Value& v, const std::string& prefix,
             std::vector<std::pair<std::string, const Value*>>& out, int depth) {
  if (depth > 8) throw file_error(path, "unsupported checkpoint (dicts nested too deeply)");
  for (const auto& [k, item] : v.entries) {
    if (k->kind != Value::Kind::Str) continue;
    const std::string name = prefix.empty() ? k->s : prefix + "." + k->s;
    if (item->kind == Value::Kind::Tensor)
      out.emplace_back(name, item.get());
    else if (item->kind == Value::Kind::Dict)
      flatten(path, *item, name, out, depth + 1);
    // other values (epoch numbers, optimizer settings...) are not weights
  }
}

at::Tensor materialise(const fs::path& path, const std::string& name, const Value& v,
                       const std::map<std::string, Storage>& storages) {
  auto it = storages.find(v.tensor.key);
  if (it == storages.end())
    throw file_error(
        path, "tensor " + printable(name) + ": storage " + printable(v.tensor.key) + " is missing");
  const Storage& st = it->second;
  if (st.dtype != v.storage.dtype)
    throw file_error(path, "tensor " + printable(name) + ": storage " + printable(v.tensor.key) +
                               " has two types");
  // Highest element the view reads must lie inside the storage.
  int64_t last = v.tensor.offset, count = 1;
  if (v.tensor.offset < 0)
    throw file_error(path, "tensor " + printable(name) + ": negative storage offset");
  for (std::size_t d = 0; d < v.tensor.size.size(); ++d) {
    const int64_t n = v.tensor.size[d], s = v.tensor.stride[d];
    if (n < 0 || s < 0 || n > (int64_t{1} << 40))
      throw file_error(path, "tensor " + printable(name) + ": corrupt size or stride");
    if (n == 0)
      count = 0;
    else {
      if (s > (int64_t{1} << 40))
        throw file_error(path, "tensor " + printable(name) + ": corrupt stride");
      last += (n - 1) * s;
      count *= n;
      if (count > (int64_t{1} << 40))
        throw file_error(path, "tensor " + printable(name) + ": corrupt size");
    }
  }
  const auto options = at::TensorOptions().dtype(st.dtype);
  if (count == 0) return at::empty(v.tensor.size, options);
  if (last >= st.numel)
    throw file_error(path, "tensor " + printable(name) + " reads past its storage (" +
                               std::to_string(last + 1) + " > " + std::to_string(st.numel) +
                               " elements): truncated or corrupt");
  at::Tensor flat = at::from_blob(const_cast<char*>(st.data()), {st.numel}, options);
  return flat.as_strided(v.tensor.size, v.tensor.stride, v.tensor.offset)
      .clone(at::MemoryFormat::Contiguous);
}

std::vector<std::pair<std::string, at::Tensor>> collect(
    const fs::path& path, const ValuePtr& root, const std::map<std::string, Storage>& storages) {
  if (root->kind != Value::Kind::Dict)
    throw file_error(path, "not a state dict (the pickle holds no dictionary of tensors)");
  std::vector<std::pair<std::string, const Value*>> named;
  flatten(path, *root, "", named, 0);
  if (named.empty()) throw file_error(path, "the checkpoint holds no tensors");
  std::vector<std::pair<std::string, at::Tensor>> out;
  out.reserve(named.size());
  for (const auto& [name, v] : named) out.emplace_back(name, materialise(path, name, *v, storages));
  return out;
}

int64_t element_size(at::ScalarType t) {
  return static_cast<int64_t>(c10::elementSize(t));
}

// ---------------------------------------------------------------------------------------------
// Legacy format: magic, protocol, sys_info, object pickle, storage keys, then per storage an
// int64 element count and the raw little-endian bytes.

const unsigned char kLegacyMagic[] = {0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19};

std::vector<std::pair<std::string, at::Tensor>> read_legacy(const fs::path& path,
                                                            const std::string& raw) {
  ByteCursor in(path, raw.data(), raw.size());
  auto magic = pickle::load(in).root;
  if (magic->kind != Value::Kind::BigInt || magic->s.size() != sizeof kLegacyMagic ||
      std::memcmp(magic->s.data(), kLegacyMagic, sizeof kLegacyMagic) != 0)
    throw file_error(path, "not a PyTorch checkpoint (bad magic number)");
  auto protocol = pickle::load(in).root;
  if (protocol->kind != Value::Kind::Int || protocol->i != 1001)
    throw file_error(path, "unsupported legacy checkpoint protocol");
  auto sys_info = pickle::load(in).root;
  if (sys_info->kind == Value::Kind::Dict)
    for (const auto& [k, v] : sys_info->entries)
      if (k->kind == Value::Kind::Str && k->s == "little_endian" && v->kind == Value::Kind::Bool &&
          !v->i)
        throw file_error(path, "big-endian checkpoints are not supported");
  const pickle::Loaded object = pickle::load(in);
  auto keys = pickle::load(in).root;
  if (keys->kind != Value::Kind::List)
    throw file_error(path, "corrupt checkpoint (no storage key list)");

  std::map<std::string, at::ScalarType> types;
  for (const auto& s : object.storages) types.emplace(s.key, s.dtype);
  std::map<std::string, Storage> storages;
  for (const auto& key_value : keys->items) {
    if (key_value->kind != Value::Kind::Str)
      throw file_error(path, "corrupt checkpoint (storage key is not a string)");
    const std::string& key = key_value->s;
    auto type = types.find(key);
    if (type == types.end())
      throw file_error(path, "corrupt checkpoint (storage " + printable(key) + " is never used)");
    const uint64_t numel = in.uint_le(8);
    const uint64_t esize = static_cast<uint64_t>(element_size(type->second));
    if (numel > in.remaining() / esize)
      throw file_error(path, "truncated checkpoint (storage " + printable(key) + " needs " +
                                 std::to_string(numel * esize) + " bytes, " +
                                 std::to_string(in.remaining()) + " left)");
    Storage st;
    st.dtype = type->second;
    st.numel = static_cast<int64_t>(numel);
    st.bytes = in.take(numel * esize);
    storages[key] = std::move(st);
  }
  return collect(path, object.root, storages);
}

// ---------------------------------------------------------------------------------------------
// Zip format (PyTorch >= 1.6): data.pkl and one record per storage under one top-level folder.

std::vector<std::pair<std::string, at::Tensor>> read_zip(const fs::path& path,
                                                         const std::string& raw) {
  const auto entries = zip_directory(path, raw);
  // Records live under one top-level folder whose name varies ("archive/", "pytorch_model/").
  const ZipEntry* data_pkl = nullptr;
  for (const auto& z : entries) {
    const auto slash = z.name.find('/');
    if (slash != std::string::npos && z.name.substr(slash + 1) == "data.pkl") data_pkl = &z;
  }
  if (!data_pkl) throw file_error(path, "not a PyTorch checkpoint (zip archive without data.pkl)");
  const std::string prefix = data_pkl->name.substr(0, data_pkl->name.find('/') + 1);
  std::map<std::string, const ZipEntry*> by_name;
  for (const auto& z : entries) by_name[z.name] = &z;

  uint64_t budget = inflate_budget(raw);
  auto byteorder = by_name.find(prefix + "byteorder");
  if (byteorder != by_name.end()) {
    std::string buf;
    const char* p = zip_data(path, raw, *byteorder->second, buf, budget);
    if (std::string(p, byteorder->second->size) != "little")
      throw file_error(path, "big-endian checkpoints are not supported");
  }

  std::string pickle_buf;
  const char* pk = zip_data(path, raw, *data_pkl, pickle_buf, budget);
  ByteCursor in(path, pk, data_pkl->size);
  const pickle::Loaded loaded = pickle::load(in);

  std::map<std::string, Storage> storages;
  for (const auto& ref : loaded.storages) {
    if (storages.count(ref.key)) continue;
    auto it = by_name.find(prefix + "data/" + ref.key);
    if (it == by_name.end())
      throw file_error(path,
                       "corrupt checkpoint (record data/" + printable(ref.key) + " is missing)");
    // The record's declared size against the storage the pickle asks for, before inflating it.
    const uint64_t esize = static_cast<uint64_t>(element_size(ref.dtype));
    const uint64_t record_numel = it->second->size / esize;
    if (static_cast<uint64_t>(ref.numel) > record_numel)
      throw file_error(path, "truncated checkpoint (record data/" + printable(ref.key) +
                                 " is shorter than its storage)");
    if (it->second->method != 0 && record_numel > static_cast<uint64_t>(ref.numel))
      throw file_error(path, "corrupt checkpoint (record data/" + printable(ref.key) +
                                 " is larger than its storage)");
    Storage st;
    st.dtype = ref.dtype;
    st.bytes = zip_data(path, raw, *it->second, st.inflated, budget);
    st.numel = static_cast<int64_t>(record_numel);
    storages[ref.key] = std::move(st);
  }
  return collect(path, loaded.root, storages);
}

}  // namespace

std::vector<std::pair<std::string, at::Tensor>> read_torch_checkpoint(const fs::path& path) {
  return guard_file_read(path, [&]() -> std::vector<std::pair<std::string, at::Tensor>> {
    const std::string raw = read_file(path);
    if (raw.size() >= 4 && std::memcmp(raw.data(), "PK\x03\x04", 4) == 0)
      return read_zip(path, raw);
    if (raw.size() >= 2 && static_cast<unsigned char>(raw[0]) == 0x80)
      return read_legacy(path, raw);
    throw file_error(path, "not a PyTorch checkpoint (neither a zip archive nor a legacy pickle)");
  });
}

}  // namespace kdw
