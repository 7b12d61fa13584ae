// Copying a BERT folder into a workspace (kdw::copy_bert_folder) and the demo's small BERT from
// scratch (kdw::write_small_bert): only the files the loader reads are copied, whole or not at
// all; an existing folder is never replaced; errors name the file.
#include <QtTest/QtTest>

#include <fstream>
#include <set>
#include <sstream>

#include "bert/bert_copy.h"
#include "core/error.h"
#include "core/job.h"

namespace fs = std::filesystem;
using namespace kdw;

namespace {

fs::path fixtures() {
  return fs::path(KDW_FIXTURES_DIR) / "bert";
}

std::string bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::set<std::string> names(const fs::path& dir) {
  std::set<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.insert(e.path().filename().string());
  return out;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

class TestBertCopy : public QObject {
  Q_OBJECT

  QTemporaryDir tmp_;
  fs::path dir() const { return fs::path(tmp_.path().toStdString()); }
  // The workspace's files/bert/ of each test, fresh.
  fs::path bert_dir(const char* name) const {
    const fs::path d = dir() / name / "files" / "bert";
    fs::create_directories(d);
    return d;
  }

 private Q_SLOTS:
  // A Hugging Face folder with both weight files: only the one the loader reads is copied.
  void copiesOnlyWhatTheLoaderReads() {
    const fs::path target = bert_dir("hf") / "rubert";
    JobContext job;
    int64_t last_done = -1, last_total = -1;
    job.set_progress_sink([&](const ProgressEvent& e) {
      QCOMPARE(QString::fromStdString(e.stage), QStringLiteral("copy"));
      QVERIFY(e.done >= last_done);
      last_done = e.done;
      last_total = e.total;
    });
    const BertCopyResult r = copy_bert_folder(fixtures() / "hf_style", target, job);
    QCOMPARE(r.folder, target);
    QCOMPARE(r.info.layout, std::string("huggingface"));
    QCOMPARE(names(target),
             (std::set<std::string>{"config.json", "model.safetensors", "vocab.txt"}));
    int64_t total = 0;
    for (const std::string& name : names(target)) {
      QVERIFY(bytes(target / name) == bytes(fixtures() / "hf_style" / name));
      total += int64_t(fs::file_size(target / name));
    }
    QCOMPARE(r.bytes, total);
    QCOMPARE(last_done, total);
    QCOMPARE(last_total, total);
    QCOMPARE(names(target.parent_path()), std::set<std::string>{"rubert"});  // no staging left

    const fs::path deep = bert_dir("dp") / "deeppavlov";
    JobContext again;
    QCOMPARE(copy_bert_folder(fixtures() / "deeppavlov_style", deep, again).info.layout,
             std::string("deeppavlov"));
    QCOMPARE(names(deep),
             (std::set<std::string>{"bert_config.json", "pytorch_model.bin", "vocab.txt"}));
  }

  // An existing folder of that name (even an empty one, which rename() would replace) stays as
  // it is; the error names it.
  void neverReplacesAFolder() {
    const fs::path target = bert_dir("taken") / "rubert";
    fs::create_directories(target);
    JobContext job;
    const std::string error =
        error_of([&] { copy_bert_folder(fixtures() / "hf_style", target, job); });
    QVERIFY2(contains(error, target.string()) && contains(error, "already exists"), error.c_str());
    QVERIFY(fs::is_empty(target));
    QCOMPARE(names(target.parent_path()), std::set<std::string>{"rubert"});
  }

  // A cancel or a failure part-way leaves neither the target nor the staging folder.
  void cancelOrFailureLeavesNothing() {
    const fs::path bert = bert_dir("cut");
    const fs::path target = bert / "rubert";
    {
      JobContext job;
      job.set_progress_sink([&](const ProgressEvent& e) {
        if (e.done > 0) job.request_cancel();  // after the first file
      });
      bool cancelled = false;
      try {
        copy_bert_folder(fixtures() / "hf_style", target, job);
      } catch (const Cancelled&) {
        cancelled = true;
      }
      QVERIFY(cancelled);
      QVERIFY(fs::is_empty(bert));
    }
    {
      JobContext job;
      job.set_progress_sink([](const ProgressEvent& e) {
        if (e.done > 0)
          throw file_error("/disk/vocab.txt", "cannot write: No space left on device");
      });
      const std::string error =
          error_of([&] { copy_bert_folder(fixtures() / "hf_style", target, job); });
      QVERIFY2(contains(error, "No space left"), error.c_str());
      QVERIFY(fs::is_empty(bert));
    }
  }

  // Not a BERT folder: refused before anything is written, naming the folder.
  void refusesWhatIsNoBertFolder() {
    const fs::path bert = bert_dir("bad");
    JobContext job;
    const fs::path source = dir() / "not_bert";
    fs::create_directories(source);
    const std::string error = error_of([&] { copy_bert_folder(source, bert / "x", job); });
    QVERIFY2(contains(error, source.string()) && contains(error, "config"), error.c_str());
    QVERIFY(fs::is_empty(bert));
  }

  // The small BERT from scratch is the demo's config folder, copied; a folder with weights is no
  // start from scratch.
  void smallBertFromScratch() {
    const fs::path source = fs::path(KDW_SOURCE_DIR) / "resources" / "demo" / "bert";
    const fs::path target = bert_dir("small") / "small_bert";
    JobContext job;
    const BertCopyResult r = write_small_bert(source, target, job);
    QCOMPARE(r.info.layout, std::string("config-only"));
    QCOMPARE(r.info.config.num_hidden_layers, int64_t(2));
    QCOMPARE(r.info.config.hidden_size, int64_t(128));
    QCOMPARE(names(target), (std::set<std::string>{"config.json", "vocab.txt"}));
    const std::string error = error_of(
        [&] { write_small_bert(fixtures() / "hf_style", target.parent_path() / "other", job); });
    QVERIFY2(contains(error, "hf_style") && contains(error, "weights"), error.c_str());
  }
};

QTEST_GUILESS_MAIN(TestBertCopy)
#include "test_bert_copy.moc"
