// Preferences: LibTorch thread count (applied with kdw::apply_thread_count and persisted).
#pragma once

#include <QDialog>

class QSpinBox;

class PreferencesDialog : public QDialog {
  Q_OBJECT

 public:
  explicit PreferencesDialog(QWidget* parent = nullptr);
  /// 0 = all cores.
  int threads() const;
  void setThreads(int threads);

 private:
  QSpinBox* threads_ = nullptr;
};

/// Reads the thread setting from QSettings and applies it; returns the count in use.
int applySavedThreadCount();
