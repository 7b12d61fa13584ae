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
  return preset == DistillPreset::ReadyForCompression
             ? QCoreApplication::translate("DistillPanel", "Ready for compression")
             : QCoreApplication::translate("DistillPanel", "Original scripts");
}

QString presetDescription(DistillPreset preset) {
  if (preset == DistillPreset::OriginalScripts)
    return QCoreApplication::translate(
        "DistillPanel",
        "Original scripts: the defaults of the original main.py (a wide student, no group "
        "lasso); few of its units can be cut afterwards.");
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
             "Ready for compression: the demo's settings (%1), trained with the ISS group lasso "
             "so that Compress can cut the units it weakened.")
      .arg(parts.join(QStringLiteral(", ")));
}
