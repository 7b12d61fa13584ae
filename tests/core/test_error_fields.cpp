// Engine errors name fields, not CLI flags: the GUI shows them as they are, and it has no
// "--max_seq_len". Scans every string literal of the engine's sources (comments and log calls
// left out: a log line may quote a shell command) for "--" followed by a letter.
#include <QtTest>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

struct Literal {
  std::string text;
  int line;
};

// The string literals of C++ source `src` outside comments and outside `log::name(...)`
// calls. Raw strings are read whole; escapes are kept as written.
std::vector<Literal> error_literals(const std::string& src) {
  std::vector<Literal> out;
  int line = 1, depth = 0, log_depth = -1;  // log_depth: paren depth inside a log call
  const std::size_t n = src.size();
  for (std::size_t i = 0; i < n; ++i) {
    const char c = src[i];
    if (c == '\n') {
      ++line;
    } else if (c == '/' && i + 1 < n && src[i + 1] == '/') {
      while (i < n && src[i] != '\n') ++i;
      --i;
    } else if (c == '/' && i + 1 < n && src[i + 1] == '*') {
      const std::size_t end = src.find("*/", i + 2);
      for (std::size_t k = i; k < std::min(end, n); ++k) line += src[k] == '\n';
      i = end == std::string::npos ? n : end + 1;
    } else if (c == '\'') {
      for (++i; i < n && src[i] != '\''; ++i)
        if (src[i] == '\\') ++i;
    } else if (c == 'R' && i + 1 < n && src[i + 1] == '"' &&
               (i == 0 ||
                !(std::isalnum(static_cast<unsigned char>(src[i - 1])) || src[i - 1] == '_'))) {
      const std::size_t open = src.find('(', i);
      const std::string close = ")" + src.substr(i + 2, open - i - 2) + "\"";
      const std::size_t end = src.find(close, open);
      const std::string text = src.substr(open + 1, end - open - 1);
      if (log_depth < 0) out.push_back({text, line});
      for (const char t : text) line += t == '\n';
      i = end + close.size() - 1;
    } else if (c == '"') {
      std::string text;
      for (++i; i < n && src[i] != '"'; ++i) {
        if (src[i] == '\\') text += src[i++];
        text += src[i];
      }
      if (log_depth < 0) out.push_back({text, line});
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      if (--depth == log_depth) log_depth = -1;
    } else if (log_depth < 0 && src.compare(i, 5, "log::") == 0 &&
               (i == 0 || !std::isalnum(static_cast<unsigned char>(src[i - 1])))) {
      std::size_t k = i + 5;
      while (k < n && (std::isalnum(static_cast<unsigned char>(src[k])) || src[k] == '_')) ++k;
      if (k < n && src[k] == '(') {
        log_depth = depth;
        i = k - 1;
      }
    }
  }
  return out;
}

// "--" then a letter: a CLI flag.
bool names_flag(const std::string& text) {
  for (std::size_t p = text.find("--"); p != std::string::npos; p = text.find("--", p + 1))
    if (p + 2 < text.size() && std::isalpha(static_cast<unsigned char>(text[p + 2]))) return true;
  return false;
}

}  // namespace

class TestErrorFields : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void scannerFindsFlagsInErrorsOnly() {
    const std::string src =
        "// run with --force\n"
        "throw UsageError(\"--max_seq_len \" + n +\n"
        "   \" is too long\");  /* --lr */\n"
        "log::warn(\"select it with update-alternatives --config {}\", f(x));\n"
        "const std::string usage = \"--split '\" + text + \"' is bad\";\n"
        "char c = '\"'; kdw::log::info(R\"(a --b)\");\n"
        "throw Error(\"lower --lr\");\n";
    std::vector<std::string> flagged;
    std::vector<int> lines;
    for (const auto& l : error_literals(src))
      if (names_flag(l.text)) {
        flagged.push_back(l.text);
        lines.push_back(l.line);
      }
    QCOMPARE(flagged, (std::vector<std::string>{"--max_seq_len ", "--split '", "lower --lr"}));
    QCOMPARE(lines, (std::vector<int>{2, 5, 7}));
    QVERIFY(!names_flag("a -- b, x--1, --"));
  }

  void engineErrorsNameFieldsNotFlags() {
    QStringList offenders;
    int files = 0;
    for (const auto& entry :
         fs::recursive_directory_iterator(fs::path(KDW_SOURCE_DIR) / "engine")) {
      const std::string ext = entry.path().extension().string();
      if (ext != ".cpp" && ext != ".h") continue;
      ++files;
      std::ifstream in(entry.path());
      const std::string text((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
      for (const Literal& l : error_literals(text))
        if (names_flag(l.text))
          offenders << QString::fromStdString(
              entry.path().lexically_relative(KDW_SOURCE_DIR).string() + ":" +
              std::to_string(l.line) + ": \"" + l.text + "\"");
    }
    QVERIFY(files > 100);  // the tree was found
    QVERIFY2(offenders.isEmpty(), qPrintable(offenders.join("\n")));
  }
};

QTEST_APPLESS_MAIN(TestErrorFields)
#include "test_error_fields.moc"
