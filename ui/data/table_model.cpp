#include "ui/data/table_model.h"

#include "data/table.h"

TableModel::TableModel(QObject* parent) : QAbstractTableModel(parent) {}

void TableModel::setTable(std::shared_ptr<const kdw::Table> table) {
  beginResetModel();
  table_ = std::move(table);
  endResetModel();
}

int TableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() || !table_ ? 0 : int(table_->rows.size());
}

int TableModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() || !table_ ? 0 : int(table_->columns.size());
}

QVariant TableModel::data(const QModelIndex& index, int role) const {
  if (!table_ || !index.isValid() || index.row() >= int(table_->rows.size())) return {};
  const auto& row = table_->rows[size_t(index.row())];
  if (index.column() >= int(row.size())) return {};
  const std::string& cell = row[size_t(index.column())];
  if (role == Qt::DisplayRole) {
    // One line, shortened: long texts would make rows tall and slow to lay out.
    QString text = QString::fromUtf8(cell.data(), int(std::min<size_t>(cell.size(), 400)));
    text.replace(QLatin1Char('\n'), QLatin1Char(' '));
    return text;
  }
  if (role == Qt::ToolTipRole)
    return QString::fromUtf8(cell.data(), int(std::min<size_t>(cell.size(), 4000)));
  return {};
}

QVariant TableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (role != Qt::DisplayRole || !table_) return {};
  if (orientation == Qt::Horizontal)
    return section < int(table_->columns.size())
               ? QString::fromStdString(table_->columns[size_t(section)])
               : QVariant();
  return section < int(table_->row_lines.size())
             ? QVariant(qlonglong(table_->row_lines[size_t(section)]))
             : QVariant(section + 1);
}
