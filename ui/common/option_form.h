// A panel's form made from an engine option table (core/option_table.h): one widget per option
// the table shows on forms, named by the option (the settings key and the tests' handle), with
// the table's default, limits, label and help. Values go into the options struct through the
// table, which checks them as it does for the CLI.
#pragma once

#include <QString>

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/option_table.h"
#include "ui/common/form_settings.h"

class QGridLayout;
class QJsonObject;
class QObject;
class QWidget;

/// Label/field pairs (label nullptr: the field spans both cells, e.g. a check box) in as many
/// columns as the widget's width takes, up to `maxColumns`, filled top to bottom; its minimum
/// width is one column's, so a form never sets a wide window.
QWidget* makeFlowGrid(std::vector<std::pair<QWidget*, QWidget*>> cells, int maxColumns,
                      QWidget* parent);

/// `args` as a JSON object (option name: value).
QJsonObject optionArgsJson(const kdw::OptionArgs& args);

class OptionForm {
 public:
  OptionForm(std::vector<kdw::OptionSpec> specs, QWidget* parent);

  /// The option's widget, nullptr when the form does not show it.
  QWidget* widget(const std::string& name) const;
  /// The option's label (translated), empty when the form does not show it.
  QString label(const std::string& name) const;
  const std::vector<kdw::OptionSpec>& specs() const { return specs_; }
  /// Lays the label/widget pairs out in columns of `rows` rows.
  void addTo(QGridLayout* grid, int rows) const;
  /// The label/widget pairs in a makeFlowGrid of up to `maxColumns` columns, after the
  /// `leading` pairs (fields of the panel's own, e.g. a choice of preset values) and before the
  /// `trailing` ones (e.g. a note in the grid's last cell).
  QWidget* flowWidget(QWidget* parent, int maxColumns,
                      std::vector<std::pair<QWidget*, QWidget*>> leading = {},
                      std::vector<std::pair<QWidget*, QWidget*>> trailing = {}) const;
  /// The form's fields for QSettings, keyed by option name.
  std::vector<FormField> fields() const;

  /// Calls `changed` whenever a field's value changes (by the user or in code); `context`
  /// ends the connections.
  void onChanged(QObject* context, const std::function<void()>& changed) const;

  /// Shows the values `values` holds for the form's options (by name); the others stay.
  void setValues(const QJsonObject& values);
  kdw::OptionValue value(const std::string& name) const;
  void setValue(const std::string& name, const kdw::OptionValue& value);

  /// Copies every shown option into `o` (kdw::UsageError naming the field when one is refused).
  template <class O>
  void applyTo(const kdw::OptionTable<O>& table, O& o) const {
    for (const kdw::OptionSpec& s : specs_) table.set(o, s.name, value(s.name));
  }
  /// Shows the values `o` holds.
  template <class O>
  void show(const kdw::OptionTable<O>& table, const O& o) {
    for (const kdw::OptionSpec& s : specs_) setValue(s.name, table.get(o, s.name));
  }

 private:
  std::vector<kdw::OptionSpec> specs_;
  std::vector<std::pair<QString, QWidget*>> rows_;  ///< label, widget; in table order
};
