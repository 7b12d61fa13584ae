#include "ui/data/data_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QVBoxLayout>

#include <iterator>

#include "core/error.h"
#include "core/workspace.h"
#include "data/column_guess.h"
#include "data/file_kind.h"
#include "data/prepare.h"
#include "data/prepare_options.h"
#include "data/table.h"
#include "formats/ragged.h"
#include "ui/common/fit_box.h"
#include "ui/common/json_files.h"
#include "ui/common/live_chart.h"
#include "ui/common/option_form.h"
#include "ui/common/panel_util.h"
#include "ui/data/table_model.h"
#include "ui/jobs/job_runner.h"

namespace {
// The cleaning check boxes' settings keys and object names: kdw::CleaningOptions' fields, in
// the order of cleaningBoxes().
const char* const kCleaningKeys[] = {"nfc",          "remove_control", "collapse_whitespace",
                                     "lower",        "mask_urls",      "mask_emails",
                                     "mask_numbers", "drop_empty",     "drop_duplicates"};
QSpinBox* spin(int lo, int hi, int value, QWidget* parent) {
  auto* box = new QSpinBox(parent);
  box->setRange(lo, hi);
  box->setValue(value);
  return box;
}
}  // namespace

DataPanel::~DataPanel() = default;

DataPanel::DataPanel(JobRunner* runner, QWidget* parent) : QWidget(parent), runner_(runner) {
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(makeHeading(tr("Data: labelled texts to training files"), this));

  // Input file row.
  auto* fileRow = new QHBoxLayout;
  path_ = new QLineEdit(this);
  path_->setPlaceholderText(tr("CSV, TSV or JSONL file with a text and a label column"));
  auto* browse = new QPushButton(tr("Open…"), this);
  // The form options of the engine's prepare table: their widgets, limits, defaults and
  // tooltips; this panel lays them out (format and encoding here, the rest below).
  options_ = std::make_unique<OptionForm>(kdw::prepare_option_table().specs(), this);
  format_ = qobject_cast<QComboBox*>(options_->widget("format"));
  encoding_ = qobject_cast<QComboBox*>(options_->widget("encoding"));
  fileRow->addWidget(new QLabel(tr("File"), this));
  fileRow->addWidget(path_, 1);
  fileRow->addWidget(browse);
  fileRow->addWidget(new QLabel(tr("Format"), this));
  fileRow->addWidget(format_);
  fileRow->addWidget(new QLabel(tr("Encoding"), this));
  fileRow->addWidget(encoding_);
  layout->addLayout(fileRow);

  // Preview and prepared summary on the left (tabs), charts on the right.
  auto* split = new QSplitter(Qt::Horizontal, this);
  tabs_ = new QTabWidget(split);
  auto* previewBox = new QWidget(tabs_);
  auto* previewLayout = new QVBoxLayout(previewBox);
  auto* cols = new QHBoxLayout;
  text_col_ = new QComboBox(previewBox);
  label_col_ = new QComboBox(previewBox);
  cols->addWidget(new QLabel(tr("Text column"), previewBox));
  cols->addWidget(text_col_, 1);
  cols->addWidget(new QLabel(tr("Label column"), previewBox));
  cols->addWidget(label_col_, 1);
  previewLayout->addLayout(cols);
  model_ = new TableModel(this);
  view_ = new QTableView(previewBox);
  view_->setModel(model_);
  view_->setWordWrap(false);
  view_->verticalHeader()->setDefaultSectionSize(22);
  view_->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);  // no per-row measuring
  view_->horizontalHeader()->setStretchLastSection(true);
  previewLayout->addWidget(view_, 1);
  table_info_ = new QLabel(tr("No file loaded."), previewBox);
  table_info_->setWordWrap(true);
  previewLayout->addWidget(table_info_);
  tabs_->addTab(previewBox, tr("Input file"));

  auto* preparedBox = new QWidget(tabs_);
  auto* preparedLayout = new QVBoxLayout(preparedBox);
  prepared_table_ = new QTableWidget(preparedBox);
  prepared_table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  prepared_table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  prepared_table_->verticalHeader()->setDefaultSectionSize(22);
  prepared_info_ = new QLabel(tr("Nothing prepared in this workspace yet."), preparedBox);
  prepared_info_->setWordWrap(true);
  prepared_info_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  prepared_info_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
  preparedLayout->addWidget(prepared_table_, 1);
  // The summary is six lines or more: at 1024x700 it scrolls, where it lost its last lines.
  auto* infoScroll = new QScrollArea(preparedBox);
  infoScroll->setFrameShape(QFrame::NoFrame);
  infoScroll->setWidgetResizable(true);
  infoScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  infoScroll->setWidget(prepared_info_);
  infoScroll->setBackgroundRole(QPalette::Window);
  preparedLayout->addWidget(infoScroll);  // its whole text where there is room
  tabs_->addTab(preparedBox, tr("Prepared data"));

  classes_ = new BarChart(tr("Class balance (input file)"));
  lengths_ = new BarChart(tr("Text length (words)"));
  // One above the other, or side by side where the options below leave little height.
  // Wide enough for class names beside their bars, and a histogram's tick labels in full.
  classes_->setMinimumWidth(190);
  lengths_->setMinimumWidth(170);
  new FitBox({classes_, lengths_}, split);  // the splitter's second widget
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  split->setChildrenCollapsible(false);
  layout->addWidget(split, 1);

  // Options.
  auto* cleaning = new QGroupBox(tr("Cleaning"), this);
  auto* cg = new QVBoxLayout(cleaning);
  std::vector<std::pair<QWidget*, QWidget*>> cells;
  for (QCheckBox* box : cleaningBoxes()) cells.emplace_back(nullptr, box);
  cg->addWidget(makeFlowGrid(std::move(cells), 5, cleaning));  // 5 columns where they fit

  auto* splitBox = new QGroupBox(tr("Split and tokens"), this);
  auto* sg = new QGridLayout(splitBox);
  // The table's split option ("60:20:20") as three boxes, set from its default.
  const kdw::PrepareOptions defaults;
  train_ = spin(0, 100, defaults.split.train, splitBox);
  dev_ = spin(0, 100, defaults.split.dev, splitBox);
  test_ = spin(0, 100, defaults.split.test, splitBox);
  const QString splitHelp =
      QString::fromStdString(kdw::prepare_option_table().find("split")->spec.help);
  for (QSpinBox* box : {train_, dev_, test_}) box->setToolTip(splitHelp);
  train_->setObjectName(QStringLiteral("split_train"));
  dev_->setObjectName(QStringLiteral("split_dev"));
  test_->setObjectName(QStringLiteral("split_test"));
  seed_ = qobject_cast<QSpinBox*>(options_->widget("seed"));
  max_len_ = qobject_cast<QSpinBox*>(options_->widget("max_seq_len"));
  min_freq_ = qobject_cast<QSpinBox*>(options_->widget("min_freq"));
  tokenizer_ = qobject_cast<QComboBox*>(options_->widget("student_tokenizer"));
  bert_vocab_ = new QComboBox(splitBox);
  bert_vocab_->setObjectName(QStringLiteral("bertVocab"));
  bert_vocab_->setEditable(true);
  // A long path must not widen the panel (the line edit scrolls).
  bert_vocab_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  bert_vocab_->setMinimumContentsLength(12);
  bert_vocab_->setToolTip(tr("vocab.txt of the BERT teacher; empty: no teacher data"));
  auto* splitRow = new QHBoxLayout;
  splitRow->addWidget(train_);
  splitRow->addWidget(new QLabel(QStringLiteral(":"), splitBox));
  splitRow->addWidget(dev_);
  splitRow->addWidget(new QLabel(QStringLiteral(":"), splitBox));
  splitRow->addWidget(test_);
  sg->addWidget(new QLabel(tr("Train : dev : test %"), splitBox), 0, 0);
  sg->addLayout(splitRow, 0, 1);
  sg->addWidget(new QLabel(tr("Seed"), splitBox), 0, 2);
  sg->addWidget(seed_, 0, 3);
  sg->addWidget(new QLabel(tr("Student tokenizer"), splitBox), 1, 0);
  sg->addWidget(tokenizer_, 1, 1);
  sg->addWidget(new QLabel(tr("Min. word count"), splitBox), 1, 2);
  sg->addWidget(min_freq_, 1, 3);
  sg->addWidget(new QLabel(tr("BERT vocabulary"), splitBox), 2, 0);
  sg->addWidget(bert_vocab_, 2, 1);
  sg->addWidget(new QLabel(tr("Max. BERT length"), splitBox), 2, 2);
  sg->addWidget(max_len_, 2, 3);
  // Cleaning and split side by side where the width allows, else one above the other.
  layout->addWidget(makeFlowGrid({{nullptr, cleaning}, {nullptr, splitBox}}, 2, this));

  auto* run = new QHBoxLayout;
  prepare_ = new QPushButton(tr("Prepare"), this);
  prepare_->setEnabled(false);
  cancel_ = new QPushButton(tr("Cancel"), this);
  cancel_->setEnabled(false);
  bar_ = new QProgressBar(this);
  bar_->setMaximumWidth(260);
  result_ = new QLabel(this);
  result_->setWordWrap(true);
  run->addWidget(prepare_);
  run->addWidget(cancel_);
  run->addWidget(bar_);
  run->addWidget(result_, 1);
  layout->addLayout(run);

  connect(browse, &QPushButton::clicked, this, &DataPanel::browse);
  connect(path_, &QLineEdit::returnPressed, this, [this] { loadFile(path_->text()); });
  connect(text_col_, &QComboBox::currentIndexChanged, this, &DataPanel::updateStats);
  connect(text_col_, &QComboBox::currentIndexChanged, this, &DataPanel::fitColumns);
  connect(label_col_, &QComboBox::currentIndexChanged, this, &DataPanel::updateStats);
  connect(prepare_, &QPushButton::clicked, this, &DataPanel::prepare);
  connect(cancel_, &QPushButton::clicked, this,
          [this] { runner_->cancel(prepare_job_ ? prepare_job_ : load_job_); });
  connect(runner_, &JobRunner::progress, this,
          [this](int id, const QString& stage, qint64 d, qint64 t, const QString& msg) {
            if (id != prepare_job_ && id != load_job_) return;
            bar_->setRange(0, t > 0 ? int(std::min<qint64>(t, 1 << 30)) : 0);
            bar_->setValue(int(std::min<qint64>(d, 1 << 30)));
            result_->setText(msg.isEmpty() ? stage : stage + QStringLiteral(": ") + msg);
          });
  connect(runner_, &JobRunner::finished, this, [this](int id, const JobResult& result) {
    if (id == prepare_job_) {
      prepare_job_ = 0;
      setBusy(false);
      bar_->setRange(0, 1);
      bar_->setValue(1);
      const kdw::PrepareReport* r = result.get<kdw::PrepareReport>();
      QStringList parts;
      for (const char* s : kdw::kSplitNames) {
        int64_t n = 0;
        if (r)
          if (const auto it = r->splits.find(s); it != r->splits.end()) n = it->second.samples;
        parts << tr("%1 %2").arg(QLatin1String(s)).arg(n);
      }
      result_->setText(tr("Prepared: %1; %2 classes; vocabulary %3")
                           .arg(parts.join(QStringLiteral(", ")))
                           .arg(r ? r->labels.size() : 0)
                           .arg(r ? r->vocab_size : 0));
      refresh();
      if (r) Q_EMIT prepared(*r);
    } else if (id == stats_job_) {
      stats_job_ = 0;
      const auto* stats = result.get<kdw::TableStats>();
      if (!stats) return;
      QStringList names;
      QVector<double> counts;
      for (const auto& [name, count] : stats->class_counts) {
        names << QString::fromStdString(name);
        counts << double(count);
      }
      classes_->setBars(names, counts);
      QVector<double> hist;
      const int64_t width = std::max<int64_t>(1, stats->length_bin_width);
      for (const int64_t v : stats->length_histogram) hist << double(v);
      lengths_->setHistogram(0, double(hist.size()) * double(width), hist, tr("words"));
    }
  });
  auto stopped = [this](int id, const QString& text) {
    if (id == load_job_) table_info_->setText(text);  // the preview was cleared at loadFile
    if (id == prepare_job_ || id == load_job_) {
      prepare_job_ = load_job_ = 0;
      prepare_after_load_ = false;
      setBusy(false);
      bar_->setRange(0, 1);
      bar_->setValue(0);
      result_->setText(text);
    }
    if (id == stats_job_) stats_job_ = 0;
  };
  connect(runner_, &JobRunner::failed, this,
          [stopped](int id, const QString& m) { stopped(id, QObject::tr("Failed: %1").arg(m)); });
  connect(runner_, &JobRunner::cancelled, this, [stopped](int id) {
    stopped(id, QObject::tr("Cancelled; the previous prepared data is unchanged."));
  });
}

