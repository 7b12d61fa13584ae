#include "ui/distill/distill_presets.h"

#include <QCoreApplication>
#include <QStringList>

#include "core/demo_recipe.h"

kdw::DistillOptions presetOptions(DistillPreset preset) {
  kdw::DistillOptions o;  // the table's defaults: the original main.py's
  if (preset == DistillPreset::ReadyForCompression)
    kdw::apply_option_args(kdw::distill_option_table(), kdw::DemoRecipe().student, o);
  return o;
}

bool presetKeeps(const std::string& option) {
  return option == "model_type" || option == "data_path" || option == "restore_model_path" ||
         option == "output_dir" || option == "resume" || option == "device";
}

QString presetName(DistillPreset preset) {
  // Short: the choice sits in the form's first column, which is as wide as "stack_biLSTM"; a
  // wider one took a column off the form at 1024 px (two rows more). The tooltip says more.
  return preset == DistillPreset::ReadyForCompression
             ? QCoreApplication::translate("DistillPanel", "Compressible")
             : QCoreApplication::translate("DistillPanel", "Original");
}

QString presetDescription(DistillPreset preset) {
  if (preset == DistillPreset::OriginalScripts)
    return QCoreApplication::translate(
        "DistillPanel",
        "Original: the original main.py's defaults (a wide student, no group lasso); few "
        "of its units can be cut afterwards.");
  QStringList parts;
  const auto& table = kdw::distill_option_table();
  for (const auto& [name, value] : kdw::DemoRecipe().student) {
    const auto* entry = table.find(name);
    if (!entry) continue;  // none: presetOptions' apply_option_args refuses unknown names
    parts << QStringLiteral("%1 %2").arg(
        QCoreApplication::translate("options", entry->spec.label.c_str()),
        QString::fromStdString(kdw::option_text(value)));
  }
  return QCoreApplication::translate(
             "DistillPanel",
             "Compressible: ready for compression, the demo's settings (%1); the ISS group "
             "lasso weakens units that Compress then cuts.")
      .arg(parts.join(QStringLiteral(", ")));
}
