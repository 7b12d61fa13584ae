#include "ui/runs/run_list_model.h"

#include <cmath>

#include "ui/common/human_units.h"

RunListModel::RunListModel(QObject* parent) : QAbstractTableModel(parent) {}

void RunListModel::setRoot(const QString& root) {
  root_ = root;
  reload();
}

void RunListModel::reload() {
  beginResetModel();
  runs_ = scanRuns(root_);
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
  if (role == Qt::ToolTipRole) return r.problem.isEmpty() ? r.path : r.problem;
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