void DataPanel::useBertVocab(const QString& vocabFile) {
  if (bert_vocab_->findText(vocabFile) < 0) bert_vocab_->addItem(vocabFile);
  bert_vocab_->setCurrentText(vocabFile);
  result_->setText(tr("BERT vocabulary %1 chosen: Prepare makes the teacher data with it.")
                       .arg(QDir::toNativeSeparators(vocabFile)));
}

void DataPanel::setWorkspace(const QString& root) {
  if (root != workspace_ && load_job_ == 0 && prepare_job_ == 0) {
    // Another workspace: the previous one's input file is not this one's.
    file_.clear();
    path_->clear();
    clearPreview();
    result_->clear();
  }
  workspace_ = root;
  const QString current = bert_vocab_->currentText();
  bert_vocab_->clear();
  bert_vocab_->addItem(QString());
  const QDir bert(root + QStringLiteral("/files/bert"));
  for (const QString& name : bert.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
    const QString vocab = bert.filePath(name + QStringLiteral("/vocab.txt"));
    if (QFileInfo::exists(vocab)) bert_vocab_->addItem(vocab);
  }
  const QString demo = resourceDir() + QStringLiteral("/demo/bert/vocab.txt");
  if (!resourceDir().isEmpty() && QFileInfo::exists(demo)) bert_vocab_->addItem(demo);
  bert_vocab_->setCurrentText(
      current.isEmpty() && bert_vocab_->count() > 1 ? bert_vocab_->itemText(1) : current);
  prepared_stamp_ = -1;
  refresh();
  if (!prepared_.isEmpty()) tabs_->setCurrentIndex(1);
}

