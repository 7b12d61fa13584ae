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
