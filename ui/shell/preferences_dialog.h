// Preferences: LibTorch thread count (applied with kdw::apply_thread_count and persisted) and the
// device jobs run on (offered only where LibTorch sees a CUDA GPU; see common/device_setting.h),
// and the local processes (workers) the Teacher and Distill jobs run as.
#pragma once

#include <QDialog>

class QComboBox;
class QSpinBox;

class PreferencesDialog : public QDialog {
  Q_OBJECT

 public:
  explicit PreferencesDialog(QWidget* parent = nullptr);
  /// 0 = all cores.
  int threads() const;
  void setThreads(int threads);
  /// "cpu" or "cuda".
  QString device() const;
  /// "cuda" is ignored (stays "cpu") where CUDA is not available.
  void setDevice(const QString& device);
  /// The device choice (disabled, with a tooltip saying why, without CUDA).
  QComboBox* deviceBox() const { return device_; }
  /// 1: jobs run in this program; more: as that many kdw processes (kdw --nproc).
  int workers() const;
  void setWorkers(int workers);

 private:
  QSpinBox* threads_ = nullptr;
  QComboBox* device_ = nullptr;
  QSpinBox* workers_ = nullptr;
};

/// Reads the thread setting from QSettings and applies it; returns the count in use.
int applySavedThreadCount();
