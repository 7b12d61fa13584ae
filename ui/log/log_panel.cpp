#include "ui/log/log_panel.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QTimer>
#include <QVBoxLayout>

#include "core/log.h"

LogPanel::LogPanel(QWidget* parent) : QWidget(parent), sink_(std::make_shared<LogBufferSink>()) {
  level_ = new QComboBox(this);
  level_->addItem(tr("Debug"), int(kdw::log::Level::debug));
  level_->addItem(tr("Info"), int(kdw::log::Level::info));
  level_->addItem(tr("Warnings"), int(kdw::log::Level::warn));
  level_->addItem(tr("Errors"), int(kdw::log::Level::error));
  level_->setCurrentIndex(1);
  search_ = new QLineEdit(this);
  search_->setPlaceholderText(tr("Search log"));
  search_->setClearButtonEnabled(true);
  auto* copy = new QPushButton(tr("Copy"), this);
  auto* clear = new QPushButton(tr("Clear"), this);
  view_ = new QPlainTextEdit(this);
  view_->setReadOnly(true);
  view_->setMaximumBlockCount(kMaxLines);
  view_->setLineWrapMode(QPlainTextEdit::NoWrap);
  view_->setFont(QFont(QStringLiteral("monospace")));

  auto* bar = new QHBoxLayout;
  bar->addWidget(level_);
  bar->addWidget(search_, 1);
  bar->addWidget(copy);
  bar->addWidget(clear);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addLayout(bar);
  layout->addWidget(view_);

  // Following is the user's choice, taken from their scrolling only: comparing the scroll
  // position before and after an append lost it whenever the range changed meanwhile (a long
  // line adding the horizontal scroll bar, old lines dropped at the top).
  QScrollBar* vbar = view_->verticalScrollBar();
  connect(vbar, &QScrollBar::actionTriggered, this,
          [this, vbar](int) { follow_ = vbar->sliderPosition() >= vbar->maximum(); });
  connect(level_, &QComboBox::currentIndexChanged, this, &LogPanel::refilter);
  connect(search_, &QLineEdit::textChanged, this, &LogPanel::refilter);
  connect(copy, &QPushButton::clicked, this, [this] {
    const QString selected = view_->textCursor().selectedText();
    QApplication::clipboard()->setText(selected.isEmpty() ? view_->toPlainText() : selected);
  });
  connect(clear, &QPushButton::clicked, this, [this] {
    lines_.clear();
    view_->clear();
  });

  sink_id_ =
      kdw::log::add_sink([sink = sink_](const kdw::log::Record& record) { sink->append(record); },
                         kdw::log::Level::debug);
  auto* timer = new QTimer(this);
  timer->setInterval(200);
  connect(timer, &QTimer::timeout, this, &LogPanel::poll);
  timer->start();
}

LogPanel::~LogPanel() {
  kdw::log::remove_sink(sink_id_);
}

QString LogPanel::visibleText() const {
  return view_->toPlainText();
}

bool LogPanel::accepts(const LogLine& line) const {
  if (static_cast<int>(line.level) < level_->currentData().toInt()) return false;
  const QString needle = search_->text();
  return needle.isEmpty() || line.text.contains(needle, Qt::CaseInsensitive);
}

QString LogPanel::format(const LogLine& line) const {
  const char* name = kdw::log::short_name(line.level);
  return QStringLiteral("%1 [%2] %3")
      .arg(line.time.toString(QStringLiteral("HH:mm:ss")), QString::fromLatin1(name), line.text);
}

void LogPanel::poll() {
  const QVector<LogLine> fresh = sink_->take();
  if (fresh.isEmpty()) return;
  QStringList shown;
  for (const LogLine& line : fresh) {
    if (accepts(line)) shown << format(line);
  }
  lines_ += fresh;
  if (lines_.size() > kMaxLines) lines_.remove(0, lines_.size() - kMaxLines);
  if (shown.isEmpty()) return;
  QScrollBar* bar = view_->verticalScrollBar();
  const int kept = bar->value();
  view_->appendPlainText(shown.join(QLatin1Char('\n')));
  bar->setValue(follow_ ? bar->maximum() : std::min(kept, bar->maximum()));
}

void LogPanel::refilter() {
  QStringList shown;
  for (const LogLine& line : lines_) {
    if (accepts(line)) shown << format(line);
  }
  view_->setPlainText(shown.join(QLatin1Char('\n')));
  follow_ = true;  // a new filter shows its latest lines
  view_->verticalScrollBar()->setValue(view_->verticalScrollBar()->maximum());
}
