// A panel's form fields saved to and restored from QSettings, one key per field, so each panel
// lists its fields once instead of writing a load and a save for every widget.
#pragma once

#include <QString>

#include <vector>

class QSettings;
class QWidget;

struct FormField {
  QString key;
  QWidget* widget;  ///< QSpinBox, QDoubleSpinBox, QComboBox (current text), QCheckBox or QLineEdit
};

/// Writes every field's value under `group`.
void saveFormFields(QSettings& settings, const QString& group,
                    const std::vector<FormField>& fields);
/// Sets every field that `group` holds a value for; the others keep their current value.
void loadFormFields(QSettings& settings, const QString& group,
                    const std::vector<FormField>& fields);

/// Moves a value saved under an older key to `to` (unless `to` holds one already), so that
/// settings from before a field's rename keep their value.
void renameSetting(QSettings& settings, const QString& from, const QString& to);
