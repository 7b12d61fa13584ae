#include "ui/common/option_form.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QDoubleSpinBox>
#include <QGridLayout>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>

#include <algorithm>
#include <climits>
#include <cmath>

namespace {

// The spin boxes' limits from the table's range: an open end moves in by one shown step, an
// unbounded one stops at a value no option reaches.
QWidget* makeWidget(const kdw::OptionSpec& s, QWidget* parent) {
  switch (s.kind) {
    case kdw::OptionKind::kInteger: {
      auto* box = new QSpinBox(parent);
      box->setRange(int(std::max<int64_t>(s.min, INT_MIN)), int(std::min<int64_t>(s.max, INT_MAX)));
      return box;
    }
    case kdw::OptionKind::kNumber: {
      auto* box = new QDoubleSpinBox(parent);
      const double unit = std::pow(10.0, -s.decimals);
      box->setDecimals(s.decimals);
      box->setRange(s.range.lo + (s.range.lo_open ? unit : 0.0),
                    std::isinf(s.range.hi) ? 1e9 : s.range.hi - (s.range.hi_open ? unit : 0.0));
      if (s.step > 0)
        box->setSingleStep(s.step);
      else
        box->setStepType(QAbstractSpinBox::AdaptiveDecimalStepType);
      return box;
    }
    case kdw::OptionKind::kChoice: {
      auto* box = new QComboBox(parent);
      for (const std::string& c : s.choices) box->addItem(QString::fromStdString(c));
      return box;
    }
    case kdw::OptionKind::kFlag:  // a check box says what it is itself
      return new QCheckBox(QCoreApplication::translate("options", s.label.c_str()), parent);
    case kdw::OptionKind::kText:
    case kdw::OptionKind::kPath:
      break;
  }
  return new QLineEdit(parent);
}

// makeFlowGrid's widget: the column count is chosen again on each resize.
class FlowGrid : public QWidget {
 public:
  FlowGrid(std::vector<std::pair<QWidget*, QWidget*>> cells, int max, QWidget* parent)
      : QWidget(parent), cells_(std::move(cells)), max_(std::max(1, max)) {
    grid_ = new QGridLayout(this);
    grid_->setContentsMargins(0, 0, 0, 0);
    grid_->setSizeConstraint(QLayout::SetNoConstraint);
    arrange(max_);
  }
  // One column's width; the height of the columns shown now (narrower means taller).
  QSize minimumSizeHint() const override {
    return {widthFor(1, false), grid_->minimumSize().height()};
  }
  QSize sizeHint() const override { return {widthFor(max_, true), grid_->sizeHint().height()}; }

 protected:
  void resizeEvent(QResizeEvent* e) override {
    QWidget::resizeEvent(e);
    fit();
  }
  void showEvent(QShowEvent* e) override {
    QWidget::showEvent(e);
    fit();
  }

