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

/// Object name of askTakenName's "Another name" button (Keep and Cancel: kKeepButton,
/// kCancelButton).
inline constexpr const char* kOtherNameButton = "otherNameButton";

enum class TakenName { KeptAside, OtherName, Cancelled };

/// A new `what` (e.g. "the BERT folder") is about to be written at `path`, which exists and is
/// never replaced: asks whether to keep the old one under a new name (kdw::keep_aside, done
/// here, as confirmReplace's Keep), to choose another name, or to cancel. Cancelled also when
/// keeping failed (`error` then says why).
TakenName askTakenName(QWidget* parent, const QString& what, const QString& path,
                       QString* error = nullptr);

/// Object names of the buttons of confirmStopJobs's dialog.
inline constexpr const char* kStopJobsButton = "stopJobsButton";
inline constexpr const char* kKeepWorkingButton = "keepWorkingButton";

/// Asks whether `action` ("quit", "open another workspace") may cancel the running job `job`
/// (and `queued` more waiting). True: cancel them.
bool confirmStopJobs(QWidget* parent, const QString& action, const QString& job, int queued);
