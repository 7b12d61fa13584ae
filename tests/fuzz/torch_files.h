// Small checkpoints in the two formats Python's torch.save writes, built byte by byte: seeds for
// the checkpoint harnesses and the zip wrapper of the pickle harness. The pickles follow what
// torch.save (protocol 2) emits for an OrderedDict state dict of float tensors.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace kdw_fuzz {

inline void le(std::string& out, uint64_t v, int bytes) {
  for (int k = 0; k < bytes; ++k) out.push_back(static_cast<char>((v >> (8 * k)) & 0xff));
}

// --- pickle pieces ----------------------------------------------------------------------------
inline std::string pk_str(const std::string& s) {  // BINUNICODE
  std::string out = "X";
  le(out, s.size(), 4);
  return out + s;
}
inline std::string pk_int(int64_t v) {  // BININT1 / BININT2 / BININT
  std::string out;
  if (v >= 0 && v < 256) {
    out = "K";
    le(out, static_cast<uint64_t>(v), 1);
  } else if (v >= 0 && v < 65536) {
    out = "M";
    le(out, static_cast<uint64_t>(v), 2);
  } else {
    out = "J";
    le(out, static_cast<uint64_t>(v), 4);
  }
  return out;
}
inline std::string pk_ints(const std::vector<int64_t>& v) {  // a tuple of ints
  std::string out = "(";
  for (int64_t x : v) out += pk_int(x);
  return out + "t";
}

struct TensorSpec {
  std::string name, storage_key;
  int64_t storage_numel = 0, offset = 0;
  std::vector<int64_t> size, stride;
};

/// The opcodes that push a state dict, OrderedDict{name: _rebuild_tensor_v2(storage, ...)}.
/// `legacy` adds the view-metadata slot (None) that the legacy format's persistent ids carry.
inline std::string state_dict_ops(const std::vector<TensorSpec>& tensors, bool legacy) {
  std::string p = "ccollections\nOrderedDict\n)R(";
  for (const auto& t : tensors) {
    p += pk_str(t.name);
    p += "ctorch._utils\n_rebuild_tensor_v2\n(";
    p += "(" + pk_str("storage") + "ctorch\nFloatStorage\n" + pk_str(t.storage_key) +
         pk_str("cpu") + pk_int(t.storage_numel) + (legacy ? "N" : "") + "tQ";
    p += pk_int(t.offset) + pk_ints(t.size) + pk_ints(t.stride);
    p += "\x89";                           // requires_grad False
    p += "ccollections\nOrderedDict\n)R";  // backward hooks
    p += "tR";
  }
  p += "u";
  // BUILD with the _metadata attribute, as torch.save writes it.
  p += "}" + pk_str("_metadata") + "ccollections\nOrderedDict\n)Rsb";
  return p;
}

/// The object pickle of a state dict, as torch.save writes it (protocol 2).
inline std::string state_dict_pickle(const std::vector<TensorSpec>& tensors, bool legacy) {
  return "\x80\x02" + state_dict_ops(tensors, legacy) + ".";
}

// --- zip --------------------------------------------------------------------------------------
struct ZipRecord {
  std::string name, bytes;
  bool deflate = false;
};

inline std::string raw_deflate(const std::string& in) {
  z_stream s{};
  deflateInit2(&s, Z_BEST_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&s, in.size()), '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  s.avail_in = static_cast<uInt>(in.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = static_cast<uInt>(out.size());
  deflate(&s, Z_FINISH);
  out.resize(s.total_out);
  deflateEnd(&s);
  return out;
}

