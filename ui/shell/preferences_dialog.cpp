#include "shell/preferences_dialog.h"

#include <algorithm>

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QSettings>
#include <QSpinBox>
#include <QThread>

#include "core/threads.h"

PreferencesDialog::PreferencesDialog(QWidget* parent) : QDialog(parent) {
  setWindowTitle(tr("Preferences"));
  threads_ = new QSpinBox(this);
  threads_->setRange(0, kdw::max_thread_count());
  threads_->setSpecialValueText(tr("All cores (%1)").arg(QThread::idealThreadCount()));
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  auto* form = new QFormLayout(this);
  form->addRow(tr("Threads for training and inference:"), threads_);
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

int applySavedThreadCount() {
  // A saved count from another machine (or --threads) may be out of this one's range: clamp it
  // rather than refuse to start.
  const int saved = QSettings().value(QStringLiteral("threads"), 0).toInt();
  return kdw::apply_thread_count(std::clamp(saved, 0, kdw::max_thread_count()));
}
