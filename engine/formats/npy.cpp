#include "formats/npy.h"

#include <cstring>
#include <numeric>
#include <sstream>

#include "core/atomic_output.h"
#include "core/error.h"
#include "core/printable.h"
#include "core/read_guard.h"

namespace fs = std::filesystem;

namespace kdw {
namespace {

const char kMagic[] = "\x93NUMPY";

const char* descr(NpyType type) {
  switch (type) {
    case NpyType::kInt32:
      return "<i4";
    case NpyType::kInt64:
      return "<i8";
    case NpyType::kFloat32:
      return "<f4";
  }
  return "";
}

std::size_t item_size(NpyType type) {
  return type == NpyType::kInt64 ? 8 : 4;
}

int64_t product(const std::vector<int64_t>& shape) {
  return std::accumulate(shape.begin(), shape.end(), int64_t{1}, std::multiplies<int64_t>());
}

std::string header_for(NpyType type, const std::vector<int64_t>& shape) {
  std::ostringstream dict;
  dict << "{'descr': '" << descr(type) << "', 'fortran_order': False, 'shape': (";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    dict << shape[i] << (shape.size() == 1 ? "," : (i + 1 < shape.size() ? ", " : ""));
  }
  dict << "), }";
  std::string header = dict.str();
  // Total of magic(6) + version(2) + length(2) + header + '\n' is a multiple of 64.
  const std::size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header.push_back('\n');
  return header;
}

// Value of `key` in the header dict, e.g. "'<f4'" or "(3, 4)"; empty when absent.
std::string dict_value(const std::string& header, const std::string& key) {
  const std::size_t k = header.find("'" + key + "'");
  if (k == std::string::npos) return {};
  std::size_t p = header.find(':', k);
  if (p == std::string::npos) return {};
  ++p;
  while (p < header.size() && header[p] == ' ') ++p;
  if (p >= header.size()) return {};
  const char open = header[p];
  const char close = open == '(' ? ')' : (open == '\'' ? '\'' : ',');
  const std::size_t end = header.find(close, p + 1);
  if (end == std::string::npos) return {};
  return header.substr(p, end - p + (close == ',' ? 0 : 1));
}

}  // namespace

int64_t NpyArray::numel() const {
  return product(shape);
}

template <typename T>
std::vector<T> NpyArray::values() const {
  const std::size_t n = static_cast<std::size_t>(numel());
  std::vector<T> out(n);
  if (n) std::memcpy(out.data(), bytes.data(), n * sizeof(T));
  return out;
}
template std::vector<int32_t> NpyArray::values<int32_t>() const;
template std::vector<int64_t> NpyArray::values<int64_t>() const;
template std::vector<float> NpyArray::values<float>() const;

const char* npy_type_name(NpyType type) {
  switch (type) {
    case NpyType::kInt32:
      return "int32";
    case NpyType::kInt64:
      return "int64";
    case NpyType::kFloat32:
      return "float32";
  }
  return "?";
}

void write_npy(const fs::path& path, NpyType type, const std::vector<int64_t>& shape,
               const void* data) {
  const std::string header = header_for(type, shape);
  AtomicFile file(path);
  file.write(kMagic, 6);
  const char version[2] = {1, 0};
  file.write(version, 2);
  const uint16_t len = static_cast<uint16_t>(header.size());
  const char len_bytes[2] = {static_cast<char>(len & 0xff), static_cast<char>(len >> 8)};
  file.write(len_bytes, 2);
  file.write(header);
  file.write(data, static_cast<std::size_t>(product(shape)) * item_size(type));
  file.commit();
}

void write_npy(const fs::path& path, const std::vector<int32_t>& values) {
  write_npy(path, NpyType::kInt32, {static_cast<int64_t>(values.size())}, values.data());
}
void write_npy(const fs::path& path, const std::vector<int64_t>& values) {
  write_npy(path, NpyType::kInt64, {static_cast<int64_t>(values.size())}, values.data());
}
void write_npy(const fs::path& path, const std::vector<float>& values,
               const std::vector<int64_t>& shape) {
  if (product(shape) != static_cast<int64_t>(values.size()))
    throw file_error(path, "internal error: shape does not match the number of values");
  write_npy(path, NpyType::kFloat32, shape, values.data());
}

