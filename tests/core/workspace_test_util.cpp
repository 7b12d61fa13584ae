#include "workspace_test_util.h"

#include <QProcess>

#include <random>

#include "core/hash.h"

namespace fs = std::filesystem;

namespace kdw::test {

KdwRun run_kdw(const QStringList& args, const QStringList& env, const QString& cwd) {
  QProcess p;
  QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
  for (const QString& kv : env) e.insert(kv.section('=', 0, 0), kv.section('=', 1));
  p.setProcessEnvironment(e);
  if (!cwd.isEmpty()) p.setWorkingDirectory(cwd);
  p.start(QStringLiteral(KDW_BINARY_DIR "/app/kdw/kdw"), args);
  KdwRun r;
  if (!p.waitForFinished(300000)) return r;
  r.code = p.exitStatus() == QProcess::CrashExit ? -9 : p.exitCode();
  r.out = QString::fromUtf8(p.readAllStandardOutput());
  r.err = QString::fromUtf8(p.readAllStandardError());
  return r;
}

std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> files;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return files;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) files[fs::relative(e.path(), dir).string()] = file_hash(e.path());
  }
  return files;
}

std::vector<std::string> leftovers(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return names;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    const std::string n = e.path().filename().string();
    if (n.find(".tmp-") != std::string::npos || n.find(".old-") != std::string::npos ||
        n.rfind(".kdw-commit-", 0) == 0)
      names.push_back(e.path().string());
  }
  return names;
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += n + " ";
  return out;
}

std::string tiny_csv(int rows, unsigned seed) {
  std::mt19937 rng(seed);
  const char* labels[] = {"love", "polit", "computer"};
  std::string csv = "text,label\n";
  for (int i = 0; i < rows; ++i) {
    const int label = i % 3;
    std::string text;
    const int len = 3 + int(rng() % 8);
    for (int k = 0; k < len; ++k)
      text += (k ? " " : "") + std::string("w") + std::to_string(label * 10 + int(rng() % 10));
    csv += text + " n" + std::to_string(i) + "," + labels[label] + "\n";
  }
  return csv;
}

}  // namespace kdw::test
