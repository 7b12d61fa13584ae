// The restricted torch.save reader: both containers against the safetensors copy of the same
// weights, and damaged files, which must give kdw::Error and never a crash.
#include <QtTest/QtTest>

#include <random>

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
