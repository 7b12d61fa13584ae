// Answers the next modal dialog a test's click opens, by clicking its button named `button` once
// the dialog shows (the dialogs are real; the poller runs while the dialog's own loop does).
#pragma once

#include <memory>

#include <QAbstractButton>
#include <QApplication>
#include <QMessageBox>
#include <QString>
#include <QTimer>

namespace kdw::test {

// What clickInNextDialog saw: whether it clicked, and a message box's text.
struct DialogAnswer {
  bool answered = false;
  QString text;
};

// The poller is a child of `owner`: delete it after a test so that none outlives the test.
inline std::shared_ptr<DialogAnswer> clickInNextDialog(QObject* owner, const char* button) {
  auto answer = std::make_shared<DialogAnswer>();
  auto* timer = new QTimer(owner);
  timer->setInterval(5);
  QObject::connect(timer, &QTimer::timeout, timer, [timer, button, answer] {
    QWidget* modal = QApplication::activeModalWidget();
    auto* b = modal ? modal->findChild<QAbstractButton*>(QLatin1String(button)) : nullptr;
    if (!b) return;
    if (auto* box = qobject_cast<QMessageBox*>(modal)) answer->text = box->text();
    answer->answered = true;
    timer->stop();
    timer->deleteLater();
    b->click();
  });
  timer->start();
  return answer;
}

}  // namespace kdw::test
