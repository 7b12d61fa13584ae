// A job's events as JSON lines, one object per line: how `kdw <verb> --progress json` reports a
// job on stdout and how the GUI, which runs multi-process jobs through kdw, reads it back into
// its own JobContext (progress, metric records, the typed result, the error). One definition of
// the format for both sides:
//   {"event":"progress","stage":"epoch 1/2","done":3,"total":9,"message":"loss 0.41"}
//   {"event":"metric","record":{...a metrics.jsonl record...}}
//   {"event":"result","result":{...the verb's result...}}
//   {"event":"cancelled","result":{...what was kept, or null...}}
//   {"event":"error","message":"one line","rank":1}   (rank: -1 for the --nproc launcher;
//                                                      "failed_rank": the rank it names)
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/job.h"

namespace kdw {

struct JobEvent {
  enum class Kind { kProgress, kMetric, kResult, kCancelled, kError };
  Kind kind = Kind::kProgress;
  ProgressEvent progress;  ///< kProgress
  nlohmann::json data;     ///< kMetric: the record; kResult, kCancelled: the result (or null)
  std::string message;     ///< kError
  int rank = 0;            ///< kError: the rank that failed; -1: the --nproc launcher
  int failed_rank = -1;    ///< kError from the launcher: the rank it names, -1 when none
};

/// The event as one line (no newline); text that is not valid UTF-8 is replaced, never thrown.
std::string job_event_line(const JobEvent& event);
/// Reads one line written by job_event_line; nullopt for any other line (a log line, a blank).
std::optional<JobEvent> read_job_event(const std::string& line);

/// Convenience makers.
JobEvent progress_event(const ProgressEvent& progress);
JobEvent metric_event(const nlohmann::json& record);
JobEvent result_event(const nlohmann::json& result);
JobEvent cancelled_event(const nlohmann::json& partial);
JobEvent error_event(const std::string& message, int rank, int failed_rank = -1);

}  // namespace kdw
