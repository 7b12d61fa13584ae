#include "ui/runs/run_list_model.h"

#include <QApplication>
#include <QColor>
#include <QStyle>

#include <cmath>

#include "ui/common/human_units.h"
#include "ui/common/staleness.h"

RunListModel::RunListModel(QObject* parent) : QAbstractTableModel(parent) {}

void RunListModel::setRoot(const QString& root) {
  root_ = root;
  reload();
}

void RunListModel::reload() {
  beginResetModel();
  runs_ = scanRuns(root_);
  stale_.clear();
  for (const RunInfo& r : runs_) stale_ << runStaleReason(r.path);
  endResetModel();
}

int RunListModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(runs_.size());
}

int RunListModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : Count;
}

QVariant RunListModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= runs_.size()) return {};
  const RunInfo& r = runs_.at(index.row());
  auto metric = [](double v) -> QVariant {
    return std::isnan(v) ? QVariant(QStringLiteral("–")) : QVariant(QString::number(v, 'f', 4));
  };
  const QString stale = stale_.value(index.row());
  if (role == Qt::ToolTipRole)
    return r.problem.isEmpty() ? (stale.isEmpty() ? r.path : stale + QLatin1Char('\n') + r.path)
                               : r.problem;
  // A stale student is marked on its name; the Distill panel redoes it in one click.
  if (role == Qt::DecorationRole && index.column() == Name && !stale.isEmpty())
    return QApplication::style()->standardIcon(QStyle::SP_MessageBoxWarning);
  if (role == Qt::ForegroundRole && !stale.isEmpty()) return QColor(0xa0, 0x40, 0x00);
  if (role == Qt::TextAlignmentRole && index.column() >= DevAcc)
    return int(Qt::AlignRight | Qt::AlignVCenter);
  if (role != Qt::DisplayRole) return {};
  switch (index.column()) {
    case Name:
      return r.name;
    case Type:
      return r.modelType.isEmpty() ? QStringLiteral("–") : r.modelType;
    case Options:
      return r.keyOptions();
    case DevAcc:
      return metric(r.bestDevAccuracy());
    case DevF1:
      return metric(r.bestDevMacroF1());
    case TestAcc:
      return metric(r.testAccuracy());
    case TestF1:
      return metric(r.testMacroF1());
    case Params:
      return r.parameters() < 0 ? QStringLiteral("–")
                                : QString::fromStdString(humanCount(r.parameters()));
    case Cut:
      return r.hasCut ? tr("yes") : QString();
    case Images:
      return r.images.isEmpty() ? QString() : QString::number(r.images.size());
  }
  return {};
}

QVariant RunListModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  static const char* const names[] = {"Run",      "Model type", "Options",    "Dev acc", "Dev F1",
                                      "Test acc", "Test F1",    "Parameters", "Cut",     "Images"};
  return section >= 0 && section < Count ? tr(names[section]) : QVariant();
}
