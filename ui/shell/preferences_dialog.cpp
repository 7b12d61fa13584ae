#include "ui/shell/preferences_dialog.h"

#include <algorithm>

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QSettings>
#include <QSpinBox>
#include <QThread>

#include "core/threads.h"
#include "ui/common/device_setting.h"

PreferencesDialog::PreferencesDialog(QWidget* parent) : QDialog(parent) {
  setWindowTitle(tr("Preferences"));
  threads_ = new QSpinBox(this);
  threads_->setRange(0, kdw::max_thread_count());
  threads_->setSpecialValueText(tr("All cores (%1)").arg(QThread::idealThreadCount()));
  device_ = new QComboBox(this);
  device_->addItem(tr("CPU"), QStringLiteral("cpu"));
  if (cudaDeviceAvailable()) {
    device_->addItem(tr("CUDA GPU"), QStringLiteral("cuda"));
    device_->setToolTip(tr("Where fine-tuning, logits, distillation and evaluation run."));
  } else {
    device_->setEnabled(false);
    device_->setToolTip(
        tr("Jobs run on the CPU: this LibTorch build has no CUDA, or this machine no usable "
           "CUDA GPU."));
  }
  workers_ = new QSpinBox(this);
  workers_->setObjectName(QStringLiteral("workers"));
  workers_->setRange(1, kMaxJobWorkers);
  workers_->setValue(1);
  workers_->setToolTip(
      tr("Fine-tuning and distillation run as this many local processes, each a shard of every "
         "batch (data parallel, kdw --nproc), sharing the threads above; 1: in this program."));
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  auto* form = new QFormLayout(this);
  form->addRow(tr("Threads for training and inference:"), threads_);
  form->addRow(tr("Device:"), device_);
  form->addRow(tr("Workers (processes):"), workers_);
  form->addRow(buttons);
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

int PreferencesDialog::threads() const {
  return threads_->value();
}
void PreferencesDialog::setThreads(int threads) {
  threads_->setValue(threads);
}

QString PreferencesDialog::device() const {
  return device_->currentData().toString();
}
void PreferencesDialog::setDevice(const QString& device) {
  const int index = device_->findData(device);
  device_->setCurrentIndex(index >= 0 ? index : 0);
}

int PreferencesDialog::workers() const {
  return workers_->value();
}
void PreferencesDialog::setWorkers(int workers) {
  workers_->setValue(workers);
}

int applySavedThreadCount() {
  // A saved count from another machine (or --threads) may be out of this one's range: clamp it
  // rather than refuse to start.
  const int saved = QSettings().value(QStringLiteral("threads"), 0).toInt();
  return kdw::apply_thread_count(std::clamp(saved, 0, kdw::max_thread_count()));
}