void DataPanel::refresh() {
  if (workspace_.isEmpty()) return;
  const kdw::Workspace ws{workspace_.toStdString()};
  const QFileInfo info(QString::fromStdString(ws.prepare_file().string()));
  const qint64 stamp = info.exists() ? info.lastModified().toMSecsSinceEpoch() : 0;
  if (stamp == prepared_stamp_) return;
  prepared_stamp_ = stamp;
  const QJsonObject summary = readJsonObjectFile(info.filePath());
  showPrepared(summary);
  // The input file named there goes into the preview (unless it is there already).
  const QString input = summary.value(QStringLiteral("input")).toString();
  if (input.isEmpty() || !QFileInfo(input).isFile() || load_job_ != 0 || prepare_job_ != 0) return;
  if (model_->table() && QFileInfo(file_) == QFileInfo(input)) return;
  want_text_col_ = summary.value(QStringLiteral("text_column")).toString();
  want_label_col_ = summary.value(QStringLiteral("label_column")).toString();
  for (auto [box, key] : {std::pair{format_, "format"}, std::pair{encoding_, "encoding"}}) {
    const int i = box->findText(summary.value(QLatin1String(key)).toString());
    if (i >= 0) box->setCurrentIndex(i);
  }
  loadFile(input);
}

void DataPanel::followJob(int id) {
  prepare_job_ = id;
  setBusy(true);
  bar_->setRange(0, 0);
  result_->setText(tr("Waiting for the job queue…"));
}

