// The Distill form's two starting points: the original scripts' defaults (the option table's:
// a wide student, no group lasso) and the settings ready for compression, which are the demo
// recipe's student settings (engine/core/demo_recipe.h, their one definition): a student trained
// with the ISS group lasso, whose weak units Compress can cut.
#pragma once

#include <QString>

#include <string>

#include "student/distill_options.h"

enum class DistillPreset { OriginalScripts = 0, ReadyForCompression = 1 };

/// The options of `preset`; the options presetKeeps() names are left at their defaults.
kdw::DistillOptions presetOptions(DistillPreset preset);

/// True for the options a preset leaves as the user set them: the student type and the paths
/// (data, model to start from, output folder) say what to train, not how.
bool presetKeeps(const std::string& option);

/// The preset's name on the form ("Original", "Compressible").
QString presetName(DistillPreset preset);

/// One line for the tooltip: what the preset sets, read from the table and the recipe.
QString presetDescription(DistillPreset preset);
