// The settings the workspace's fine-tuned teacher was trained with (finetune.json's options),
// read through the option table the Teacher panel's form is made from, and how the form's
// values differ from them.
#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include "bert/finetune.h"

class OptionForm;

struct TeacherSettings {
  kdw::FinetuneOptions options;  ///< as recorded; the table's defaults where not recorded
  QStringList unrecorded;        ///< labels of the form's options finetune.json does not hold
  QString bertPath;              ///< the folder it started from, as recorded
  QString problem;               ///< not empty: the options could not be read (and why)
};

/// Reads finetune.json's content `notes` for the options `form` shows.
TeacherSettings readTeacherSettings(const QJsonObject& notes, const OptionForm& form);

/// "Label value" of each option `form` shows with another value than `teacher`'s (numbers
/// compared at the digits the form shows).
QStringList differingSettings(const OptionForm& form, const kdw::FinetuneOptions& teacher);