/// A plain zip archive (no zip64, no data descriptors), as torch.save's writer lays it out.
inline std::string zip(const std::vector<ZipRecord>& records) {
  std::string out, dir;
  for (const auto& r : records) {
    const std::string data = r.deflate ? raw_deflate(r.bytes) : r.bytes;
    const uint32_t crc = static_cast<uint32_t>(crc32(
        0, reinterpret_cast<const Bytef*>(r.bytes.data()), static_cast<uInt>(r.bytes.size())));
    const uint64_t offset = out.size();
    const uint16_t method = r.deflate ? 8 : 0;
    le(out, 0x04034b50, 4);
    le(out, 20, 2);
    le(out, 0, 2);
    le(out, method, 2);
    le(out, 0, 4);  // time, date
    le(out, crc, 4);
    le(out, data.size(), 4);
    le(out, r.bytes.size(), 4);
    le(out, r.name.size(), 2);
    le(out, 0, 2);
    out += r.name + data;
    le(dir, 0x02014b50, 4);
    le(dir, 20, 2);
    le(dir, 20, 2);
    le(dir, 0, 2);
    le(dir, method, 2);
    le(dir, 0, 4);
    le(dir, crc, 4);
    le(dir, data.size(), 4);
    le(dir, r.bytes.size(), 4);
    le(dir, r.name.size(), 2);
    le(dir, 0, 2);  // extra
    le(dir, 0, 2);  // comment
    le(dir, 0, 4);  // disk, internal attributes
    le(dir, 0, 4);  // external attributes
    le(dir, offset, 4);
    dir += r.name;
  }
  const uint64_t dir_offset = out.size();
  out += dir;
  le(out, 0x06054b50, 4);
  le(out, 0, 4);
  le(out, records.size(), 2);
  le(out, records.size(), 2);
  le(out, dir.size(), 4);
  le(out, dir_offset, 4);
  le(out, 0, 2);
  return out;
}

/// Float storage bytes 0, 1, 2, ... (little-endian float32).
inline std::string float_storage(int64_t numel) {
  std::string out;
  for (int64_t k = 0; k < numel; ++k) {
    const float f = static_cast<float>(k);
    out.append(reinterpret_cast<const char*>(&f), 4);
  }
  return out;
}

/// A zip-format checkpoint around `pickle`, with records data/0 .. data/<n-1> holding
/// `numels[k]` floats each (the last one deflated, as some writers do). As torch.save writes them,
/// a record is exactly its storage: the reader refuses a deflated record larger than that.
inline std::string zip_checkpoint(const std::string& pickle, const std::vector<int64_t>& numels) {
  std::vector<ZipRecord> records = {{"archive/data.pkl", pickle, false},
                                    {"archive/byteorder", "little", false}};
  for (std::size_t k = 0; k < numels.size(); ++k)
    records.push_back({"archive/data/" + std::to_string(k), float_storage(numels[k]),
                       k + 1 == numels.size()});
  records.push_back({"archive/version", "3\n", false});
  return zip(records);
}

/// The same with `storages` records of `numel` floats each.
inline std::string zip_checkpoint(const std::string& pickle, int storages, int64_t numel) {
  return zip_checkpoint(pickle, std::vector<int64_t>(static_cast<std::size_t>(storages), numel));
}

/// A legacy (pre-1.6) checkpoint: magic, protocol, sys_info, the object, storage keys, storages.
inline std::string legacy_checkpoint(const std::vector<TensorSpec>& tensors) {
  std::string out = std::string("\x80\x02\x8a\x0a", 4) +
                    std::string("\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19", 10) + ".";
  out += std::string("\x80\x02M\xe9\x03.", 6);
  out += "\x80\x02}(" + pk_str("protocol_version") + std::string("M\xe9\x03", 3) +
         pk_str("little_endian") + "\x88" + pk_str("type_sizes") + "}(" + pk_str("short") +
         pk_int(2) + pk_str("int") + pk_int(4) + pk_str("long") + pk_int(4) + "uu.";
  out += state_dict_pickle(tensors, true);
  std::vector<std::pair<std::string, int64_t>> keys;
  for (const auto& t : tensors) {
    bool seen = false;
    for (const auto& k : keys) seen |= k.first == t.storage_key;
    if (!seen) keys.emplace_back(t.storage_key, t.storage_numel);
  }
  out += "\x80\x02](";
  for (const auto& k : keys) out += pk_str(k.first);
  out += "e.";
  for (const auto& k : keys) {
    le(out, static_cast<uint64_t>(k.second), 8);
    out += float_storage(k.second);
  }
  return out;
}

/// Two small tensors, one a view into a shared storage: what the seeds hold.
inline std::vector<TensorSpec> sample_tensors() {
  return {{"encoder.weight", "0", 12, 0, {3, 4}, {4, 1}},
          {"encoder.bias", "1", 4, 0, {4}, {1}},
          {"head.weight", "0", 12, 4, {2, 2}, {1, 2}}};
}

}  // namespace kdw_fuzz
