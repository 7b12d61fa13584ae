#include "teacher/teacher_panel.h"

#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

#include "common/live_chart.h"
#include "common/panel_util.h"
#include "jobs/job_runner.h"
#include "shell/workspace_state.h"

#ifdef KDW_HAVE_BERT
#include "bert/bert_io.h"
#include "bert/finetune.h"
#include "core/workspace.h"
#endif

bool TeacherPanel::engineAvailable() {
#ifdef KDW_HAVE_BERT
  return true;
#else
  return false;
#endif
}

TeacherPanel::TeacherPanel(JobRunner* runner, QWidget* parent) : QWidget(parent), runner_(runner) {
  auto* layout = new QVBoxLayout(this);
  if (!engineAvailable()) {
    layout->addWidget(
        makeUnavailableNote(tr("Teacher"), tr("The BERT engine is not part of this build."), this));
    return;
  }
  layout->addWidget(makeHeading(tr("Teacher: fine-tune BERT"), this));
  auto* top = new QHBoxLayout;
  auto* modelBox = new QGroupBox(tr("Pretrained model (files/bert/)"), this);
  auto* modelLayout = new QVBoxLayout(modelBox);
  folder_ = new QComboBox(modelBox);
  folder_info_ = new QLabel(modelBox);
  folder_info_->setWordWrap(true);
  folder_info_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  modelLayout->addWidget(folder_);
  modelLayout->addWidget(folder_info_, 1);
  top->addWidget(modelBox, 1);

  auto* hyper = new QGroupBox(tr("Hyper-parameters"), this);
  auto* form = new QFormLayout(hyper);
  epochs_ = new QSpinBox(hyper);
  epochs_->setRange(1, 100);
  epochs_->setValue(3);
  lr_ = new QDoubleSpinBox(hyper);
  lr_->setDecimals(6);
  lr_->setRange(1e-6, 1e-2);
  lr_->setSingleStep(1e-5);
  lr_->setValue(2e-5);
  batch_ = new QSpinBox(hyper);
  batch_->setRange(1, 1024);
  batch_->setValue(32);
  max_len_ = new QSpinBox(hyper);
  max_len_->setRange(8, 512);
  max_len_->setValue(128);
  warmup_ = new QDoubleSpinBox(hyper);
  warmup_->setRange(0, 0.5);
  warmup_->setSingleStep(0.05);
  warmup_->setValue(0.1);
  patience_ = new QSpinBox(hyper);
  patience_->setRange(0, 50);
  patience_->setSpecialValueText(tr("never"));
  form->addRow(tr("Epochs"), epochs_);
  form->addRow(tr("Learning rate"), lr_);
  form->addRow(tr("Batch size"), batch_);
  form->addRow(tr("Max sequence length"), max_len_);
  form->addRow(tr("Warm-up fraction"), warmup_);
  form->addRow(tr("Early stopping patience"), patience_);
  top->addWidget(hyper);
  layout->addLayout(top);

  auto* buttons = new QHBoxLayout;
  start_ = new QPushButton(tr("Start"), this);
  stop_ = new QPushButton(tr("Stop"), this);
  resume_ = new QPushButton(tr("Resume"), this);
  resume_->setToolTip(tr("Continue an unfinished fine-tuning from its checkpoint"));
  stop_->setEnabled(false);
  status_ = new QLabel(this);
  buttons->addWidget(start_);
  buttons->addWidget(stop_);
  buttons->addWidget(resume_);
  buttons->addWidget(status_, 1);
  layout->addLayout(buttons);

  auto* charts = new QHBoxLayout;
  loss_ = new LiveChart(tr("Training loss"), tr("step"), tr("loss"), this);
  loss_series_ = loss_->addSeries(tr("loss"));
  dev_ = new LiveChart(tr("Dev scores"), tr("epoch"), QString(), this);
  acc_series_ = dev_->addSeries(tr("accuracy"));
  f1_series_ = dev_->addSeries(tr("macro-F1"));
  charts->addWidget(loss_);
  charts->addWidget(dev_);
  layout->addLayout(charts, 2);

  auto* results = new QGroupBox(tr("Dev results (best epoch)"), this);
  auto* resultsLayout = new QVBoxLayout(results);
  dev_summary_ = new QLabel(tr("No fine-tuning run yet."), results);
  confusion_ = new QTableWidget(results);
  confusion_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  confusion_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  resultsLayout->addWidget(dev_summary_);
  resultsLayout->addWidget(confusion_);
  layout->addWidget(results, 1);

  connect(folder_, &QComboBox::currentIndexChanged, this, &TeacherPanel::inspect);
  connect(start_, &QPushButton::clicked, this, [this] { start(false); });
  connect(resume_, &QPushButton::clicked, this, [this] { start(true); });
  connect(stop_, &QPushButton::clicked, this, [this] { runner_->cancel(job_); });
  connect(runner_, &JobRunner::metrics, this, &TeacherPanel::onMetrics);
  connect(runner_, &JobRunner::progress, this,
          [this](int id, const QString& stage, qint64 d, qint64 t, const QString& msg) {
            if (id == job_) status_->setText(tr("%1: %2/%3 %4").arg(stage).arg(d).arg(t).arg(msg));
          });
  auto done = [this](int id, const QString& text) {
    if (id != job_) return false;
    job_ = 0;
    start_->setEnabled(true);
    resume_->setEnabled(true);
    stop_->setEnabled(false);
    status_->setText(text);
    return true;
  };
  connect(runner_, &JobRunner::finished, this, [this, done](int id, const QJsonObject& r) {
    if (done(id, tr("Finished: %1 epoch(s)%2")
                     .arg(r.value("epochs_run").toInt())
                     .arg(r.value("early_stopped").toBool() ? tr(", stopped early") : QString())))
      showDev(r.value("best").toObject().value("dev").toObject());
  });
  connect(runner_, &JobRunner::failed, this,
          [done](int id, const QString& m) { done(id, QObject::tr("Failed: %1").arg(m)); });
  connect(runner_, &JobRunner::cancelled, this, [done](int id) {
    done(id, QObject::tr("Stopped; Resume continues from the last checkpoint."));
  });
}

