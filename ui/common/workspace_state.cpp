#include "ui/common/workspace_state.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QObject>
#include <QRegularExpression>

#include <filesystem>
#include <system_error>

#include "bert/finetune.h"
#include "core/workspace.h"

namespace {
QString qpath(const std::filesystem::path& p) {
  return QString::fromStdString(p.string());
}
bool fileExists(const std::filesystem::path& p) {
  return QFileInfo::exists(qpath(p));
}
}  // namespace

QString WorkspaceState::summary() const {
  if (!valid) return QObject::tr("No workspace");
  QStringList lines;
  auto mark = [](bool ok) { return ok ? QStringLiteral("✔") : QStringLiteral("–"); };
  lines << QObject::tr("%1 Prepared data%2")
               .arg(mark(hasTokens), labels.isEmpty()
                                         ? QString()
                                         : QObject::tr(" (%1 classes: %2)")
                                               .arg(labels.size())
                                               .arg(labels.mid(0, 6).join(QStringLiteral(", "))));
  lines << QObject::tr("%1 Teacher data (BERT ids)").arg(mark(hasBertData));
  lines << QObject::tr("%1 Fine-tuned teacher").arg(mark(hasTeacher));
  lines << QObject::tr("%1 Teacher logits").arg(mark(hasLogits));
  lines << QObject::tr("%1 Runs: %2").arg(mark(runs > 0)).arg(runs);
  if (!pretrained.isEmpty())
    lines << QObject::tr("Pretrained BERT: %1").arg(pretrained.join(QStringLiteral(", ")));
  return lines.join(QLatin1Char('\n'));
}

WorkspaceState scanWorkspace(const QString& root) {
  WorkspaceState state;
  state.root = root;
  if (root.isEmpty() || !QFileInfo(root).isDir()) return state;
  state.valid = true;
  const kdw::Workspace ws{std::filesystem::path(root.toStdString())};
  state.hasTokens = fileExists(ws.tokens_dir() / "train_ids.npy");
  state.hasBertData = fileExists(ws.bert_data_dir() / "train_ids.npy");
  state.hasTeacher = fileExists(ws.finetune_dir() / "config.json") ||
                     fileExists(ws.finetune_dir() / "bert_config.json");
  const QDir logits(qpath(ws.logits_dir()));
  state.hasLogits = !logits.entryList({QStringLiteral("train*.npy")}, QDir::Files).isEmpty();
  try {
    state.runs = int(kdw::list_run_folders(ws.root).size());
  } catch (const std::exception&) {
    state.runs = 0;
  }
  QFile labels(qpath(ws.labels_file()));
  if (labels.size() < (1 << 20) && labels.open(QIODevice::ReadOnly)) {
    const QJsonDocument doc = QJsonDocument::fromJson(labels.readAll());
    // labels.json: a list of names, or an object with a "labels" list.
    const QJsonArray list = doc.isArray() ? doc.array() : doc.object().value("labels").toArray();
    for (const auto& v : list) state.labels << v.toString();
  }
  const QDir bert(qpath(ws.bert_dir()));
  // The fine-tuned teacher and the checkpoint of a stopped fine-tuning are no folders to start
  // from.
  const QString teacher = qpath(ws.finetune_dir().filename());
  const QString checkpoint = qpath(kdw::finetune_checkpoint_dir(ws.finetune_dir()).filename());
  for (const QString& name : bert.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
    // A copy under way (or one a kill left, removed at the next lock) is no folder to use.
    static const QRegularExpression staging(QStringLiteral("\\.(tmp|old)-\\d+$"));
    if (name != teacher && name != checkpoint && !staging.match(name).hasMatch())
      state.pretrained << name;
  }
  return state;
}

QString createWorkspaceLayout(const QString& root) {
  const kdw::Workspace ws{std::filesystem::path(root.toStdString())};
  std::error_code ec;
  for (const auto& dir : {ws.tokens_dir(), ws.bert_data_dir(), ws.logits_dir(), ws.bert_dir()}) {
    std::filesystem::create_directories(dir, ec);
    if (ec) return qpath(dir) + QStringLiteral(": ") + QString::fromStdString(ec.message());
  }
  return {};
}

QString newWorkspaceProblem(const QString& root) {
  const QFileInfo info(root);
  if (!info.exists()) return {};
  if (!info.isDir()) return QObject::tr("%1: not a folder").arg(root);
  const QDir dir(root);
  if (dir.exists(QStringLiteral("files"))) return {};  // a workspace already: opened as it is
  if (dir.entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden).isEmpty()) return {};
  return QObject::tr(
             "%1 is not empty: a new workspace needs a new or empty folder (give another "
             "name) or an existing workspace")
      .arg(QDir::toNativeSeparators(root));
}
