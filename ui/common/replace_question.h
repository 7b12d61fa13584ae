// Asking before a job replaces an output the user made (a fine-tuned teacher, the logits, a cut
// model): Replace, Keep the old one under a new name (kdw::keep_aside), or Cancel. The dialog
// is a real QMessageBox whose buttons have object names, so tests answer it by clicking.
#pragma once

#include <QString>
#include <QStringList>

class QWidget;

/// Object names of the buttons of confirmReplace's dialog.
inline constexpr const char* kReplaceButton = "replaceButton";
inline constexpr const char* kKeepButton = "keepButton";
inline constexpr const char* kCancelButton = "cancelButton";

/// When any of `paths` exists, asks whether the job about to start may replace `what` (e.g.
/// "the fine-tuned teacher"). Keep moves every existing path aside first. Returns true when the
/// job may start; false on Cancel, or when keeping failed (`error` then says why).
bool confirmReplace(QWidget* parent, const QString& what, const QStringList& paths,
                    QString* error = nullptr);

/// Object names of the buttons of confirmStopJobs's dialog.
inline constexpr const char* kStopJobsButton = "stopJobsButton";
inline constexpr const char* kKeepWorkingButton = "keepWorkingButton";

/// Asks whether `action` ("quit", "open another workspace") may cancel the running job `job`
/// (and `queued` more waiting). True: cancel them.
bool confirmStopJobs(QWidget* parent, const QString& action, const QString& job, int queued);
