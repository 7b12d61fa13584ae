// A job run by the `kdw` command-line program beside kdw-gui, as N local processes (`kdw <verb>
// --nproc N`, data parallel; docs/distributed.md), shown as one job: kdw reports with
// `--progress json` (core/job_events.h) and rank 0's progress and metric records reach the job's
// JobContext as an in-process job's do; its result comes back typed; the job's cancel stops every
// worker (SIGINT to the launcher, which passes it on) and hands back what was kept; a worker's
// one-line error becomes the job's error.
#pragma once

#include <QString>
#include <QStringList>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/job.h"

/// The `kdw` program for the app in `appDir`: $KDW_CLI when set (as it is); else `kdw` beside
/// it (installed: <prefix>/bin/kdw-gui and <prefix>/bin/kdw) or the build tree's
/// app/kdw/kdw beside app/gui/. Throws kdw::Error saying where it looked when there is none.
QString findKdwProgram(const QString& appDir);
/// findKdwProgram for this application.
QString kdwProgram();

/// The flags that make kdw run `workers` local processes that together use the threads the
/// Preferences give the GUI's jobs: the dist option table's records written as flags
/// ("--nproc=N", ...), then "--threads", T, "--progress", "json".
QStringList workerFlags(int workers);

struct KdwOutcome {
  nlohmann::json result;   ///< the result event's, or a cancelled job's partial result (or null)
  bool cancelled = false;  ///< the job was cancelled (by `job` or by a signal to kdw)
};

/// Runs `kdw <args>` (args: the verb, its options and workerFlags()) and blocks until it ends,
/// on the job's worker thread. Throws kdw::Error: no kdw program, it cannot start, or the job's
/// error (the failing rank's own line where it wrote one).
KdwOutcome runKdw(const QStringList& args, kdw::JobContext& job);

/// runKdw with the result read as `T` (kdw::DistillResult, kdw::FinetuneResult): a cancel
/// throws kdw::CancelledWithResult with the kept result (kdw::Cancelled when none), as the
/// in-process job does.
template <class T>
T runKdwJob(const QStringList& args, kdw::JobContext& job) {
  const KdwOutcome out = runKdw(args, job);
  if (out.cancelled) {
    if (!out.result.is_object()) throw kdw::Cancelled();
    throw kdw::CancelledWithResult(out.result.get<T>());
  }
  if (!out.result.is_object()) throw kdw::Error("kdw ended without a result");
  return out.result.get<T>();
}
