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
#include "formats/file_ranges.h"
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

// Checks that the tensor's view lies inside its storage; returns the storage and whether the
// view holds any element.
const Storage& check_view(const fs::path& path, const std::string& name, const Value& v,
                          const std::map<std::string, Storage>& storages, bool& empty) {
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
  empty = count == 0;
  if (!empty && last >= st.numel)
    throw file_error(path, "tensor " + printable(name) + " reads past its storage (" +
                               std::to_string(last + 1) + " > " + std::to_string(st.numel) +
                               " elements): truncated or corrupt");
  return st;
}

at::Tensor materialise(const fs::path& path, const std::string& name, const Value& v,
                       const std::map<std::string, Storage>& storages) {
  bool empty = false;
  const Storage& st = check_view(path, name, v, storages, empty);
  const auto options = at::TensorOptions().dtype(st.dtype);
  if (empty) return at::empty(v.tensor.size, options);
  at::Tensor flat = at::from_blob(const_cast<char*>(st.data()), {st.numel}, options);
  return flat.as_strided(v.tensor.size, v.tensor.stride, v.tensor.offset)
      .clone(at::MemoryFormat::Contiguous);
}

std::vector<std::pair<std::string, const Value*>> named_tensors(const fs::path& path,
                                                                const ValuePtr& root) {
  if (root->kind != Value::Kind::Dict)
    throw file_error(path, "not a state dict (the pickle holds no dictionary of tensors)");
  std::vector<std::pair<std::string, const Value*>> named;
  flatten(path, *root, "", named, 0);
  if (named.empty()) throw file_error(path, "the checkpoint holds no tensors");
  return named;
}

std::vector<std::pair<std::string, at::Tensor>> collect(
    const fs::path& path, const ValuePtr& root, const std::map<std::string, Storage>& storages) {
  std::vector<std::pair<std::string, at::Tensor>> out;
  for (const auto& [name, v] : named_tensors(path, root))
    out.emplace_back(name, materialise(path, name, *v, storages));
  return out;
}

// The same checks as collect, without the storages' bytes (`storages` hold dtype and numel).
std::vector<TensorInfo> collect_info(const fs::path& path, const ValuePtr& root,
                                     const std::map<std::string, Storage>& storages) {
  std::vector<TensorInfo> out;
  for (const auto& [name, v] : named_tensors(path, root)) {
    bool empty = false;
    const Storage& st = check_view(path, name, *v, storages, empty);
    out.push_back({name, st.dtype, v->tensor.size});
  }
  return out;
}

int64_t element_size(at::ScalarType t) {
  return static_cast<int64_t>(c10::elementSize(t));
}

// ---------------------------------------------------------------------------------------------
// Legacy format: magic, protocol, sys_info, object pickle, storage keys, then per storage an
// int64 element count and the raw little-endian bytes.

const unsigned char kLegacyMagic[] = {0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19};

struct LegacyHead {
  pickle::Loaded object;
  ValuePtr keys;
  std::map<std::string, at::ScalarType> types;
  std::size_t storages_at = 0;  // offset of the first storage
};

// The pickles before the storages, read from the file's first `size` bytes.
LegacyHead read_legacy_head(const fs::path& path, const char* data, std::size_t size) {
  ByteCursor in(path, data, size);
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
  LegacyHead head;
  head.object = pickle::load(in);
  head.keys = pickle::load(in).root;
  if (head.keys->kind != Value::Kind::List)
    throw file_error(path, "corrupt checkpoint (no storage key list)");
  for (const auto& s : head.object.storages) head.types.emplace(s.key, s.dtype);
  head.storages_at = in.pos();
  return head;
}

// Walks the storages after the head: per storage its element count (read through
// `read_count(offset)`) and the offset of its bytes, checked to lie inside the file of `size`.
template <typename ReadCount>
std::map<std::string, Storage> legacy_storages(const fs::path& path, const LegacyHead& head,
                                               uint64_t size, ReadCount&& read_count,
                                               std::vector<uint64_t>* offsets) {
  std::map<std::string, Storage> storages;
  uint64_t pos = head.storages_at;
  for (const auto& key_value : head.keys->items) {
    if (key_value->kind != Value::Kind::Str)
      throw file_error(path, "corrupt checkpoint (storage key is not a string)");
    const std::string& key = key_value->s;
    auto type = head.types.find(key);
    if (type == head.types.end())
      throw file_error(path, "corrupt checkpoint (storage " + printable(key) + " is never used)");
    const uint64_t numel = read_count(pos);
    pos += 8;
    const uint64_t esize = static_cast<uint64_t>(element_size(type->second));
    if (numel > (size - pos) / esize)
      throw file_error(path, "truncated checkpoint (storage " + printable(key) + " needs " +
                                 std::to_string(numel * esize) + " bytes, " +
                                 std::to_string(size - pos) + " left)");
    Storage st;
    st.dtype = type->second;
    st.numel = static_cast<int64_t>(numel);
    if (offsets) offsets->push_back(pos);
    storages[key] = std::move(st);
    pos += numel * esize;
  }
  return storages;
}

std::vector<std::pair<std::string, at::Tensor>> read_legacy(const fs::path& path,
                                                            const std::string& raw) {
  const LegacyHead head = read_legacy_head(path, raw.data(), raw.size());
  std::vector<uint64_t> offsets;
  auto storages = legacy_storages(
      path, head, raw.size(),
      [&](uint64_t pos) { return ByteCursor(path, raw.data(), raw.size(), pos).uint_le(8); },
      &offsets);
  std::size_t k = 0;
  for (const auto& key_value : head.keys->items)
    storages[key_value->s].bytes = raw.data() + offsets[k++];
  return collect(path, head.object.root, storages);
}

