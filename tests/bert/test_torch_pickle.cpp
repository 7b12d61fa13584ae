// The restricted torch.save reader: both containers against the safetensors copy of the same
// weights, and damaged files, which must give kdw::Error and never a crash.
#include <QtTest/QtTest>

#include <random>

#include <zlib.h>

#include "bert_test_util.h"
#include "core/error.h"
#include "formats/safetensors.h"
#include "formats/torch_pickle.h"

namespace fs = std::filesystem;
using namespace kdw;
using namespace kdw::test;

namespace {

std::map<std::string, at::Tensor> as_map(
    const std::vector<std::pair<std::string, at::Tensor>>& tensors) {
  return {tensors.begin(), tensors.end()};
}

// Loads `bytes` from a file; returns "" on success, else the kdw::Error text. Any other exception
// fails the test (a crash fails it anyway).
std::string load_error(const fs::path& file, const std::string& bytes) {
  write_bytes(file, bytes);
  try {
    read_torch_checkpoint(file);
    return "";
  } catch (const Error& e) {
    return e.what();
  }
}

uint32_t crc32(const std::string& bytes) {
  uint32_t crc = 0xffffffffU;
  for (unsigned char c : bytes) {
    crc ^= c;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xedb88320U & (0U - (crc & 1U)));
  }
  return ~crc;
}

uint64_t le(const std::string& s, std::size_t pos, int bytes) {
  uint64_t v = 0;
  for (int k = bytes - 1; k >= 0; --k) v = (v << 8) | static_cast<unsigned char>(s.at(pos + k));
  return v;
}

void put_le(std::string& out, uint64_t v, int bytes) {
  for (int k = 0; k < bytes; ++k) out += static_cast<char>((v >> (8 * k)) & 0xff);
}

// The records of a zip whose entries are stored uncompressed (as torch.save writes them).
std::vector<std::pair<std::string, std::string>> stored_zip_records(const std::string& zip) {
  const std::size_t eocd = zip.rfind(std::string("PK\x05\x06", 4));
  std::size_t at = le(zip, eocd + 16, 4);
  std::vector<std::pair<std::string, std::string>> records;
  for (uint64_t k = 0, n = le(zip, eocd + 10, 2); k < n; ++k) {
    const uint64_t size = le(zip, at + 20, 4), name_len = le(zip, at + 28, 2);
    const uint64_t skip = name_len + le(zip, at + 30, 2) + le(zip, at + 32, 2);
    const std::size_t local = le(zip, at + 42, 4);
    const std::size_t data = local + 30 + le(zip, local + 26, 2) + le(zip, local + 28, 2);
    records.emplace_back(zip.substr(at + 46, name_len), zip.substr(data, size));
    at += 46 + skip;
  }
  return records;
}

// A zip of `records`, stored uncompressed.
std::string stored_zip(const std::vector<std::pair<std::string, std::string>>& records) {
  std::string out, directory;
  for (const auto& [name, data] : records) {
    std::string header;
    put_le(header, 20, 2);  // version needed
    put_le(header, 0, 2);   // flags
    put_le(header, 0, 2);   // stored
    put_le(header, 0, 4);   // time, date
    put_le(header, crc32(data), 4);
    put_le(header, data.size(), 4);
    put_le(header, data.size(), 4);
    put_le(header, name.size(), 2);
    put_le(header, 0, 2);  // extra
    std::string central = std::string("PK\x01\x02", 4);
    put_le(central, 20, 2);  // version made by
    central += header;
    put_le(central, 0, 2);  // comment
    put_le(central, 0, 2);  // disk
    put_le(central, 0, 2);  // internal attributes
    put_le(central, 0, 4);  // external attributes
    put_le(central, out.size(), 4);
    directory += central + name;
    out += std::string("PK\x03\x04", 4) + header + name + data;
  }
  std::string end = std::string("PK\x05\x06", 4);
  put_le(end, 0, 4);  // disk numbers
  put_le(end, records.size(), 2);
  put_le(end, records.size(), 2);
  put_le(end, directory.size(), 4);
  put_le(end, out.size(), 4);
  put_le(end, 0, 2);  // comment
  return out + directory + end;
}