void TeacherPanel::setWorkspace(const QString& root) {
  workspace_ = root;
  if (!engineAvailable()) return;
  const WorkspaceState state = scanWorkspace(root);
  labels_ = state.labels;
  const QString previous = folder_->currentText();
  folder_->clear();
  folder_->addItems(state.pretrained);
  if (state.pretrained.contains(previous)) folder_->setCurrentText(previous);
  if (state.pretrained.isEmpty())
    folder_info_->setText(tr("No pretrained BERT folder under %1/files/bert/.").arg(root));
  start_->setEnabled(job_ == 0 && !state.pretrained.isEmpty());
}

void TeacherPanel::inspect() {
#ifdef KDW_HAVE_BERT
  if (folder_->currentText().isEmpty()) return;
  const kdw::Workspace ws{workspace_.toStdString()};
  const auto dir = ws.bert_dir() / folder_->currentText().toStdString();
  // Reads config, vocab and tensor names only (no weights): cheap enough for the UI thread.
  try {
    const kdw::BertFolderInfo info = kdw::inspect_bert_folder(dir);
    folder_info_->setText(tr("%1 layout\n%2 layers, hidden %3, vocabulary %4\n%5 M parameters%6")
                              .arg(QString::fromStdString(info.layout))
                              .arg(info.config.num_hidden_layers)
                              .arg(info.config.hidden_size)
                              .arg(info.vocab_lines)
                              .arg(double(info.parameter_count) / 1e6, 0, 'f', 1)
                              .arg(info.missing.empty()
                                       ? QString()
                                       : tr("\nmissing tensors: %1").arg(info.missing.size())));
  } catch (const std::exception& e) {
    folder_info_->setText(tr("Not usable: %1").arg(QString::fromStdString(e.what())));
  }
#endif
}