// The head is read from a prefix of the file that grows until the pickles fit in it (a
// state dict's pickle is tens of kilobytes; the storages after it are the bulk).
std::vector<TensorInfo> read_legacy_info(const fs::path& path, FileRanges& file) {
  uint64_t prefix = std::min<uint64_t>(file.size(), uint64_t{64} << 10);
  for (;;) {
    const std::string head_bytes = file.read(0, prefix);
    std::optional<LegacyHead> head;
    try {
      head = read_legacy_head(path, head_bytes.data(), head_bytes.size());
    } catch (const Error&) {
      if (prefix == file.size()) throw;  // the whole file: a real error
      prefix = std::min<uint64_t>(file.size(), prefix * 4);
      continue;
    }
    const auto storages = legacy_storages(
        path, *head, file.size(),
        [&](uint64_t pos) {
          const std::string count = file.read(pos, 8);
          return ByteCursor(path, count.data(), count.size()).uint_le(8);
        },
        nullptr);
    return collect_info(path, head->object.root, storages);
  }
}

// ---------------------------------------------------------------------------------------------
// Zip format (PyTorch >= 1.6): data.pkl and one record per storage under one top-level folder.

// The zip record of a storage the pickle asks for, and its element count: the record's declared
// size is checked against the storage before any byte of it is read or inflated.
std::pair<const ZipEntry*, uint64_t> storage_record(
    const fs::path& path, const std::map<std::string, const ZipEntry*>& by_name,
    const std::string& prefix, const pickle::StorageRef& ref) {
  auto it = by_name.find(prefix + "data/" + ref.key);
  if (it == by_name.end())
    throw file_error(path,
                     "corrupt checkpoint (record data/" + printable(ref.key) + " is missing)");
  const uint64_t esize = static_cast<uint64_t>(element_size(ref.dtype));
  const uint64_t record_numel = it->second->size / esize;
  if (static_cast<uint64_t>(ref.numel) > record_numel)
    throw file_error(path, "truncated checkpoint (record data/" + printable(ref.key) +
                               " is shorter than its storage)");
  if (it->second->method != 0 && record_numel > static_cast<uint64_t>(ref.numel))
    throw file_error(path, "corrupt checkpoint (record data/" + printable(ref.key) +
                               " is larger than its storage)");
  return {it->second, record_numel};
}

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
    const auto [entry, record_numel] = storage_record(path, by_name, prefix, ref);
    Storage st;
    st.dtype = ref.dtype;
    st.bytes = zip_data(path, raw, *entry, st.inflated, budget);
    st.numel = static_cast<int64_t>(record_numel);
    storages[ref.key] = std::move(st);
  }
  return collect(path, loaded.root, storages);
}

std::vector<TensorInfo> read_zip_info(const fs::path& path, FileRanges& file) {
  const ZipRead read = [&file](uint64_t offset, uint64_t n) { return file.read(offset, n); };
  const auto entries = zip_directory(path, file.size(), read);
  const ZipEntry* data_pkl = nullptr;
  for (const auto& z : entries) {
    const auto slash = z.name.find('/');
    if (slash != std::string::npos && z.name.substr(slash + 1) == "data.pkl") data_pkl = &z;
  }
  if (!data_pkl) throw file_error(path, "not a PyTorch checkpoint (zip archive without data.pkl)");
  const std::string prefix = data_pkl->name.substr(0, data_pkl->name.find('/') + 1);
  std::map<std::string, const ZipEntry*> by_name;
  for (const auto& z : entries) by_name[z.name] = &z;

  uint64_t budget = inflate_budget(file.size());
  auto byteorder = by_name.find(prefix + "byteorder");
  if (byteorder != by_name.end() &&
      zip_read_entry(path, file.size(), read, *byteorder->second, budget) != "little")
    throw file_error(path, "big-endian checkpoints are not supported");

  const std::string pickle_bytes = zip_read_entry(path, file.size(), read, *data_pkl, budget);
  ByteCursor in(path, pickle_bytes.data(), pickle_bytes.size());
  const pickle::Loaded loaded = pickle::load(in);

  // Each storage's record: its declared size and where it lies are checked as read_zip does; its
  // bytes are not read (a deflated record is not inflated either).
  std::map<std::string, Storage> storages;
  for (const auto& ref : loaded.storages) {
    if (storages.count(ref.key)) continue;
    const auto [entry, record_numel] = storage_record(path, by_name, prefix, ref);
    zip_data_offset(path, file.size(), read, *entry);
    Storage st;
    st.dtype = ref.dtype;
    st.numel = static_cast<int64_t>(record_numel);
    storages[ref.key] = std::move(st);
  }
  return collect_info(path, loaded.root, storages);
}

}  // namespace

std::vector<TensorInfo> read_torch_checkpoint_info(const fs::path& path) {
  return guard_file_read(path, [&]() -> std::vector<TensorInfo> {
    FileRanges file(path);
    const std::string magic = file.read(0, std::min<uint64_t>(file.size(), 4));
    if (magic.size() >= 4 && std::memcmp(magic.data(), "PK\x03\x04", 4) == 0)
      return read_zip_info(path, file);
    if (magic.size() >= 2 && static_cast<unsigned char>(magic[0]) == 0x80)
      return read_legacy_info(path, file);
    throw file_error(path, "not a PyTorch checkpoint (neither a zip archive nor a legacy pickle)");
  });
}

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
