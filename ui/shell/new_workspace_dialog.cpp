#include "ui/shell/new_workspace_dialog.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include "ui/common/workspace_state.h"

NewWorkspaceDialog::NewWorkspaceDialog(const QString& parentFolder, QWidget* parent)
    : QDialog(parent) {
  setObjectName(QStringLiteral("newWorkspaceDialog"));
  setWindowTitle(tr("New workspace"));
  parent_ = new QLineEdit(QDir::toNativeSeparators(parentFolder), this);
  parent_->setObjectName(QStringLiteral("parentFolder"));
  auto* browse = new QPushButton(tr("Browse…"), this);
  name_ = new QLineEdit(this);
  name_->setObjectName(QStringLiteral("workspaceName"));
  name_->setPlaceholderText(tr("e.g. my-reviews"));
  auto* parentRow = new QHBoxLayout;
  parentRow->addWidget(parent_, 1);
  parentRow->addWidget(browse);
  auto* form = new QFormLayout;
  form->addRow(tr("Create in"), parentRow);
  form->addRow(tr("Name"), name_);
  note_ = new QLabel(this);
  note_->setObjectName(QStringLiteral("newWorkspaceNote"));
  note_->setWordWrap(true);
  note_->setMinimumWidth(420);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  ok_ = buttons->button(QDialogButtonBox::Ok);
  ok_->setText(tr("Create"));
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addWidget(note_);
  layout->addWidget(buttons);

  connect(browse, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(
        this, tr("Folder to create the workspace in"), parent_->text());
    if (!dir.isEmpty()) parent_->setText(QDir::toNativeSeparators(dir));
  });
  connect(parent_, &QLineEdit::textChanged, this, &NewWorkspaceDialog::update);
  connect(name_, &QLineEdit::textChanged, this, &NewWorkspaceDialog::update);
  connect(buttons, &QDialogButtonBox::accepted, this, [this] {
    if (problem_.isEmpty()) accept();
  });
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  name_->setFocus();
  update();
}

QString NewWorkspaceDialog::path() const {
  const QString parent = QDir::fromNativeSeparators(parent_->text().trimmed());
  const QString name = name_->text().trimmed();
  if (parent.isEmpty() || name.isEmpty()) return {};
  return QDir::cleanPath(QFileInfo(QDir(parent).filePath(name)).absoluteFilePath());
}

QString NewWorkspaceDialog::noteText() const {
  return note_->text();
}

void NewWorkspaceDialog::update() {
  const QString parent = QDir::fromNativeSeparators(parent_->text().trimmed());
  const QString name = name_->text().trimmed();
  const QString target = path();
  QString note;
  if (parent.isEmpty())
    problem_ = tr("Choose the folder to create the workspace in.");
  else if (!QFileInfo(parent).isDir())
    problem_ = tr("%1: no such folder.").arg(QDir::toNativeSeparators(parent));
  else if (name.isEmpty())
    problem_ = tr("Name the new workspace.");
  else if (name.contains(QLatin1Char('/')) || name.contains(QLatin1Char('\\')) ||
           name == QLatin1String(".") || name == QLatin1String(".."))
    problem_ = tr("A name, not a path: without / or \\.");
  else
    problem_ = newWorkspaceProblem(target);
  if (problem_.isEmpty()) {
    const QDir dir(target);
    if (!QFileInfo::exists(target))
      note = tr("Creates the folder %1.").arg(QDir::toNativeSeparators(target));
    else if (dir.exists(QStringLiteral("files")))
      note = tr("%1 is a workspace already: it is opened as it is.")
                 .arg(QDir::toNativeSeparators(target));
    else
      note = tr("Uses the empty folder %1.").arg(QDir::toNativeSeparators(target));
  }
  note_->setText(problem_.isEmpty() ? note : problem_);
  ok_->setEnabled(problem_.isEmpty());
}