bool DataPanel::showingPrepared() const {
  return tabs_ && tabs_->currentIndex() == 1;
}

// The text column takes the width the others leave (they are short: labels, ids).
void DataPanel::fitColumns() {
  QHeaderView* header = view_->horizontalHeader();
  header->setStretchLastSection(false);
  const int text = text_col_->currentIndex();
  for (int c = 0; c < model_->columnCount(); ++c) {
    header->setSectionResizeMode(c, c == text ? QHeaderView::Stretch : QHeaderView::Interactive);
    if (c != text) view_->setColumnWidth(c, 110);
  }
}

QString DataPanel::textColumn() const {
  return text_col_ ? text_col_->currentText() : QString();
}

QString DataPanel::labelColumn() const {
  return label_col_ ? label_col_->currentText() : QString();
}

QString DataPanel::tableInfo() const {
  return table_info_->text();
}

QString DataPanel::resultText() const {
  return result_->text();
}

QString DataPanel::preparedCell(int row, int column) const {
  const QTableWidgetItem* item = prepared_table_ ? prepared_table_->item(row, column) : nullptr;
  return item ? item->text() : QString();
}

void DataPanel::showPrepared(const QJsonObject& s) {
  prepared_ = s;
  prepared_table_->clear();
  prepared_table_->setRowCount(0);
  prepared_table_->setColumnCount(0);
  if (s.isEmpty()) {
    prepared_info_->setText(tr("Nothing prepared in this workspace yet."));
    return;
  }
  const QStringList splits = {QStringLiteral("train"), QStringLiteral("dev"),
                              QStringLiteral("test")};
  QStringList labels;
  for (const auto& v : s.value(QStringLiteral("labels")).toArray()) labels << v.toString();
  const QJsonObject perSplit = s.value(QStringLiteral("splits")).toObject();
  prepared_table_->setColumnCount(splits.size() + 1);
  prepared_table_->setHorizontalHeaderLabels(splits + QStringList{tr("all")});
  prepared_table_->setRowCount(labels.size() + 1);
  prepared_table_->setVerticalHeaderLabels(labels + QStringList{tr("total")});
  auto put = [this](int row, int col, qint64 n, bool bold) {
    auto* item = new QTableWidgetItem(QString::number(n));
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    if (bold) {
      QFont font = item->font();
      font.setBold(true);
      item->setFont(font);
    }
    prepared_table_->setItem(row, col, item);
  };
  qint64 grand = 0;
  for (int r = 0; r < labels.size(); ++r) {
    qint64 all = 0;
    for (int c = 0; c < splits.size(); ++c) {
      const qint64 n = perSplit.value(splits[c])
                           .toObject()
                           .value(QStringLiteral("per_class"))
                           .toObject()
                           .value(labels[r])
                           .toInteger();
      all += n;
      put(r, c, n, false);
    }
    put(r, splits.size(), all, true);
  }
  for (int c = 0; c < splits.size(); ++c) {
    const qint64 n =
        perSplit.value(splits[c]).toObject().value(QStringLiteral("samples")).toInteger();
    grand += n;
    put(labels.size(), c, n, true);
  }
  put(labels.size(), splits.size(), grand, true);

  const QJsonObject counts = s.value(QStringLiteral("counts")).toObject();
  const QJsonObject clean = s.value(QStringLiteral("cleaning")).toObject();
  const QJsonObject split = s.value(QStringLiteral("split")).toObject();
  const QJsonObject student = s.value(QStringLiteral("student")).toObject();
  const QJsonObject bert = s.value(QStringLiteral("bert")).toObject();
  QStringList steps;
  const std::pair<const char*, QString> names[] = {
      {"nfc", tr("NFC")},
      {"remove_control", tr("control chars removed")},
      {"collapse_whitespace", tr("whitespace collapsed")},
      {"lower", tr("lower-cased")},
      {"mask_urls", tr("URLs masked")},
      {"mask_emails", tr("e-mails masked")},
      {"mask_numbers", tr("numbers masked")},
      {"drop_empty", tr("empty dropped")},
      {"drop_duplicates", tr("duplicates dropped")}};
  for (const auto& [key, text] : names)
    if (clean.value(QLatin1String(key)).toBool()) steps << text;
  QStringList lines;
  lines << tr("<b>Input</b> %1 (%2, %3), columns <i>%4</i> / <i>%5</i>")
               .arg(QFileInfo(s.value("input").toString()).fileName().toHtmlEscaped(),
                    s.value("format").toString(), s.value("encoding").toString(),
                    s.value("text_column").toString().toHtmlEscaped(),
                    s.value("label_column").toString().toHtmlEscaped());
  lines << tr("<b>Rows</b> %1 read, %2 skipped; dropped %3 empty, %4 duplicate, %5 without "
              "label, %6 of rare classes → %7 samples")
               .arg(counts.value("rows_read").toInteger())
               .arg(counts.value("rows_skipped").toInteger())
               .arg(counts.value("dropped_empty").toInteger())
               .arg(counts.value("dropped_duplicate").toInteger())
               .arg(counts.value("dropped_no_label").toInteger())
               .arg(counts.value("dropped_rare_class").toInteger())
               .arg(counts.value("samples").toInteger());
  lines << tr("<b>Split</b> %1:%2:%3, seed %4 · <b>cleaning</b> %5")
               .arg(split.value("train").toInt())
               .arg(split.value("dev").toInt())
               .arg(split.value("test").toInt())
               .arg(s.value("seed").toInteger())
               .arg(steps.isEmpty() ? tr("none") : steps.join(QStringLiteral(", ")));
  lines << tr("<b>Student</b> %1 tokenizer, vocabulary %2 (min. count %3)")
               .arg(student.value("tokenizer").toString())
               .arg(student.value("vocab_size").toInteger())
               .arg(student.value("min_freq").toInteger());
  if (!bert.isEmpty()) {
    lines << tr("<b>Teacher</b> WordPiece %1 (%2 pieces), max. length %3, %4 truncated")
                 .arg(QFileInfo(bert.value("vocab").toString()).fileName().toHtmlEscaped())
                 .arg(bert.value("vocab_size").toInteger())
                 .arg(bert.value("max_seq_len").toInt())
                 .arg(bert.value("truncated_samples").toInteger());
  } else {
    lines << tr("<b>Teacher</b> no BERT data (no vocabulary given)");
  }
  prepared_info_->setText(lines.join(QStringLiteral("<br>")));
}

