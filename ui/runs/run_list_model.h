// The Runs browser's table: one row per run folder of the workspace.
#pragma once

#include <QAbstractTableModel>
#include <QList>
#include <QStringList>

#include "ui/common/run_info.h"

class RunListModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column { Name, Type, Options, DevAcc, DevF1, TestAcc, TestF1, Params, Cut, Images, Count };

  explicit RunListModel(QObject* parent = nullptr);
  /// Rescans the workspace.
  void setRoot(const QString& root);
  void reload();
  const QString& root() const { return root_; }
  const RunInfo& run(int row) const { return runs_.at(row); }
  const QList<RunInfo>& runs() const { return runs_; }
  /// Why the run's student is stale (ui/common/staleness.h), empty when it is not.
  QString staleReason(int row) const { return stale_.value(row); }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

 private:
  QString root_;
  QList<RunInfo> runs_;
  QStringList stale_;  ///< per run, read with the runs
};
