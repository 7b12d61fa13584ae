// "Train the cut model on": the options of `kdw distill --restore_model_path CUT --epochs N` for a
// run's cut model, kept apart from the Compress panel's widgets for tests.
#pragma once

#include <QString>

#include "student/distill_options.h"

/// The run's own training options (its config.json; the table's defaults when it has none), with
/// the lasso off (no group lasso, schedule, ISS threshold or sparse tolerance: the shape is
/// chosen, the cut model only trains), `cutModel` restored at its shape for `epochs` epochs on
/// `dataPath`, and the run folder written beside the data as for any run (output_dir empty).
kdw::DistillOptions trainOnOptions(const QString& runDir, const QString& cutModel,
                                   const QString& dataPath, int epochs);
