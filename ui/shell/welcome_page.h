// First page without a workspace: open the demo, create or open a workspace, recent ones.
#pragma once

#include <QWidget>

class QListWidget;
class QPushButton;
class QLabel;

class WelcomePage : public QWidget {
  Q_OBJECT

 public:
  explicit WelcomePage(QWidget* parent = nullptr);
  void setRecent(const QStringList& folders);
  /// Disables "Open demo workspace" with a reason (e.g. no demo data found, no prepare engine).
  void setDemoAvailable(bool available, const QString& why);

 Q_SIGNALS:
  void openDemo();
  void newWorkspace();
  void openWorkspace();
  void openRecent(const QString& folder);

 private:
  QListWidget* recent_ = nullptr;
  QPushButton* demo_ = nullptr;
  QLabel* demo_note_ = nullptr;
};