void DataPanel::browse() {
  const QString file = QFileDialog::getOpenFileName(
      this, tr("Open labelled texts"), QFileInfo(path_->text()).path(),
      tr("Tables (*.csv *.tsv *.tab *.jsonl *.ndjson);;All files (*)"));
  if (!file.isEmpty()) loadFile(file);
}

void DataPanel::clearPreview() {
  model_->setTable(nullptr);
  const QSignalBlocker b1(text_col_), b2(label_col_);
  text_col_->clear();
  label_col_->clear();
  table_info_->setText(tr("No file loaded."));
  classes_->clear();
  lengths_->clear();
}

void DataPanel::setBusy(bool busy) {
  prepare_->setEnabled(!busy && model_->table() != nullptr && !workspace_.isEmpty() &&
                       label_col_->currentIndex() >= 0);
  cancel_->setEnabled(busy);
}

void DataPanel::loadFile(const QString& file) {
  file_ = file;
  path_->setText(file);
  clearPreview();  // the previous file's rows must never show under this file's name
  const std::filesystem::path path = file.toStdString();
  const kdw::TableFormat format = kdw::parse_table_format(format_->currentText().toStdString());
  const kdw::TextEncoding encoding =
      kdw::parse_text_encoding(encoding_->currentText().toStdString());
  // The table is filled on the worker and handed over when the job has finished.
  auto table = std::make_shared<kdw::Table>();
  load_job_ = runner_->submitLight(tr("Read %1").arg(QFileInfo(file).fileName()),
                                   [table, path, format, encoding](kdw::JobContext& job) {
                                     *table = kdw::read_table(path, format, encoding, job);
                                     return table->rows.size();
                                   });
  const int id = load_job_;
  auto conn = std::make_shared<QMetaObject::Connection>();
  *conn = connect(runner_, &JobRunner::finished, this,
                  [this, id, table, conn](int done, const JobResult&) {
                    if (done != id) return;
                    disconnect(*conn);
                    load_job_ = 0;
                    onLoaded(table);
                  });
  setBusy(true);
  result_->setText(tr("Reading…"));
}

