#include "ui/common/form_settings.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QSettings>
#include <QSpinBox>

namespace {

QVariant fieldValue(const QWidget* w) {
  if (auto* b = qobject_cast<const QSpinBox*>(w)) return b->value();
  if (auto* b = qobject_cast<const QDoubleSpinBox*>(w)) return b->value();
  if (auto* b = qobject_cast<const QComboBox*>(w)) return b->currentText();
  if (auto* b = qobject_cast<const QCheckBox*>(w)) return b->isChecked();
  if (auto* b = qobject_cast<const QLineEdit*>(w)) return b->text();
  Q_ASSERT_X(false, "fieldValue", "unsupported form widget");
  return {};
}

void setFieldValue(QWidget* w, const QVariant& v) {
  if (auto* b = qobject_cast<QSpinBox*>(w))
    b->setValue(v.toInt());
  else if (auto* b = qobject_cast<QDoubleSpinBox*>(w))
    b->setValue(v.toDouble());
  else if (auto* b = qobject_cast<QComboBox*>(w))
    b->setCurrentText(v.toString());
  else if (auto* b = qobject_cast<QCheckBox*>(w))
    b->setChecked(v.toBool());
  else if (auto* b = qobject_cast<QLineEdit*>(w))
    b->setText(v.toString());
}

}  // namespace

void saveFormFields(QSettings& settings, const QString& group,
                    const std::vector<FormField>& fields) {
  settings.beginGroup(group);
  for (const FormField& f : fields) settings.setValue(f.key, fieldValue(f.widget));
  settings.endGroup();
}

void loadFormFields(QSettings& settings, const QString& group,
                    const std::vector<FormField>& fields) {
  settings.beginGroup(group);
  for (const FormField& f : fields)
    if (settings.contains(f.key)) setFieldValue(f.widget, settings.value(f.key));
  settings.endGroup();
}

void renameSetting(QSettings& settings, const QString& from, const QString& to) {
  if (!settings.contains(from)) return;
  if (!settings.contains(to)) settings.setValue(to, settings.value(from));
  settings.remove(from);
}
