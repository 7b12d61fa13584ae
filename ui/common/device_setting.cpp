#include "ui/common/device_setting.h"

#include <QSettings>

#include "core/device.h"

bool cudaDeviceAvailable() {
  static const bool available = kdw::cuda_available();  // asks the driver once
  return available;
}

std::string jobDevice() {
  const QString saved =
      QSettings().value(QStringLiteral("device"), QStringLiteral("cpu")).toString();
  return saved == QLatin1String("cuda") && cudaDeviceAvailable() ? "cuda" : "cpu";
}

void saveJobDevice(const QString& device) {
  QSettings().setValue(QStringLiteral("device"), device);
}

int jobWorkers() {
  const int saved = QSettings().value(QStringLiteral("workers"), 1).toInt();
  return saved >= 1 && saved <= kMaxJobWorkers ? saved : 1;
}

void saveJobWorkers(int workers) {
  QSettings().setValue(QStringLiteral("workers"), workers);
}