void DataPanel::onLoaded(std::shared_ptr<kdw::Table> table) {
  model_->setTable(table);
  QStringList columns;
  for (const auto& c : table->columns) columns << QString::fromStdString(c);
  const QSignalBlocker b1(text_col_), b2(label_col_);
  text_col_->clear();
  label_col_->clear();
  text_col_->addItems(columns);
  label_col_->addItems(columns);
  // The columns used last time for this file, else the engine's guess (names, then content).
  const kdw::ColumnGuess guess = kdw::guess_columns(*table);
  auto pick = [&](QComboBox* box, const QString& wanted, int guessed) {
    const int i = columns.indexOf(wanted);
    box->setCurrentIndex(!wanted.isEmpty() && i >= 0 ? i : guessed);
  };
  pick(text_col_, want_text_col_, guess.text);
  pick(label_col_, want_label_col_, guess.label);
  // Never the text as its own label: with one column there is no label to pick.
  if (label_col_->currentIndex() == text_col_->currentIndex()) label_col_->setCurrentIndex(-1);
  want_text_col_.clear();
  want_label_col_.clear();
  fitColumns();
  table_info_->setText(tr("%1 rows, %2 columns · %3, %4%5")
                           .arg(table->rows.size())
                           .arg(table->columns.size())
                           .arg(QString::fromLatin1(kdw::table_format_name(table->format)),
                                QString::fromLatin1(kdw::text_encoding_name(table->encoding)))
                           .arg(table->skipped.empty()
                                    ? QString()
                                    : tr(" · %1 rows skipped (first: line %2, %3)")
                                          .arg(table->skipped.size())
                                          .arg(table->skipped[0].line)
                                          .arg(QString::fromStdString(table->skipped[0].reason))));
  setBusy(false);
  result_->clear();
  try {
    kdw::check_label_column(*table, file_.toStdString());
  } catch (const kdw::Error& e) {
    result_->setText(QString::fromUtf8(e.what()));
    prepare_after_load_ = false;
  }
  updateStats();
  Q_EMIT tableLoaded();
  if (prepare_after_load_) {
    prepare_after_load_ = false;
    prepare();
  }
}