void TeacherPanel::start(bool resume) {
#ifdef KDW_HAVE_BERT
  kdw::FinetuneOptions o;
  const kdw::Workspace ws{workspace_.toStdString()};
  o.workspace = ws.root;
  o.bert_path = ws.bert_dir() / folder_->currentText().toStdString();
  o.epochs = epochs_->value();
  o.lr = lr_->value();
  o.batch_size = batch_->value();
  o.max_seq_len = max_len_->value();
  o.warmup = warmup_->value();
  o.early_stopping_patience = patience_->value();
  o.resume = resume;
  if (!resume) {
    loss_->clear();
    dev_->clear();
  }
  job_ = runner_->submit(tr("Fine-tune teacher"), [o](kdw::JobContext& job) {
    const kdw::FinetuneResult r = kdw::run_finetune(o, job);
    return nlohmann::json{{"model_dir", r.model_dir.string()},
                          {"best", r.best},
                          {"epochs_run", r.epochs_run},
                          {"early_stopped", r.early_stopped}};
  });
  start_->setEnabled(false);
  resume_->setEnabled(false);
  stop_->setEnabled(true);
  status_->setText(tr("Waiting for the job queue…"));
#else
  (void)resume;
#endif
}

void TeacherPanel::onMetrics(int id, const QJsonArray& records) {
  if (id != job_) return;
  for (const auto& value : records) {
    const QJsonObject r = value.toObject();
    const QString kind = r.value("kind").toString();
    if (kind == QLatin1String("step")) {
      loss_->append(loss_series_, r.value("step").toDouble(), r.value("loss").toDouble());
    } else if (kind == QLatin1String("epoch") && r.contains("dev")) {
      const QJsonObject dev = r.value("dev").toObject();
      const double epoch = r.value("epoch").toDouble();
      dev_->append(acc_series_, epoch, dev.value("accuracy").toDouble());
      dev_->append(f1_series_, epoch, dev.value("macro_f1").toDouble());
      if (r.value("best").toBool()) showDev(dev);
    }
  }
}

void TeacherPanel::showDev(const QJsonObject& dev) {
  if (dev.isEmpty()) return;
  dev_summary_->setText(tr("Accuracy %1, macro-F1 %2 on %3 dev samples")
                            .arg(dev.value("accuracy").toDouble(), 0, 'f', 4)
                            .arg(dev.value("macro_f1").toDouble(), 0, 'f', 4)
                            .arg(dev.value("samples").toInt()));
  const QJsonArray rows = dev.value("confusion").toArray();
  const int n = rows.size();
  confusion_->setRowCount(n);
  confusion_->setColumnCount(n);
  QStringList names;
  for (int i = 0; i < n; ++i) names << (i < labels_.size() ? labels_[i] : QString::number(i));
  QStringList predicted;
  for (const QString& name : names) predicted << tr("→ %1").arg(name);
  confusion_->setVerticalHeaderLabels(names);
  confusion_->setHorizontalHeaderLabels(predicted);
  for (int g = 0; g < n; ++g) {
    const QJsonArray row = rows[g].toArray();
    for (int p = 0; p < n && p < row.size(); ++p) {
      auto* item = new QTableWidgetItem(QString::number(row[p].toInteger()));
      item->setTextAlignment(Qt::AlignCenter);
      if (g == p) item->setBackground(QColor(0xd8, 0xef, 0xd8));
      confusion_->setItem(g, p, item);
    }
  }
}

void TeacherPanel::loadSettings(QSettings& s) {
  if (!engineAvailable()) return;
  s.beginGroup(QStringLiteral("teacher"));
  epochs_->setValue(s.value("epochs", epochs_->value()).toInt());
  lr_->setValue(s.value("lr", lr_->value()).toDouble());
  batch_->setValue(s.value("batch_size", batch_->value()).toInt());
  max_len_->setValue(s.value("max_seq_len", max_len_->value()).toInt());
  warmup_->setValue(s.value("warmup", warmup_->value()).toDouble());
  patience_->setValue(s.value("patience", patience_->value()).toInt());
  s.endGroup();
}

void TeacherPanel::saveSettings(QSettings& s) const {
  if (!engineAvailable()) return;
  s.beginGroup(QStringLiteral("teacher"));
  s.setValue("epochs", epochs_->value());
  s.setValue("lr", lr_->value());
  s.setValue("batch_size", batch_->value());
  s.setValue("max_seq_len", max_len_->value());
  s.setValue("warmup", warmup_->value());
  s.setValue("patience", patience_->value());
  s.endGroup();
}
