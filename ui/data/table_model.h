// A read-only model over a kdw::Table: rows are served on demand, so a million-row table costs
// nothing beyond the table itself (the view is virtualised).
#pragma once

#include <QAbstractTableModel>

#include <memory>

namespace kdw {
struct Table;
}

class TableModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  explicit TableModel(QObject* parent = nullptr);
  void setTable(std::shared_ptr<const kdw::Table> table);
  std::shared_ptr<const kdw::Table> table() const { return table_; }

  int rowCount(const QModelIndex& parent = QModelIndex()) const override;
  int columnCount(const QModelIndex& parent = QModelIndex()) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

 private:
  std::shared_ptr<const kdw::Table> table_;
};
