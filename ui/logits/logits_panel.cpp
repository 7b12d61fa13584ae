#include "ui/logits/logits_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

#include "bert/logits.h"
#include "bert/teacher_options.h"
#include "core/workspace.h"
#include "ui/common/device_setting.h"
#include "ui/common/json_files.h"
#include "ui/common/live_chart.h"
#include "ui/common/option_form.h"
#include "ui/common/panel_util.h"
#include "ui/common/replace_question.h"
#include "ui/common/staleness.h"
#include "ui/jobs/job_runner.h"
#include "ui/logits/logits_stats.h"

LogitsPanel::~LogitsPanel() = default;

LogitsPanel::LogitsPanel(JobRunner* runner, QWidget* parent) : QWidget(parent), runner_(runner) {
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(makeHeading(tr("Teacher logits"), this));
  auto* intro = new QLabel(tr("Runs the fine-tuned teacher over train, dev and test and stores its "
                              "logits in files/data/logits/ for distillation."),
                           this);
  intro->setWordWrap(true);
  layout->addWidget(intro);
  run_ = new QPushButton(tr("Extract logits"), this);
  stop_ = new QPushButton(tr("Stop"), this);
  stop_->setEnabled(false);
  // The fields, their limits, defaults and tooltips come from the engine's option table; this
  // panel lays them out in one row.
  options_ = std::make_unique<OptionForm>(kdw::logits_option_table().specs(), this);
  force_ = qobject_cast<QCheckBox*>(options_->widget("force"));
  force_->setText(tr("Recompute even when inputs are unchanged"));
  batch_ = qobject_cast<QSpinBox*>(options_->widget("batch_size"));
  precision_ = qobject_cast<QComboBox*>(options_->widget("precision"));
  auto* bar = new QHBoxLayout;
  bar->addWidget(run_);
  bar->addWidget(stop_);
  bar->addSpacing(12);
  bar->addWidget(new QLabel(tr("Batch size"), this));
  bar->addWidget(batch_);
  bar->addSpacing(12);
  bar->addWidget(new QLabel(tr("Precision"), this));
  bar->addWidget(precision_);
  bar->addSpacing(12);
  bar->addWidget(force_);
  bar->addStretch(1);
  layout->addLayout(bar);
  // K augmented copies of each train sample (the table's only augmentation field on the form),
  // on a row of its own: the first row fills a 1024-px window.
  if (QWidget* augment = options_->widget("augment")) {
    auto* row = new QHBoxLayout;
    auto* label = new QLabel(tr("Augmented copies"), this);
    auto* help = new QLabel(tr("of each train sample, labelled by the teacher (0: none)"), this);
    label->setToolTip(augment->toolTip());
    row->addWidget(label);
    row->addWidget(augment);
    row->addWidget(help);
    row->addStretch(1);
    layout->addLayout(row);
  }
  status_ = new QLabel(this);
  status_->setWordWrap(true);
  layout->addWidget(status_);
  // Logits older than the teacher: said in words, with the one click that redoes them.
  const StaleRow staleRow = addStaleRow(layout, this, tr("Redo"), QStringLiteral("redoLogits"),
                                        tr("Compute the logits again from the current teacher"));
  stale_ = staleRow.note;
  redo_ = staleRow.redo;
  splits_ = new QTableWidget(0, 4, this);
  splits_->setHorizontalHeaderLabels(
      {tr("Split"), tr("Samples"), tr("Teacher accuracy"), tr("Macro-F1")});
  splits_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  splits_->verticalHeader()->hide();
  splits_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  splits_->verticalHeader()->setDefaultSectionSize(24);
  // Exactly three rows: no empty space below them, the rest goes to the histograms.
  splits_->setFixedHeight(splits_->horizontalHeader()->sizeHint().height() + 3 * 24 +
                          2 * splits_->frameWidth() + 6);
  splits_->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  layout->addWidget(splits_);
  auto* charts = new QHBoxLayout;
  confidence_ = new BarChart(tr("Teacher confidence (max softmax)"), this);
  values_ = new BarChart(tr("Logit values"), this);
  charts->addWidget(confidence_);
  charts->addWidget(values_);
  layout->addLayout(charts, 1);

  connect(run_, &QPushButton::clicked, this, [this] { start(); });
  // Redo replaces logits already known to be stale: no question.
  connect(redo_, &QPushButton::clicked, this, [this] { start(false); });
  connect(stop_, &QPushButton::clicked, this, [this] { runner_->cancel(job_); });
  auto done = [this](int id) {
    if (id != job_) return;
    job_ = 0;
    run_->setEnabled(true);
    stop_->setEnabled(false);
    updateStale();
  };
  connect(runner_, &JobRunner::finished, this, [this, done](int id, const JobResult& result) {
    if (id != job_) return;
    done(id);
    reload();
    const auto* r = result.get<kdw::LogitsResult>();
    if (r && r->skipped)
      status_->setText(status_->text() + tr(" · inputs unchanged, the stored logits were kept"));
  });
  connect(runner_, &JobRunner::failed, this, [this, done](int id, const QString& message) {
    if (id != job_) return;
    done(id);
    status_->setText(tr("Failed: %1").arg(message));
  });
  connect(runner_, &JobRunner::cancelled, this, [this, done](int id) {
    if (id != job_) return;
    done(id);
    status_->setText(tr("Cancelled; earlier logits are unchanged."));
  });
  connect(runner_, &JobRunner::progress, this,
          [this](int id, const QString& stage, qint64 d, qint64 t, const QString&) {
            if (id == job_) status_->setText(tr("%1: %2 / %3").arg(stage).arg(d).arg(t));
          });
}

