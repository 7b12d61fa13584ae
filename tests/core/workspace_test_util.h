// Helpers of the workspace-safety tests: running the real `kdw`, snapshots of folders, leftovers.
#pragma once

#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace kdw::test {

struct KdwRun {
  int code = -1;  // -1: did not finish; -9: killed by SIGKILL
  QString out, err;
};

/// Runs build/app/kdw/kdw with `args`; `env` entries are added to the environment.
KdwRun run_kdw(const QStringList& args, const QStringList& env = {}, const QString& cwd = {});

/// Relative path -> content hash of every file under `dir` (hidden ones included).
std::map<std::string, std::string> snapshot(const std::filesystem::path& dir);

/// Paths under `dir` that are commit leftovers: "*.tmp-N", "*.old-N", ".kdw-commit-*".
std::vector<std::string> leftovers(const std::filesystem::path& dir);

/// The names, space-separated (for failure messages).
std::string joined(const std::vector<std::string>& names);

/// A labelled CSV of `rows` rows, three classes, words w0..w29 (deterministic).
std::string tiny_csv(int rows, unsigned seed);

}  // namespace kdw::test
