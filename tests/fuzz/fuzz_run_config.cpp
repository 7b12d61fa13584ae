// A run folder's config.json, with result.json and metrics.jsonl beside it, as the Runs browser
// and the Distill panel read them (ui/common/run_info.* through the engine's RunFolder and typed
// reports, ui/common/json_files.*): three files cut from the input at the separator, the run's
// recorded shape ("arch", RunFolder::read_arch) included. These readers never throw; any
// exception is a finding.
#include <QString>

#include "fuzz_util.h"
#include "ui/common/json_files.h"
#include "ui/common/run_info.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto parts = kdw_fuzz::split(data, size, 3);
  const auto dir = kdw_fuzz::scratch() / "2026-01-02___03-04-05";
  std::filesystem::create_directories(dir);
  kdw_fuzz::put("2026-01-02___03-04-05/config.json", parts[0]);
  kdw_fuzz::put("2026-01-02___03-04-05/result.json", parts[1]);
  kdw_fuzz::put("2026-01-02___03-04-05/metrics.jsonl", parts[2]);
  const QString run = QString::fromStdString(dir.string());
  const RunInfo info = readRunInfo(run);
  info.keyOptions();
  info.shapeText();
  info.startedFrom();
  info.bestDevAccuracy();
  info.testMacroF1();
  info.parameters();
  info.optionTexts();
  differingOptions({info, RunInfo{}});
  runCurves(readMetrics(run));
  readJsonObjectFile(run + QStringLiteral("/config.json"));
  return 0;
}