void DataPanel::updateStats() {
  const auto table = model_->table();
  const int text = text_col_->currentIndex(), label = label_col_->currentIndex();
  if (!table || text < 0 || label < 0) return;
  stats_job_ = runner_->submitLight(tr("Table statistics"), [table, text, label](kdw::JobContext&) {
    return kdw::table_stats(*table, text, label, 30);
  });
}

int DataPanel::prepare() {
  if (!model_->table() || workspace_.isEmpty() || label_col_->currentIndex() < 0) return 0;
  kdw::PrepareOptions o;
  try {
    options_->applyTo(kdw::prepare_option_table(), o);
    kdw::prepare_option_table().set(o, "split", splitText().toStdString());
  } catch (const kdw::Error& e) {
    result_->setText(tr("Not started: %1").arg(QString::fromUtf8(e.what()).toHtmlEscaped()));
    return 0;
  }
  o.input = file_.toStdString();
  o.workspace = workspace_.toStdString();
  o.text_column = text_col_->currentText().toStdString();
  o.label_column = label_col_->currentText().toStdString();
  o.bert_vocab = bert_vocab_->currentText().toStdString();
  prepare_job_ = runner_->submit(tr("Prepare data"), [o](kdw::JobContext& job) {
    return kdw::run_prepare(o, job).summary.get<kdw::PrepareReport>();
  });
  setBusy(true);
  result_->setText(tr("Waiting for the job queue…"));
  return prepare_job_;
}

void DataPanel::prepareDemo(const QString& csv) {
  prepare_after_load_ = true;
  loadFile(csv);
}

QString DataPanel::splitText() const {
  return QStringLiteral("%1:%2:%3").arg(train_->value()).arg(dev_->value()).arg(test_->value());
}

void DataPanel::loadSettings(QSettings& s) {
  // Settings saved before the cleaning options had names held them by position (clean0..8).
  for (int i = 0; i < int(std::size(kCleaningKeys)); ++i)
    renameSetting(s, QStringLiteral("data/clean%1").arg(i),
                  QStringLiteral("data/") + QLatin1String(kCleaningKeys[i]));
  // ... and the split as three numbers (train, dev, test).
  const QStringList parts = {QStringLiteral("data/train"), QStringLiteral("data/dev"),
                             QStringLiteral("data/test")};
  if (s.contains(parts[0]) && !s.contains(QStringLiteral("data/split")))
    s.setValue(QStringLiteral("data/split"), QStringLiteral("%1:%2:%3")
                                                 .arg(s.value(parts[0]).toInt())
                                                 .arg(s.value(parts[1]).toInt())
                                                 .arg(s.value(parts[2]).toInt()));
  for (const QString& key : parts) s.remove(key);
  loadFormFields(s, QStringLiteral("data"), formFields());
  // The split is read as the table reads it; a value it refuses leaves the boxes as they are.
  kdw::PrepareOptions o;
  try {
    kdw::prepare_option_table().set(
        o, "split", s.value(QStringLiteral("data/split"), splitText()).toString().toStdString());
  } catch (const kdw::Error&) {
    return;
  }
  train_->setValue(o.split.train);
  dev_->setValue(o.split.dev);
  test_->setValue(o.split.test);
}

void DataPanel::saveSettings(QSettings& s) const {
  saveFormFields(s, QStringLiteral("data"), formFields());
  s.setValue(QStringLiteral("data/split"), splitText());
}

std::vector<FormField> DataPanel::formFields() const {
  return options_->fields();
}

QList<QCheckBox*> DataPanel::cleaningBoxes() const {
  QList<QCheckBox*> boxes;
  for (const char* key : kCleaningKeys) boxes << qobject_cast<QCheckBox*>(options_->widget(key));
  return boxes;
}
