// The log panel: engine log lines (through LogBufferSink) with a level filter, search and copy.
// It follows new lines unless the user scrolled up (and again once they scroll to the end).
#pragma once

#include <QWidget>

#include <memory>

#include "ui/log/log_sink.h"

class QComboBox;
class QLineEdit;
class QPlainTextEdit;

class LogPanel : public QWidget {
  Q_OBJECT

 public:
  /// Installs its sink in kdw::log; removes it on destruction.
  explicit LogPanel(QWidget* parent = nullptr);
  ~LogPanel() override;

  int lineCount() const { return lines_.size(); }
  /// Text currently shown (after filter and search).
  QString visibleText() const;
  /// Whether new lines scroll the view to the end: on unless the user scrolled up.
  bool isFollowing() const { return follow_; }

 public Q_SLOTS:
  void poll();

 private:
  bool accepts(const LogLine& line) const;
  QString format(const LogLine& line) const;
  void refilter();

  std::shared_ptr<LogBufferSink> sink_;
  kdw::log::SinkId sink_id_ = 0;
  QVector<LogLine> lines_;
  QComboBox* level_ = nullptr;
  QLineEdit* search_ = nullptr;
  QPlainTextEdit* view_ = nullptr;
  bool follow_ = true;
  static constexpr int kMaxLines = 20000;
};
