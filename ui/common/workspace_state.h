// What a workspace folder holds, to decide which panels can work on it.
#pragma once

#include <QString>
#include <QStringList>

struct WorkspaceState {
  QString root;
  bool valid = false;        ///< the folder exists
  bool hasTokens = false;    ///< files/data/tokens/train_ids.npy (prepared student data)
  bool hasBertData = false;  ///< files/data/bert_data/train_ids.npy (prepared teacher data)
  bool hasTeacher = false;   ///< files/bert/rubert_finetune/ holds a config
  bool hasLogits = false;    ///< files/data/logits/train*.npy
  int runs = 0;              ///< run folders YYYY-MM-DD___HH-MM-SS
  QStringList labels;        ///< files/data/labels.json
  QStringList pretrained;    ///< folders under files/bert/ other than rubert_finetune

  /// One line per item for the welcome/summary text.
  QString summary() const;
};

WorkspaceState scanWorkspace(const QString& root);

/// Creates the workspace layout (files/data/{tokens,bert_data,logits}, files/bert) under `root`.
/// Returns an error message, empty on success.
QString createWorkspaceLayout(const QString& root);
/// Why `root` cannot become a new workspace (empty when it can): it must be a missing or empty
/// folder, or a workspace already (then it is opened). A folder holding other things (a home
/// folder, "/") is refused, so that files/ is never spread into it by a slip in the dialog.
QString newWorkspaceProblem(const QString& root);
