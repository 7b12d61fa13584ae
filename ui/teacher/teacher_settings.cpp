#include "ui/teacher/teacher_settings.h"

#include <QCoreApplication>

#include <cmath>

#include "bert/teacher_options.h"
#include "core/error.h"
#include "ui/common/json_files.h"
#include "ui/common/option_form.h"

TeacherSettings readTeacherSettings(const QJsonObject& notes, const OptionForm& form) {
  TeacherSettings out;
  out.bertPath = notes.value(QStringLiteral("bert_path")).toString();
  QJsonObject recorded = notes.value(QStringLiteral("options")).toObject();
  // Notes written before the options went through the table kept max_seq_len beside them.
  const QString seqLen = QStringLiteral("max_seq_len");
  if (!recorded.contains(seqLen) && notes.contains(seqLen))
    recorded.insert(seqLen, notes.value(seqLen));
  try {
    kdw::finetune_option_table().from_json(out.options, fromQJson(recorded));
  } catch (const kdw::Error& e) {
    out.problem = QString::fromUtf8(e.what());
  } catch (const nlohmann::json::exception& e) {
    out.problem = QString::fromUtf8(e.what());
  }
  for (const kdw::OptionSpec& spec : form.specs())
    if (!recorded.contains(QString::fromStdString(spec.name)))
      out.unrecorded << form.label(spec.name);
  return out;
}

QStringList differingSettings(const OptionForm& form, const kdw::FinetuneOptions& teacher) {
  QStringList out;
  const auto& table = kdw::finetune_option_table();
  for (const kdw::OptionSpec& spec : form.specs()) {
    const kdw::OptionValue theirs = table.get(teacher, spec.name);
    const kdw::OptionValue shown = form.value(spec.name);
    bool same = theirs == shown;
    const auto* a = std::get_if<double>(&theirs);
    const auto* b = std::get_if<double>(&shown);
    if (a && b)  // the form rounds to its digits: 3.3333e-5 shows as 0.0000333
      same = std::abs(*a - *b) <= 0.5 * std::pow(10.0, -spec.decimals) * (1 + 1e-9);
    if (!same)
      out << QStringLiteral("%1 %2").arg(form.label(spec.name),
                                         QString::fromStdString(kdw::option_text(theirs)));
  }
  return out;
}