namespace {

NpyArray parse_npy(const fs::path& path, const std::string& raw) {
  if (raw.size() < 10 || std::memcmp(raw.data(), kMagic, 6) != 0)
    throw file_error(path, "not a .npy file (bad magic)");
  const int major = static_cast<unsigned char>(raw[6]);
  std::size_t header_len = 0, header_start = 0;
  if (major == 1) {
    header_len = static_cast<unsigned char>(raw[8]) | (static_cast<unsigned char>(raw[9]) << 8);
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (raw.size() < 12) throw file_error(path, "truncated .npy header");
    for (int i = 3; i >= 0; --i)
      header_len = (header_len << 8) | static_cast<unsigned char>(raw[8 + i]);
    header_start = 12;
  } else {
    throw file_error(path, "unsupported .npy version " + std::to_string(major));
  }
  if (header_start + header_len > raw.size()) throw file_error(path, "truncated .npy header");
  const std::string header = raw.substr(header_start, header_len);

  NpyArray array;
  const std::string d = dict_value(header, "descr");
  if (d == "'<i4'")
    array.type = NpyType::kInt32;
  else if (d == "'<i8'")
    array.type = NpyType::kInt64;
  else if (d == "'<f4'")
    array.type = NpyType::kFloat32;
  else
    throw file_error(path,
                     "unsupported dtype " + printable(d) + " (expected int32, int64 or float32)");
  if (dict_value(header, "fortran_order").rfind("True", 0) == 0)
    throw file_error(path, "Fortran-ordered arrays are not supported");
  const std::string shape = dict_value(header, "shape");
  if (shape.size() < 2 || shape.front() != '(') throw file_error(path, "malformed .npy shape");
  std::stringstream dims(shape.substr(1, shape.size() - 2));
  std::string item;
  while (std::getline(dims, item, ',')) {
    if (item.find_first_not_of(' ') == std::string::npos) continue;
    try {
      const long long v = std::stoll(item);
      if (v < 0) throw std::out_of_range("negative");
      array.shape.push_back(v);
    } catch (const std::exception&) {
      throw file_error(path, "malformed .npy shape " + printable(shape));
    }
  }
  // Bytes the shape needs, computed without overflow and held against the file before anything
  // is allocated.
  const std::size_t data_start = header_start + header_len;
  const uint64_t available = raw.size() - data_start;
  uint64_t payload = item_size(array.type);
  for (const int64_t dim : array.shape) {
    if (dim > 0 && payload > available / static_cast<uint64_t>(dim))
      throw file_error(path, "truncated or corrupt: shape " + printable(shape) +
                                 " needs more data than the file's " + std::to_string(available) +
                                 " bytes");
    payload *= static_cast<uint64_t>(dim);
  }
  if (available < payload)
    throw file_error(path, "truncated: header promises " + std::to_string(payload) +
                               " bytes of data, file has " + std::to_string(available));
  array.bytes.assign(raw.begin() + static_cast<long>(data_start),
                     raw.begin() + static_cast<long>(data_start + payload));
  return array;
}

}  // namespace

NpyArray read_npy(const fs::path& path) {
  return guard_file_read(path, [&] { return parse_npy(path, read_file(path)); });
}

NpyArray read_npy(const fs::path& path, NpyType expected, int expected_rank) {
  NpyArray array = read_npy(path);
  if (array.type != expected)
    throw file_error(path, std::string("expected ") + npy_type_name(expected) + " data, found " +
                               npy_type_name(array.type));
  if (expected_rank >= 0 && static_cast<int>(array.shape.size()) != expected_rank)
    throw file_error(path, "expected a " + std::to_string(expected_rank) +
                               "-dimensional array, found " + std::to_string(array.shape.size()) +
                               " dimensions");
  return array;
}

at::Tensor read_npy_tensor(const fs::path& path) {
  const NpyArray array = read_npy(path);  // its shape fits the file: nothing large is trusted
  const at::ScalarType st = array.type == NpyType::kInt32   ? at::kInt
                            : array.type == NpyType::kInt64 ? at::kLong
                                                            : at::kFloat;
  at::Tensor t = at::empty(array.shape, at::TensorOptions().dtype(st));
  if (!array.bytes.empty()) std::memcpy(t.data_ptr(), array.bytes.data(), array.bytes.size());
  return t;
}

void write_npy_tensor(const fs::path& path, const at::Tensor& tensor) {
  const at::Tensor t = tensor.to(at::kCPU).contiguous();
  NpyType type;
  switch (t.scalar_type()) {
    case at::kInt:
      type = NpyType::kInt32;
      break;
    case at::kLong:
      type = NpyType::kInt64;
      break;
    case at::kFloat:
      type = NpyType::kFloat32;
      break;
    default:
      throw file_error(path, "internal error: unsupported tensor type for .npy");
  }
  write_npy(path, type, t.sizes().vec(), t.data_ptr());
}

}  // namespace kdw
