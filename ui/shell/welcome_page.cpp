#include "ui/shell/welcome_page.h"

#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

#include "ui/common/panel_util.h"

WelcomePage::WelcomePage(QWidget* parent) : QWidget(parent) {
  auto* title = makeHeading(tr("KD Workbench"), this);
  auto* intro = new QLabel(
      tr("Labelled Russian text in, a small compressed classifier out: prepare the data, fine-tune "
         "a BERT teacher, store its logits, distil them into an LSTM student and cut the hidden "
         "units it does not need.\nA workspace is a folder that holds all of it."),
      this);
  intro->setWordWrap(true);
  demo_ =
      new QPushButton(QIcon(QStringLiteral(":/icons/data.svg")), tr("Open demo workspace"), this);
  demo_->setToolTip(
      tr("Creates the demo workspace and queues every step of the pipeline as "
         "jobs; each panel shows its step as it finishes."));
  auto* demoAbout = new QLabel(
      tr("2,744 Russian texts in four topics (Debian's fortunes-ru): prepare them, train a small "
         "BERT teacher from scratch (no RuBERT is shipped), store its logits, distil a "
         "stack_biLSTM and a stack_LSTM student with ISS group lasso and cut each one. About a "
         "quarter of an hour on two cores; a workspace that has some of it continues where it "
         "stopped."),
      this);
  demoAbout->setWordWrap(true);
  demo_note_ = new QLabel(this);
  demo_note_->setEnabled(false);
  demo_note_->setWordWrap(true);
  auto* create = new QPushButton(tr("New workspace…"), this);
  auto* open = new QPushButton(tr("Open workspace…"), this);
  recent_ = new QListWidget(this);
  recent_->setMaximumHeight(160);

  auto* box = new QWidget(this);
  box->setMaximumWidth(640);
  auto* inner = new QVBoxLayout(box);
  inner->addWidget(title);
  inner->addWidget(intro);
  inner->addSpacing(12);
  inner->addWidget(demo_);
  inner->addWidget(demoAbout);
  inner->addWidget(demo_note_);
  inner->addSpacing(6);
  inner->addWidget(create);
  inner->addWidget(open);
  inner->addSpacing(12);
  inner->addWidget(new QLabel(tr("Recent workspaces"), box));
  inner->addWidget(recent_);
  auto* outer = new QVBoxLayout(this);
  outer->addStretch(1);
  outer->addWidget(box, 0, Qt::AlignHCenter);
  outer->addStretch(2);

  connect(demo_, &QPushButton::clicked, this, &WelcomePage::openDemo);
  connect(create, &QPushButton::clicked, this, &WelcomePage::newWorkspace);
  connect(open, &QPushButton::clicked, this, &WelcomePage::openWorkspace);
  connect(recent_, &QListWidget::itemActivated, this,
          [this](QListWidgetItem* item) { Q_EMIT openRecent(item->text()); });
}

void WelcomePage::setRecent(const QStringList& folders) {
  recent_->clear();
  recent_->addItems(folders);
  if (folders.isEmpty()) {
    auto* none = new QListWidgetItem(tr("(none yet)"), recent_);
    none->setFlags(Qt::NoItemFlags);
  }
}

void WelcomePage::setDemoAvailable(bool available, const QString& why) {
  demo_->setEnabled(available);
  demo_note_->setText(why);
  demo_note_->setVisible(!why.isEmpty());
}
