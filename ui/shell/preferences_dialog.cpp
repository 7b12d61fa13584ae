#include "ui/shell/preferences_dialog.h"

#include <algorithm>

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QSettings>
#include <QSpinBox>
#include <QThread>

#include "core/threads.h"
#include "dist/dist_options.h"
#include "ui/common/device_setting.h"
#include "ui/common/option_form.h"

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
  dist_ = std::make_unique<OptionForm>(kdw::dist::dist_option_table().specs(), this);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  auto* form = new QFormLayout(this);
  form->addRow(tr("Threads for training and inference:"), threads_);
  form->addRow(tr("Device:"), device_);
  for (const kdw::OptionSpec& s : dist_->specs())
    form->addRow(dist_->label(s.name) + QLatin1Char(':'), dist_->widget(s.name));
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

PreferencesDialog::~PreferencesDialog() = default;

int PreferencesDialog::workers() const {
  return int(std::get<int64_t>(dist_->value("nproc")));
}
void PreferencesDialog::setWorkers(int workers) {
  dist_->setValue("nproc", int64_t(workers));
}

int applySavedThreadCount() {
  // A saved count from another machine (or --threads) may be out of this one's range: clamp it
  // rather than refuse to start.
  const int saved = QSettings().value(QStringLiteral("threads"), 0).toInt();
  return kdw::apply_thread_count(std::clamp(saved, 0, kdw::max_thread_count()));
}
