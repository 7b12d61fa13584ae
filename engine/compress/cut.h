// Physically removing ISS components: a new, smaller StudentModel whose layers have fewer
// hidden units, with exactly the outputs of the original with those components zeroed.
#pragma once

#include <nlohmann/json.hpp>

#include "compress/cut_report.h"
#include "compress/selection.h"
#include "student/student_model.h"

namespace kdw {

/// Copies the kept rows of each layer's weight_ih / weight_hh / biases (all 4 gate blocks), the
/// kept columns of weight_hh, of the next layer's weight_ih (both directions) and of the
/// classifier. Throws kdw::Error for an invalid selection (see validate_selection).
StudentModel cut_student(const StudentModelImpl& model, const Selection& selection);

/// Parameters and bytes before/after, per-layer sizes before/after, removed units (the parts of
/// the report the cut itself knows; compress_run adds where the selection came from).
CutReport cut_report(const StudentModelImpl& before, const StudentModelImpl& after,
                     const Selection& selection);

/// Bytes of the parameters (numel x element size), as held in memory.
int64_t parameter_bytes(const StudentModelImpl& model);

}  // namespace kdw
