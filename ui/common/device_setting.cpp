#include "ui/common/device_setting.h"

#include <QSettings>

#include "core/device.h"
#include "dist/dist_options.h"

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

namespace {

const kdw::OptionSpec& workersSpec() {
  return kdw::dist::dist_option_table().find("nproc")->spec;
}

}  // namespace

int jobWorkers() {
  const kdw::OptionSpec& spec = workersSpec();
  const QString key = QString::fromStdString(spec.name);
  const QString old = QStringLiteral("workers");
  QSettings settings;
  if (!settings.contains(key) && settings.contains(old)) {
    settings.setValue(key, settings.value(old));
    settings.remove(old);
  }
  bool ok = false;
  const qlonglong saved = settings.value(key).toLongLong(&ok);
  if (ok && saved >= spec.min && saved <= spec.max) return int(saved);
  return int(std::get<int64_t>(spec.default_value));
}

void saveJobWorkers(int workers) {
  QSettings().setValue(QString::fromStdString(workersSpec().name), workers);
}