 private:
  // The most columns that fit the width. A hidden grid (a panel not shown) has no real width:
  // it keeps its columns rather than growing tall and raising its window's minimum height.
  void fit() {
    if (!isVisible()) return;
    int c = max_;
    while (c > 1 && widthFor(c, true) > width()) --c;  // preferred widths: nested grids too
    if (c != columns_) arrange(c);
  }
  int rowsFor(int columns) const { return (int(cells_.size()) + columns - 1) / columns; }
  // The width `columns` columns need: per column its widest label and field (at their preferred
  // or minimum widths).
  int widthFor(int columns, bool preferred) const {
    auto w = [preferred](const QWidget* x) {
      return preferred ? x->sizeHint().width() : x->minimumSizeHint().width();
    };
    const int rows = rowsFor(columns), gap = std::max(grid_->horizontalSpacing(), 0);
    int total = 0;
    for (int c = 0; c * rows < int(cells_.size()); ++c) {
      int label = 0, field = 0, both = 0;
      for (int i = c * rows; i < std::min(int(cells_.size()), (c + 1) * rows); ++i) {
        const auto& [l, f] = cells_[std::size_t(i)];
        if (l) {
          label = std::max(label, w(l));
          field = std::max(field, w(f));
        } else {
          both = std::max(both, w(f));
        }
      }
      total += (c ? gap : 0) + std::max(label + gap + field, both);
    }
    return total;
  }
  void arrange(int columns) {
    for (const auto& [l, f] : cells_) {
      if (l) grid_->removeWidget(l);
      grid_->removeWidget(f);
    }
    for (int c = 0; c < 2 * columns_; ++c) grid_->setColumnStretch(c, 0);
    columns_ = columns;
    const int rows = rowsFor(columns);
    for (int i = 0; i < int(cells_.size()); ++i) {
      const int row = i % rows, col = (i / rows) * 2;
      const auto& [l, f] = cells_[std::size_t(i)];
      if (l) {
        grid_->addWidget(l, row, col, Qt::AlignRight);
        grid_->addWidget(f, row, col + 1);
      } else {
        grid_->addWidget(f, row, col, 1, 2);
      }
      grid_->setColumnStretch(col + 1, 1);  // spare width to the fields
    }
    updateGeometry();
  }

  std::vector<std::pair<QWidget*, QWidget*>> cells_;
  QGridLayout* grid_ = nullptr;
  int max_ = 1, columns_ = 0;
};

}  // namespace

OptionForm::OptionForm(std::vector<kdw::OptionSpec> specs, QWidget* parent) {
  for (kdw::OptionSpec& s : specs) {
    if (!s.on_form()) continue;
    QWidget* w = makeWidget(s, parent);
    w->setObjectName(QString::fromStdString(s.name));
    w->setToolTip(QString::fromStdString(s.help));
    rows_.emplace_back(QCoreApplication::translate("options", s.label.c_str()), w);
    specs_.push_back(std::move(s));
    setValue(specs_.back().name, specs_.back().default_value);
  }
}

QWidget* OptionForm::widget(const std::string& name) const {
  for (std::size_t i = 0; i < specs_.size(); ++i)
    if (specs_[i].name == name) return rows_[i].second;
  return nullptr;
}

QString OptionForm::label(const std::string& name) const {
  for (std::size_t i = 0; i < specs_.size(); ++i)
    if (specs_[i].name == name) return rows_[i].first;
  return {};
}

void OptionForm::addTo(QGridLayout* grid, int rows) const {
  for (int i = 0; i < int(rows_.size()); ++i) {
    const int row = i % rows, col = (i / rows) * 2;
    if (specs_[i].kind == kdw::OptionKind::kFlag) {
      grid->addWidget(rows_[i].second, row, col, 1, 2);
      continue;
    }
    grid->addWidget(new QLabel(rows_[i].first, grid->parentWidget()), row, col, Qt::AlignRight);
    grid->addWidget(rows_[i].second, row, col + 1);
  }
}

QWidget* OptionForm::flowWidget(QWidget* parent, int maxColumns,
                                std::vector<std::pair<QWidget*, QWidget*>> leading,
                                std::vector<std::pair<QWidget*, QWidget*>> trailing) const {
  std::vector<std::pair<QWidget*, QWidget*>> cells = std::move(leading);
  for (std::size_t i = 0; i < rows_.size(); ++i) {
    // Labels without a parent until the grid takes them (a check box is its own label).
    QWidget* label =
        specs_[i].kind == kdw::OptionKind::kFlag ? nullptr : new QLabel(rows_[i].first);
    cells.emplace_back(label, rows_[i].second);
  }
  cells.insert(cells.end(), trailing.begin(), trailing.end());
  return makeFlowGrid(std::move(cells), maxColumns, parent);
}

QWidget* makeFlowGrid(std::vector<std::pair<QWidget*, QWidget*>> cells, int maxColumns,
                      QWidget* parent) {
  return new FlowGrid(std::move(cells), maxColumns, parent);
}

