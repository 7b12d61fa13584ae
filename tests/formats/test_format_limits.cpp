// Hostile safetensors, npy and ragged files, each a few bytes made here: sizes read from a file
// are held against the file's real size before anything is allocated, overlapping tensors and
// folders are refused, and text quoted from a file reaches the message escaped. Every case is a
// one-line kdw::Error naming the file.
#include <QTemporaryDir>
#include <QtTest>

#include <cstdint>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "formats/npy.h"
#include "formats/ragged.h"
#include "formats/safetensors.h"

namespace fs = std::filesystem;

namespace {

void write_bytes(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// A safetensors file with `header` as its JSON header and `data_bytes` zero bytes of data.
std::string safetensors_bytes(const nlohmann::json& header, std::size_t data_bytes) {
  const std::string text = header.dump();
  std::string out(8, '\0');
  uint64_t n = text.size();
  for (int i = 0; i < 8; ++i, n >>= 8)
    out[static_cast<std::size_t>(i)] = static_cast<char>(n & 0xff);
  return out + text + std::string(data_bytes, '\0');
}

// A version 1.0 npy file with the given header dict and `data_bytes` zero bytes of data.
std::string npy_bytes(const std::string& dict, std::size_t data_bytes) {
  std::string header = dict;
  header.append((64 - (10 + header.size() + 1) % 64) % 64, ' ');
  header.push_back('\n');
  std::string out = "\x93NUMPY";
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  return out + header + std::string(data_bytes, '\0');
}

// The kdw::Error text `f` throws, or "(no error)".
template <typename F>
std::string error_of(F f) {
  try {
    f();
  } catch (const kdw::Error& e) {
    return e.what();
  }
  return "(no error)";
}

// `what` is one printable line holding every part.
void check_error(const std::string& what, const std::vector<std::string>& parts) {
  for (char c : what) QVERIFY2(static_cast<unsigned char>(c) >= 0x20, what.c_str());
  for (const auto& part : parts) QVERIFY2(what.find(part) != std::string::npos, what.c_str());
}

}  // namespace

class TestFormatLimits : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir tmp_;
  fs::path file(const std::string& name) const {
    return fs::path(tmp_.path().toStdString()) / name;
  }

 private Q_SLOTS:
  void safetensors_overlapping_tensors_are_refused() {
    const fs::path p = file("overlap.safetensors");
    const nlohmann::json overlap = {
        {"a", {{"dtype", "F32"}, {"shape", {4}}, {"data_offsets", {0, 16}}}},
        {"b", {{"dtype", "F32"}, {"shape", {4}}, {"data_offsets", {8, 24}}}}};
    write_bytes(p, safetensors_bytes(overlap, 24));
    check_error(error_of([&] { kdw::read_safetensors(p); }), {p.string(), "overlap"});
    // Gaps and any order in the header are fine; empty tensors may sit anywhere.
    const nlohmann::json gaps = {
        {"b", {{"dtype", "F32"}, {"shape", {2}}, {"data_offsets", {16, 24}}}},
        {"a", {{"dtype", "F32"}, {"shape", {2}}, {"data_offsets", {0, 8}}}},
        {"e", {{"dtype", "F32"}, {"shape", {0, 3}}, {"data_offsets", {4, 4}}}}};
    write_bytes(p, safetensors_bytes(gaps, 24));
    const kdw::SafetensorsFile f = kdw::read_safetensors(p);
    QCOMPARE(f.tensors.size(), std::size_t(3));
    QCOMPARE(f.tensors[0].first, std::string("a"));
    // Beyond the file.
    const nlohmann::json beyond = {
        {"a", {{"dtype", "F32"}, {"shape", {4}}, {"data_offsets", {16, 32}}}}};
    write_bytes(p, safetensors_bytes(beyond, 24));
    check_error(error_of([&] { kdw::read_safetensors(p); }), {p.string(), "outside the file"});
  }

  void safetensors_shape_is_checked_before_allocating() {
    const fs::path p = file("huge.safetensors");
    for (const auto& shape : {nlohmann::json{int64_t{1} << 40}, nlohmann::json{int64_t{1} << 62, 4},
                              nlohmann::json{int64_t{1} << 31, int64_t{1} << 31, 4}}) {
      const nlohmann::json header = {
          {"w", {{"dtype", "F32"}, {"shape", shape}, {"data_offsets", {0, 16}}}}};
      write_bytes(p, safetensors_bytes(header, 16));
      check_error(error_of([&] { kdw::read_safetensors(p); }),
                  {p.string(), "more than the file holds"});
    }
  }

