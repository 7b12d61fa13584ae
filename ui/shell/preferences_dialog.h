// Preferences: LibTorch thread count (applied with kdw::apply_thread_count and persisted) and the
// device jobs run on (offered only where LibTorch sees a CUDA GPU; see common/device_setting.h),
// and the local processes (workers) the Teacher and Distill jobs run as (the form of the dist
// option table's records shown on forms).
#pragma once

#include <QDialog>

#include <memory>

class OptionForm;
class QComboBox;
class QSpinBox;

class PreferencesDialog : public QDialog {
  Q_OBJECT

 public:
  explicit PreferencesDialog(QWidget* parent = nullptr);
  ~PreferencesDialog() override;
  /// 0 = all cores.
  int threads() const;
  void setThreads(int threads);
  /// "cpu" or "cuda".
  QString device() const;
  /// "cuda" is ignored (stays "cpu") where CUDA is not available.
  void setDevice(const QString& device);
  /// The device choice (disabled, with a tooltip saying why, without CUDA).
  QComboBox* deviceBox() const { return device_; }
  /// 1: jobs run in this program; more: as that many kdw processes (kdw --nproc). The field is
  /// dist::dist_option_table()'s nproc record (its name, label, range, default and tooltip).
  int workers() const;
  void setWorkers(int workers);

 private:
  QSpinBox* threads_ = nullptr;
  QComboBox* device_ = nullptr;
  std::unique_ptr<OptionForm> dist_;
};

/// Reads the thread setting from QSettings and applies it; returns the count in use.
int applySavedThreadCount();
