#include "ui/shell/help_dialogs.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QLabel>
#include <QTextBrowser>
#include <QVBoxLayout>
#include <QtGlobal>

#include <ATen/Parallel.h>
#include <torch/version.h>

#include "core/device.h"
#include "core/threads.h"
#include "ui/common/device_setting.h"

#ifndef KDW_VERSION
#define KDW_VERSION "unknown"
#endif

QStringList aboutFacts() {
  const std::string blas = kdw::loaded_blas_file();
  const bool cuda = kdw::cuda_available();
  return {
      QStringLiteral("KD Workbench %1").arg(QStringLiteral(KDW_VERSION)),
      QStringLiteral("LibTorch %1").arg(QStringLiteral(TORCH_VERSION)),
      QStringLiteral("Qt %1").arg(QString::fromLatin1(qVersion())),
      QStringLiteral("BLAS %1").arg(blas.empty() ? QObject::tr("built into LibTorch")
                                                 : QString::fromStdString(blas)),
      QObject::tr("Threads %1 (of %2 cores)").arg(at::get_num_threads()).arg(kdw::core_count()),
      QObject::tr("Device %1 (CUDA %2)")
          .arg(QString::fromStdString(jobDevice()),
               cuda ? QObject::tr("available") : QObject::tr("not available")),
  };
}

QString helpText() {
  return QObject::tr(
      "<h3>KD Workbench</h3>"
      "<p>Distils a fine-tuned BERT teacher into a small LSTM student, then cuts the student's "
      "weakest units. The panels follow the pipeline, top to bottom (Ctrl+1 … Ctrl+6):</p>"
      "<ol>"
      "<li><b>Data</b>: choose a CSV/TSV of your own, its text and label columns and the "
      "train : dev : test split; <i>Prepare</i> writes the tokenised splits.</li>"
      "<li><b>Teacher</b>: fine-tunes a BERT folder on the training split; the dev curves show "
      "every epoch and the kept one.</li>"
      "<li><b>Logits</b>: stores the teacher's outputs for every training sample (what the "
      "student learns from).</li>"
      "<li><b>Distill</b>: trains a student on the logits; group lasso and the sparse tolerance "
      "make it sparse (<i>Settings: Compressible</i> fills the form with the demo's "
      "settings, whose student Compress can cut well). The dashed line on the curves is the kept "
      "epoch; the run's result under "
      "them says why it was kept.</li>"
      "<li><b>Compress</b>: shows the student's weights as heatmaps; pick units to remove, "
      "<i>Cut &amp; Evaluate</i> writes the smaller model and compares it.</li>"
      "<li><b>Runs</b>: every run of the workspace, their results side by side, curves "
      "compared.</li>"
      "</ol>"
      "<p>Jobs run one at a time; the status bar shows the running one (whole-job progress and "
      "ETA), its queue button the job list, where each job can be cancelled alone. The log dock "
      "keeps every message; its <i>Errors</i> filter lists failed jobs.</p>"
      "<p>Charts: hover for values, wheel to zoom, drag to pan, double-click to reset; the "
      "right-click menu exports PNG or CSV.</p>");
}

namespace {
QDialog* makeWindow(QWidget* parent, const QString& title, QWidget* content) {
  auto* dialog = new QDialog(parent);
  dialog->setWindowTitle(title);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  dialog->setModal(false);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
  QObject::connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::close);
  auto* layout = new QVBoxLayout(dialog);
  content->setParent(dialog);
  layout->addWidget(content, 1);
  layout->addWidget(buttons);
  return dialog;
}
}  // namespace

void showAbout(QWidget* parent) {
  auto* label = new QLabel(aboutFacts().join(QStringLiteral("<br>")));
  label->setTextInteractionFlags(Qt::TextSelectableByMouse);
  QDialog* dialog = makeWindow(parent, QObject::tr("About KD Workbench"), label);
  dialog->setObjectName(QStringLiteral("aboutDialog"));
  dialog->show();
}

void showHelp(QWidget* parent) {
  auto* text = new QTextBrowser;
  text->setHtml(helpText());
  QDialog* dialog = makeWindow(parent, QObject::tr("KD Workbench help"), text);
  dialog->setObjectName(QStringLiteral("helpDialog"));
  dialog->resize(560, 520);
  dialog->show();
}