std::vector<FormField> OptionForm::fields() const {
  std::vector<FormField> out;
  for (std::size_t i = 0; i < specs_.size(); ++i)
    out.push_back({QString::fromStdString(specs_[i].name), rows_[i].second});
  return out;
}

void OptionForm::onChanged(QObject* context, const std::function<void()>& changed) const {
  for (const auto& row : rows_) {
    QWidget* w = row.second;
    if (auto* b = qobject_cast<QSpinBox*>(w))
      QObject::connect(b, &QSpinBox::valueChanged, context, changed);
    else if (auto* b = qobject_cast<QDoubleSpinBox*>(w))
      QObject::connect(b, &QDoubleSpinBox::valueChanged, context, changed);
    else if (auto* b = qobject_cast<QComboBox*>(w))
      QObject::connect(b, &QComboBox::currentTextChanged, context, changed);
    else if (auto* b = qobject_cast<QCheckBox*>(w))
      QObject::connect(b, &QCheckBox::toggled, context, changed);
    else if (auto* b = qobject_cast<QLineEdit*>(w))
      QObject::connect(b, &QLineEdit::textChanged, context, changed);
  }
}

kdw::OptionValue OptionForm::value(const std::string& name) const {
  QWidget* w = widget(name);
  if (auto* b = qobject_cast<QSpinBox*>(w)) return int64_t(b->value());
  if (auto* b = qobject_cast<QDoubleSpinBox*>(w)) return b->value();
  if (auto* b = qobject_cast<QComboBox*>(w)) return b->currentText().toStdString();
  if (auto* b = qobject_cast<QCheckBox*>(w)) return b->isChecked();
  if (auto* b = qobject_cast<QLineEdit*>(w)) return b->text().toStdString();
  return {};
}

void OptionForm::setValue(const std::string& name, const kdw::OptionValue& v) {
  QWidget* w = widget(name);
  if (auto* b = qobject_cast<QSpinBox*>(w)) {
    if (const auto* i = std::get_if<int64_t>(&v))
      b->setValue(int(std::clamp<int64_t>(*i, INT_MIN, INT_MAX)));
  } else if (auto* b = qobject_cast<QDoubleSpinBox*>(w)) {
    if (const auto* d = std::get_if<double>(&v)) b->setValue(*d);
  } else if (auto* b = qobject_cast<QComboBox*>(w)) {
    if (const auto* s = std::get_if<std::string>(&v)) b->setCurrentText(QString::fromStdString(*s));
  } else if (auto* b = qobject_cast<QCheckBox*>(w)) {
    if (const auto* f = std::get_if<bool>(&v)) b->setChecked(*f);
  } else if (auto* b = qobject_cast<QLineEdit*>(w)) {
    if (const auto* s = std::get_if<std::string>(&v)) b->setText(QString::fromStdString(*s));
  }
}

void OptionForm::setValues(const QJsonObject& values) {
  for (const kdw::OptionSpec& s : specs_) {
    const QJsonValue v = values.value(QString::fromStdString(s.name));
    if (v.isBool())
      setValue(s.name, v.toBool());
    else if (v.isDouble() && s.kind == kdw::OptionKind::kInteger)
      setValue(s.name, int64_t(v.toDouble()));
    else if (v.isDouble())
      setValue(s.name, v.toDouble());
    else if (v.isString())
      setValue(s.name, v.toString().toStdString());
  }
}

QJsonObject optionArgsJson(const kdw::OptionArgs& args) {
  QJsonObject out;
  for (const auto& [name, value] : args) {
    const QString key = QString::fromStdString(name);
    if (const auto* b = std::get_if<bool>(&value))
      out.insert(key, *b);
    else if (const auto* i = std::get_if<int64_t>(&value))
      out.insert(key, qint64(*i));
    else if (const auto* d = std::get_if<double>(&value))
      out.insert(key, *d);
    else if (const auto* t = std::get_if<std::string>(&value))
      out.insert(key, QString::fromStdString(*t));
  }
  return out;
}
