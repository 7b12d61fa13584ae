#include "ui/jobs/kdw_process.h"

#include <signal.h>

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QProcess>
#include <QProcessEnvironment>
#include <QSettings>
#include <QThread>

#include <algorithm>
#include <cstring>
#include <optional>
#include <vector>

#include "core/job_events.h"
#include "core/log.h"
#include "dist/dist_options.h"

namespace {

bool isProgram(const QString& path) {
  const QFileInfo info(path);
  return info.isFile() && info.isExecutable();
}

// Complete lines of a byte stream that arrives in pieces.
class LineBuffer {
 public:
  void add(const QByteArray& bytes) { pending_ += bytes; }
  /// The next complete line (without its newline); nullopt when none yet. At the end of the
  /// stream (`flush`), the unterminated rest too.
  std::optional<std::string> next(bool flush = false) {
    const qsizetype end = pending_.indexOf('\n');
    if (end < 0 && (!flush || pending_.isEmpty())) return std::nullopt;
    const qsizetype length = end < 0 ? pending_.size() : end;
    std::string line = pending_.left(length).toStdString();
    pending_.remove(0, end < 0 ? length : length + 1);
    return line;
  }

 private:
  QByteArray pending_;
};

// kdw's console log lines ("[warning] text") into the GUI's log at their level.
void forwardLogLine(const std::string& line) {
  if (line.empty()) return;
  static const std::pair<const char*, kdw::log::Level> kLevels[] = {
      {"[trace] ", kdw::log::Level::trace}, {"[debug] ", kdw::log::Level::debug},
      {"[info] ", kdw::log::Level::info},   {"[warning] ", kdw::log::Level::warn},
      {"[error] ", kdw::log::Level::error}, {"[critical] ", kdw::log::Level::error}};
  for (const auto& [prefix, level] : kLevels)
    if (line.rfind(prefix, 0) == 0) {
      kdw::log::write(level, "kdw: {}", line.substr(std::strlen(prefix)));
      return;
    }
  kdw::log::info("{}", line);  // kdw's own lines already start with "kdw: "
}

// What the events and the error output of one kdw run said.
struct Reports {
  KdwOutcome outcome;
  bool has_result = false;
  std::vector<kdw::JobEvent> errors;  // in the order written
  std::string last_error_line;        // the last "kdw: ..." line of stderr

  void event(const kdw::JobEvent& e, kdw::JobContext& job) {
    switch (e.kind) {
      case kdw::JobEvent::Kind::kProgress:
        job.progress(e.progress.stage, e.progress.done, e.progress.total, e.progress.message);
        break;
      case kdw::JobEvent::Kind::kMetric:
        job.metric(e.data);
        break;
      case kdw::JobEvent::Kind::kResult:
        outcome.result = e.data;
        has_result = true;
        break;
      case kdw::JobEvent::Kind::kCancelled:
        outcome.result = e.data;
        outcome.cancelled = true;
        break;
      case kdw::JobEvent::Kind::kError:
        errors.push_back(e);
        break;
    }
  }

  // The one line for the job: the failed rank's own message, which says why; the launcher's
  // (which names the rank and how it ended) when that rank wrote none, e.g. when it was killed.
  std::string error(int code) const {
    const kdw::JobEvent* launcher = nullptr;
    for (const auto& e : errors)
      if (e.rank < 0) launcher = &e;
    for (const auto& e : errors)
      if (e.rank >= 0 &&
          (!launcher || launcher->failed_rank < 0 || e.rank == launcher->failed_rank))
        return e.message;
    if (launcher) return launcher->message;
    if (!last_error_line.empty()) return last_error_line;
    return code < 0 ? "kdw crashed" : "kdw exited with code " + std::to_string(code);
  }
};

}  // namespace

QString findKdwProgram(const QString& appDir) {
  const QString chosen = qEnvironmentVariable("KDW_CLI");
  if (!chosen.isEmpty()) {
    if (isProgram(chosen)) return chosen;
    throw kdw::Error("the kdw program is missing: " + chosen.toStdString() +
                     " (named by KDW_CLI) is not an executable file");
  }
  const QStringList candidates = {QDir(appDir).filePath(QStringLiteral("kdw")),
                                  QDir(appDir).filePath(QStringLiteral("../kdw/kdw"))};
  for (const QString& path : candidates)
    if (isProgram(path)) return QDir::cleanPath(path);
  throw kdw::Error("the kdw program is missing: it is needed beside kdw-gui (" +
                   QDir::cleanPath(candidates[0]).toStdString() + " or " +
                   QDir::cleanPath(candidates[1]).toStdString() +
                   ") to run a job as several processes; install it, or set Workers to 1 in "
                   "Preferences");
}

QString kdwProgram() {
  return findKdwProgram(QCoreApplication::applicationDirPath());
}

QStringList workerFlags(int workers) {
  // The threads the Preferences give jobs (0: all cores), shared by the workers.
  const int threads = QSettings().value(QStringLiteral("threads"), 0).toInt();
  const int total = threads > 0 ? threads : QThread::idealThreadCount();
  kdw::dist::DistOptions dist;
  dist.nproc = workers;
  QStringList flags;
  for (const std::string& arg : kdw::dist::dist_option_table().to_cli_args(dist))
    flags << QString::fromStdString(arg);
  return flags << QStringLiteral("--threads")
               << QString::number(std::max(1, total / std::max(1, workers)))
               << QStringLiteral("--progress") << QStringLiteral("json");
}

KdwOutcome runKdw(const QStringList& args, kdw::JobContext& job) {
  const QString program = kdwProgram();
  QProcess process;
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  // kdw launches the workers itself: it must not join a job this program was started in.
  for (const char* name : {"RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"})
    env.remove(QString::fromLatin1(name));
  process.setProcessEnvironment(env);
  process.start(program, args);
  if (!process.waitForStarted(30000))
    throw kdw::Error("cannot start " + program.toStdString() + ": " +
                     process.errorString().toStdString());
  kdw::log::info("started {} {}", program.toStdString(), args.join(QLatin1Char(' ')).toStdString());

  Reports reports;
  LineBuffer out, err;
  const auto drain = [&](bool flush) {
    out.add(process.readAllStandardOutput());
    err.add(process.readAllStandardError());
    while (const auto line = out.next(flush))
      if (const auto event = kdw::read_job_event(*line)) reports.event(*event, job);
    while (const auto line = err.next(flush)) {
      if (line->rfind("kdw: ", 0) == 0) reports.last_error_line = line->substr(5);
      forwardLogLine(*line);
    }
  };
  // The job's cancel goes to the launcher as a Ctrl-C (it passes it on to every worker, which
  // stop after the same step); a second one after a while aborts workers that do not stop.
  int interrupts = 0;
  QElapsedTimer sinceInterrupt;
  while (process.state() != QProcess::NotRunning) {
    if (job.cancel_requested() &&
        (interrupts == 0 || (interrupts == 1 && sinceInterrupt.elapsed() > 20000))) {
      ::kill(pid_t(process.processId()), SIGINT);
      ++interrupts;
      sinceInterrupt.start();
    }
    process.waitForFinished(100);  // reads both pipes while it waits
    drain(false);
  }
  drain(true);

  const int code = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
  if (code == 0 && reports.has_result) return reports.outcome;
  if (interrupts > 0 || code == 130 || reports.outcome.cancelled) {
    reports.outcome.cancelled = true;
    return reports.outcome;
  }
  throw kdw::Error(reports.error(code));
}
