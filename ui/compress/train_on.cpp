#include "ui/compress/train_on.h"

#include "ui/common/device_setting.h"
#include "ui/common/run_info.h"

kdw::DistillOptions trainOnOptions(const QString& runDir, const QString& cutModel,
                                   const QString& dataPath, int epochs) {
  const RunInfo run = readRunInfo(runDir);
  kdw::DistillOptions o = run.options.value_or(kdw::DistillOptions());
  if (!run.modelType.isEmpty()) o.model_type = kdw::parse_student_type(run.modelType.toStdString());
  o.group_lasso = 0;
  o.lasso_warmup = 0;
  o.lasso_ramp = 0;
  o.iss_threshold = 0;
  o.sparse_tolerance = 0;
  o.emb_from_teacher = false;  // would overwrite the trained embeddings
  o.restore_model_path = cutModel.toStdString();
  o.data_path = dataPath.toStdString();
  o.output_dir.clear();
  o.epochs = epochs;
  o.device = jobDevice();
  return o;
}