// The pickle's one location string, 'cpu' (memoised, then referenced), as a GPU would save it.
std::string on_cuda(std::string pickle) {
  const std::string cpu = std::string("X\x03\x00\x00\x00", 5) + "cpu";
  const std::string cuda = std::string("X\x06\x00\x00\x00", 5) + "cuda:0";
  const auto pos = pickle.find(cpu);
  if (pos == std::string::npos || pickle.find(cpu, pos + 1) != std::string::npos) return "";
  return pickle.replace(pos, cpu.size(), cuda);
}

// Little-endian integer of `bytes` bytes.
std::string le(uint64_t v, int bytes) {
  std::string out;
  for (int k = 0; k < bytes; ++k, v >>= 8) out += static_cast<char>(v & 0xff);
  return out;
}

// Raw deflate (as in zip records) of `bytes`.
std::string deflate_raw(const std::string& bytes) {
  z_stream s{};
  deflateInit2(&s, Z_BEST_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 9, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&s, bytes.size()), '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  s.avail_in = static_cast<uInt>(bytes.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = static_cast<uInt>(out.size());
  deflate(&s, Z_FINISH);
  out.resize(s.total_out);
  deflateEnd(&s);
  return out;
}

struct ZipRecord {
  std::string name, data;  // data as stored (deflated when method == 8)
  uint16_t method = 0;
  uint64_t size = 0;  // uncompressed size declared in the headers
};

// A zip archive of `records` (no CRCs: the reader does not check them).
std::string make_zip(const std::vector<ZipRecord>& records) {
  std::string out, directory;
  for (const ZipRecord& r : records) {
    const std::string common = le(20, 2) + le(0, 2) + le(r.method, 2) + le(0, 4) + le(0, 4) +
                               le(r.data.size(), 4) + le(r.size, 4) + le(r.name.size(), 2) +
                               le(0, 2);
    directory += le(0x02014b50, 4) + le(20, 2) + common + le(0, 2) + le(0, 2) + le(0, 2) +
                 le(0, 4) + le(out.size(), 4) + r.name;
    out += le(0x04034b50, 4) + common + r.name + r.data;
  }
  const uint64_t dir_offset = out.size();
  out += directory;
  out += le(0x06054b50, 4) + le(0, 2) + le(0, 2) + le(records.size(), 2) + le(records.size(), 2) +
         le(directory.size(), 4) + le(dir_offset, 4) + le(0, 2);
  return out;
}

// A zip checkpoint {"w": float tensor of `numel` zeros} whose storage record is deflated and
// declares `declared` uncompressed bytes.
std::string zip_checkpoint(uint32_t numel, uint64_t declared) {
  const auto text = [](const std::string& s) { return "X" + le(s.size(), 4) + s; };
  const std::string pickle = "\x80\x02}" + text("w") + "ctorch._utils\n_rebuild_tensor_v2\n((" +
                             text("storage") + "ctorch\nFloatStorage\n" + text("0") + text("cpu") +
                             "J" + le(numel, 4) + std::string("tQK\x00J", 5) + le(numel, 4) +
                             "\x85K\x01\x85tRs.";
  ZipRecord pkl{"archive/data.pkl", pickle, 0, pickle.size()};
  ZipRecord data{"archive/data/0", deflate_raw(std::string(std::size_t{numel} * 4, '\0')), 8,
                 declared};
  return make_zip({pkl, data});
}

}  // namespace

