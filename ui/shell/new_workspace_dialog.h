// File → New workspace: a parent folder (typed or browsed) and the new workspace's name; the
// folder parent/name is created when it does not exist yet. What the choice would do (create,
// use an empty folder, open an existing workspace) or why it cannot (a folder holding other
// things, newWorkspaceProblem) is said under the fields, and OK waits for a usable choice.
#pragma once

#include <QDialog>

class QLabel;
class QLineEdit;
class QPushButton;

class NewWorkspaceDialog : public QDialog {
  Q_OBJECT

 public:
  /// `parentFolder`: where the parent field starts (the last one used, or the home folder).
  explicit NewWorkspaceDialog(const QString& parentFolder, QWidget* parent = nullptr);

  /// parent/name, absolute and clean (empty while either is missing).
  QString path() const;
  /// Why OK is off (empty when the choice can be used).
  QString problem() const { return problem_; }
  /// The line under the fields: what OK will do, or the problem.
  QString noteText() const;

  QLineEdit* parentEdit() const { return parent_; }
  QLineEdit* nameEdit() const { return name_; }
  QPushButton* okButton() const { return ok_; }

 private:
  void update();

  QLineEdit* parent_ = nullptr;
  QLineEdit* name_ = nullptr;
  QLabel* note_ = nullptr;
  QPushButton* ok_ = nullptr;
  QString problem_;
};