void LogitsPanel::setWorkspace(const QString& root) {
  workspace_ = root;
  logits_stamp_ = -1;
  refresh();
}

void LogitsPanel::refresh() {
  if (workspace_.isEmpty() || job_ != 0) return;
  const kdw::Workspace ws{workspace_.toStdString()};
  const QFileInfo info(QString::fromStdString((ws.logits_dir() / "logits.json").string()));
  const qint64 stamp = info.exists() ? info.lastModified().toMSecsSinceEpoch() : 0;
  if (stamp != logits_stamp_) reload();
  updateStale();  // the teacher may have changed while the logits did not
}

void LogitsPanel::updateStale() {
  const QString reason = job_ == 0 ? logitsStaleReason(workspace_) : QString();
  stale_->setText(reason);
  stale_->setVisible(!reason.isEmpty());
  redo_->setVisible(!reason.isEmpty());
}

QString LogitsPanel::staleText() const {
  return stale_->isHidden() ? QString() : stale_->text();
}

void LogitsPanel::redo() {
  redo_->click();
}

void LogitsPanel::followJob(int id) {
  job_ = id;
  run_->setEnabled(false);
  stop_->setEnabled(true);
  status_->setText(tr("Waiting for the job queue…"));
}

void LogitsPanel::loadSettings(QSettings& s) {
  loadFormFields(s, QStringLiteral("logits"), formFields());
}

void LogitsPanel::saveSettings(QSettings& s) const {
  saveFormFields(s, QStringLiteral("logits"), formFields());
}

std::vector<FormField> LogitsPanel::formFields() const {
  return options_->fields();
}

int LogitsPanel::start(bool askFirst) {
  if (job_ != 0 || workspace_.isEmpty()) return 0;
  kdw::LogitsOptions options;
  try {
    options_->applyTo(kdw::logits_option_table(), options);
  } catch (const kdw::Error& e) {
    status_->setText(tr("Not started: %1").arg(QString::fromUtf8(e.what())));
    return 0;
  }
  options.device = jobDevice();
  options.workspace = workspace_.toStdString();
  const kdw::Workspace ws{options.workspace};
  const QString dir = QString::fromStdString(ws.logits_dir().string());
  QString error;
  if (askFirst && QFileInfo::exists(dir + QStringLiteral("/logits.json")) &&
      !confirmReplace(this, tr("the stored logits"), {dir}, &error)) {
    status_->setText(error.isEmpty() ? tr("Not started; the stored logits are unchanged.")
                                     : tr("Not started: %1").arg(error));
    return 0;
  }
  job_ = runner_->submit(tr("Teacher logits"),
                         [options](kdw::JobContext& job) { return kdw::run_logits(options, job); });
  run_->setEnabled(false);
  stop_->setEnabled(true);
  updateStale();
  status_->setText(tr("Waiting for the job queue…"));
  return job_;
}

void LogitsPanel::reload() {
  splits_->setRowCount(0);
  confidence_->clear();
  values_->clear();
  const kdw::Workspace ws{workspace_.toStdString()};
  const QFileInfo info(QString::fromStdString((ws.logits_dir() / "logits.json").string()));
  logits_stamp_ = info.exists() ? info.lastModified().toMSecsSinceEpoch() : 0;
  if (!info.isReadable()) {
    status_->setText(tr("No logits stored yet."));
    return;
  }
  const QJsonObject summary = readJsonObjectFile(info.filePath());
  const QJsonObject splits = summary.value(QStringLiteral("splits")).toObject();
  for (const QString& name :
       {QStringLiteral("train"), QStringLiteral("dev"), QStringLiteral("test")}) {
    const QJsonObject s = splits.value(name).toObject();
    const int row = splits_->rowCount();
    splits_->insertRow(row);
    splits_->setItem(row, 0, new QTableWidgetItem(name));
    splits_->setItem(row, 1, new QTableWidgetItem(QString::number(s.value("samples").toInt())));
    splits_->setItem(
        row, 2,
        new QTableWidgetItem(s.contains("accuracy")
                                 ? QString::number(s.value("accuracy").toDouble(), 'f', 4)
                                 : QStringLiteral("–")));
    splits_->setItem(
        row, 3,
        new QTableWidgetItem(s.contains("macro_f1")
                                 ? QString::number(s.value("macro_f1").toDouble(), 'f', 4)
                                 : QStringLiteral("–")));
  }
  status_->setText(tr("Logits of %1 (%2 classes, %3)")
                       .arg(QFileInfo(summary.value("model").toString()).fileName())
                       .arg(summary.value("num_labels").toInt())
                       .arg(summary.value("precision").toString(QStringLiteral("float32"))));
  // The histograms read the .npy files: a light job, still off the UI thread.
  const auto dir = ws.logits_dir();
  const int id = runner_->submitLight(tr("Logits statistics"),
                                      [dir](kdw::JobContext&) { return logitsHistograms(dir); });
  auto conn = std::make_shared<QMetaObject::Connection>();
  *conn = connect(runner_, &JobRunner::finished, this,
                  [this, id, conn, root = workspace_](int done, const JobResult& result) {
                    if (done != id) return;
                    disconnect(*conn);
                    // Read for a workspace no longer open: not this one's statistics.
                    if (root != workspace_) return;
                    const auto* h = result.get<LogitsHistograms>();
                    if (!h) return;
                    QVector<double> conf, vals;
                    for (const int64_t c : h->confidence) conf << double(c);
                    confidence_->setHistogram(0.0, 1.0, conf, tr("max softmax probability"));
                    for (const int64_t v : h->values) vals << double(v);
                    values_->setHistogram(h->min, h->max, vals, tr("logit value"));
                  });
}