class TestTorchPickle : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir tmp_;
  fs::path dir() const { return fs::path(tmp_.path().toStdString()); }

 private Q_SLOTS:
  void zip_format_matches_safetensors() {
    const auto zip = read_torch_checkpoint(bert_fixtures() / "hf_style" / "pytorch_model.bin");
    const auto st = read_safetensors(bert_fixtures() / "hf_style" / "model.safetensors");
    QCOMPARE(zip.size(), st.tensors.size());
    QCOMPARE(zip.front().first, std::string("bert.embeddings.word_embeddings.weight"));
    for (const auto& [name, tensor] : zip) {
      const at::Tensor expected = st.find(name);
      QVERIFY2(expected.defined(), name.c_str());
      QCOMPARE(tensor.scalar_type(), at::kFloat);
      QVERIFY2(tensor.is_contiguous(), name.c_str());
      QVERIFY2(at::equal(tensor, expected), name.c_str());
    }
  }

  void legacy_format_matches_safetensors() {
    const auto legacy =
        as_map(read_torch_checkpoint(bert_fixtures() / "deeppavlov_style" / "pytorch_model.bin"));
    const auto st = read_safetensors(bert_fixtures() / "hf_style" / "model.safetensors");
    int compared = 0, pretraining_heads = 0;
    for (const auto& [name, tensor] : legacy) {
      if (name.rfind("cls.", 0) == 0) {
        ++pretraining_heads;
        continue;
      }
      std::string hf = name;
      if (hf.size() > 6 && hf.compare(hf.size() - 6, 6, ".gamma") == 0)
        hf = hf.substr(0, hf.size() - 5) + "weight";
      if (hf.size() > 5 && hf.compare(hf.size() - 5, 5, ".beta") == 0)
        hf = hf.substr(0, hf.size() - 4) + "bias";
      const at::Tensor expected = st.find(hf);
      QVERIFY2(expected.defined(), name.c_str());
      QVERIFY2(at::equal(tensor, expected), name.c_str());
      ++compared;
    }
    QCOMPARE(compared + 2, static_cast<int>(st.tensors.size()));  // all but classifier weight/bias
    QVERIFY(pretraining_heads > 0);
  }

  // torch.save on a GPU writes the storages' location as 'cuda:0'; the weights still load, on the
  // CPU, on a machine without CUDA. Both containers; the rebuilt zip is checked on the 'cpu' copy.
  void gpu_saved_checkpoints_load_on_the_cpu() {
    const fs::path legacy_file = bert_fixtures() / "deeppavlov_style" / "pytorch_model.bin";
    const std::string legacy = on_cuda(read_bytes(legacy_file));
    QVERIFY(!legacy.empty());
    write_bytes(dir() / "legacy_cuda.bin", legacy);
    const auto expected_legacy = read_torch_checkpoint(legacy_file);
    const auto loaded_legacy = read_torch_checkpoint(dir() / "legacy_cuda.bin");
    QCOMPARE(loaded_legacy.size(), expected_legacy.size());
    for (std::size_t k = 0; k < loaded_legacy.size(); ++k) {
      QVERIFY(loaded_legacy[k].second.device().is_cpu());
      QVERIFY2(at::equal(loaded_legacy[k].second, expected_legacy[k].second),
               loaded_legacy[k].first.c_str());
    }

    const fs::path zip_file = bert_fixtures() / "hf_style" / "pytorch_model.bin";
    auto records = stored_zip_records(read_bytes(zip_file));
    QVERIFY(records.size() > 2);
    write_bytes(dir() / "zip_cpu.bin", stored_zip(records));
    int pickles = 0;
    for (auto& [name, data] : records)
      if (name.size() > 9 && name.compare(name.size() - 9, 9, "/data.pkl") == 0) {
        data = on_cuda(data);
        QVERIFY(!data.empty());
        ++pickles;
      }
    QCOMPARE(pickles, 1);
    write_bytes(dir() / "zip_cuda.bin", stored_zip(records));
    const auto expected_zip = read_torch_checkpoint(zip_file);
    for (const char* file : {"zip_cpu.bin", "zip_cuda.bin"}) {
      const auto loaded = read_torch_checkpoint(dir() / file);
      QCOMPARE(loaded.size(), expected_zip.size());
      for (std::size_t k = 0; k < loaded.size(); ++k) {
        QVERIFY(loaded[k].second.device().is_cpu());
        QVERIFY2(at::equal(loaded[k].second, expected_zip[k].second), loaded[k].first.c_str());
      }
    }
  }

  void truncated_files_are_errors() {
    for (const char* folder : {"hf_style", "deeppavlov_style"}) {
      const std::string bytes = read_bytes(bert_fixtures() / folder / "pytorch_model.bin");
      std::vector<std::size_t> cuts = {
          0, 1, 2, 3, 8, 15, 21, bytes.size() / 2, bytes.size() - 100, bytes.size() - 1};
      for (std::size_t cut = 25; cut < 7000; cut += 17) cuts.push_back(cut);
      for (std::size_t cut : cuts) {
        const std::string error = load_error(dir() / "cut.bin", bytes.substr(0, cut));
        QVERIFY2(!error.empty(), (std::string(folder) + " cut at " + std::to_string(cut)).c_str());
        QVERIFY2(error.find("cut.bin") != std::string::npos, error.c_str());
      }
    }
  }

  void corrupted_bytes_never_crash() {
    std::mt19937 rng(12345);
    for (const char* folder : {"hf_style", "deeppavlov_style"}) {
      const std::string bytes = read_bytes(bert_fixtures() / folder / "pytorch_model.bin");
      int errors = 0;
      for (int trial = 0; trial < 300; ++trial) {
        std::string damaged = bytes;
        // The pickles sit at the start (legacy, zip data.pkl); the zip directory at the end.
        const bool at_end = trial % 3 == 2;
        for (int k = 0; k < 1 + trial % 4; ++k) {
          const std::size_t pos = at_end ? bytes.size() - 1 - rng() % 4000 : rng() % 6100;
          damaged[pos] = static_cast<char>(rng() & 0xff);
        }
        errors += !load_error(dir() / "damaged.bin", damaged).empty();
      }
      qInfo("%s: %d of 300 damaged copies rejected, the rest still loaded", folder, errors);
      QVERIFY(errors > 0);
    }
  }

  void foreign_globals_are_refused() {
    const std::string evil = std::string("\x80\x02") + "cos\nsystem\nX\x02\x00\x00\x00lsR.";
    const std::string error = load_error(dir() / "evil.bin", evil);
    QVERIFY2(error.find("os.system") != std::string::npos, error.c_str());

    std::string zip = read_bytes(bert_fixtures() / "hf_style" / "pytorch_model.bin");
    const auto pos = zip.find("collections\nOrderedDict");
    QVERIFY(pos != std::string::npos);
    zip.replace(pos, 11, "collectionz");
    const std::string zip_error = load_error(dir() / "evil.zip", zip);
    QVERIFY2(zip_error.find("collectionz.OrderedDict") != std::string::npos, zip_error.c_str());
  }

  void deep_nesting_is_refused() {
    std::string deep = std::string("\x80\x02") + "N";
    deep += std::string(100000, '\x85');  // TUPLE1, 100000 levels deep
    deep += ".";
    const std::string error = load_error(dir() / "deep.bin", deep);
    QVERIFY2(error.find("nested too deeply") != std::string::npos, error.c_str());
  }

  // A few KB whose deflated storage expands to 64 MiB: refused before inflating (a 1 MB file
  // inflating to 1 GiB was inflated). A small deflated storage still loads.
  void zip_bombs_are_refused_before_inflating() {
    write_bytes(dir() / "small.bin", zip_checkpoint(1000, 4000));
    const auto small = read_torch_checkpoint(dir() / "small.bin");
    QCOMPARE(small.size(), std::size_t(1));
    QCOMPARE(small[0].second.numel(), int64_t(1000));

    const std::string bomb = zip_checkpoint(16u << 20, uint64_t{64} << 20);
    QVERIFY(bomb.size() < 200000);
    const std::string error = load_error(dir() / "bomb.bin", bomb);
    QVERIFY2(error.find("bomb.bin") != std::string::npos &&
                 error.find("refusing to inflate") != std::string::npos,
             error.c_str());
    // Declared sizes against the pickle's storage: 1 GiB declared for 1000 floats.
    const std::string liar =
        load_error(dir() / "liar.bin", zip_checkpoint(1000, uint64_t{1} << 30));
    QVERIFY2(liar.find("larger than its storage") != std::string::npos, liar.c_str());
  }

  void names_from_the_file_are_escaped() {
    const std::string evil =
        std::string("\x80\x02") + "cos\x1b]0;title\x07\nsystem\nX\x02\x00\x00\x00lsR.";
    const std::string error = load_error(dir() / "escape.bin", evil);
    QVERIFY2(error.find('\x1b') == std::string::npos &&
                 error.find("os\\x1B]0;title\\x07.system") != std::string::npos,
             error.c_str());
  }

  void other_files_are_errors() {
    QVERIFY(!load_error(dir() / "text.bin", "hello, world").empty());
    QVERIFY(!load_error(dir() / "empty.bin", "").empty());
    // A valid pickle that is not a legacy checkpoint.
    QVERIFY(!load_error(dir() / "dict.bin", std::string("\x80\x02}q\x00.", 6)).empty());
    QVERIFY_EXCEPTION_THROWN(read_torch_checkpoint(dir() / "does_not_exist.bin"), Error);
  }
};

QTEST_GUILESS_MAIN(TestTorchPickle)
#include "test_torch_pickle.moc"