  void safetensors_text_from_the_file_is_escaped() {
    const fs::path p = file("escape.safetensors");
    const nlohmann::json header = {
        {"w\x1b]0;owned\x07",
         {{"dtype", "\x1b[31mF99\x1b[0m"}, {"shape", {1}}, {"data_offsets", {0, 4}}}}};
    write_bytes(p, safetensors_bytes(header, 4));
    // (check_error also makes sure that no control byte, ESC included, is left.)
    check_error(error_of([&] { kdw::read_safetensors(p); }),
                {p.string(), "\\x1B[31mF99", "unsupported dtype"});
    // A dtype of 10,000 letters is cut short.
    const nlohmann::json long_dtype = {
        {"w", {{"dtype", std::string(10000, 'F')}, {"shape", {1}}, {"data_offsets", {0, 4}}}}};
    write_bytes(p, safetensors_bytes(long_dtype, 4));
    const std::string long_error = error_of([&] { kdw::read_safetensors(p); });
    check_error(long_error, {"..."});
    QVERIFY2(long_error.size() < 400, long_error.c_str());
  }

  void safetensors_header_nesting_is_bounded() {
    const fs::path p = file("deep.safetensors");
    const std::string header =
        "{\"a\": " + std::string(200000, '[') + std::string(200000, ']') + "}";
    std::string bytes(8, '\0');
    uint64_t n = header.size();
    for (int i = 0; i < 8; ++i, n >>= 8)
      bytes[static_cast<std::size_t>(i)] = static_cast<char>(n & 0xff);
    write_bytes(p, bytes + header);
    check_error(error_of([&] { kdw::read_safetensors(p); }), {p.string(), "nested more than"});
  }

  void folders_are_not_files() {
    const fs::path folder = file("model.safetensors");
    fs::create_directories(folder);
    check_error(error_of([&] { kdw::read_safetensors(folder); }),
                {folder.string(), "is a folder, not a file"});
    const fs::path npy = file("train.npy");
    fs::create_directories(npy);
    check_error(error_of([&] { kdw::read_npy(npy); }), {npy.string(), "is a folder, not a file"});
  }

  void npy_shape_is_checked_against_the_file() {
    const fs::path p = file("huge.npy");
    // 2^62 elements: the byte count overflows 64 bits; a plain product wrapped to 0 bytes.
    write_bytes(
        p, npy_bytes("{'descr': '<i4', 'fortran_order': False, 'shape': (4611686018427387904,), }",
                     0));
    check_error(error_of([&] { kdw::read_npy(p); }), {p.string(), "needs more data than the file"});
    write_bytes(
        p, npy_bytes(
               "{'descr': '<f4', 'fortran_order': False, 'shape': (65536, 65536, 65536, 65536), }",
               16));
    check_error(error_of([&] { kdw::read_npy_tensor(p); }),
                {p.string(), "needs more data than the file"});
    write_bytes(p,
                npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000,), }", 16));
    check_error(error_of([&] { kdw::read_npy(p); }), {p.string(), "truncated"});
    // Text from the header is escaped.
    write_bytes(p, npy_bytes("{'descr': '<\x1b[2Jx', 'fortran_order': False, 'shape': (1,), }", 4));
    check_error(error_of([&] { kdw::read_npy(p); }), {p.string(), "\\x1B[2J"});
    // Still fine: an empty array and a normal one.
    write_bytes(
        p, npy_bytes(
               "{'descr': '<i8', 'fortran_order': False, 'shape': (0, 4611686018427387904), }", 0));
    QCOMPARE(kdw::read_npy(p).numel(), int64_t(0));
    kdw::write_npy(p, std::vector<int64_t>{1, 2, 3});
    QCOMPARE(kdw::read_npy(p).values<int64_t>(), (std::vector<int64_t>{1, 2, 3}));
  }

  void ragged_split_sizes_come_from_the_files() {
    const fs::path dir = file("tokens");
    kdw::RaggedSplit s;
    s.add({5, 6, 7}, 1, 0);
    s.add({8}, 0, 1);
    kdw::write_ragged_split(dir, "train", s);
    QCOMPARE(kdw::read_ragged_split(dir, "train").ids.size(), std::size_t(4));
    const fs::path offsets = dir / "train_offsets.npy";
    write_bytes(
        offsets,
        npy_bytes("{'descr': '<i8', 'fortran_order': False, 'shape': (2305843009213693952,), }",
                  24));
    check_error(error_of([&] { kdw::read_ragged_split(dir, "train"); }),
                {offsets.string(), "needs more data"});
    kdw::write_npy(offsets, std::vector<int64_t>{0, 3, 1000000});
    check_error(error_of([&] { kdw::read_ragged_split(dir, "train"); }),
                {offsets.string(), "does not span"});
  }
};

QTEST_GUILESS_MAIN(TestFormatLimits)
#include "test_format_limits.moc"
