// Issue 12: one option table per stage. This walks every stage's table against what is made
// from it: `kdw <verb> --help` lists each CLI option with its help and default; the panel's form
// has a widget per form option, named by it, of its kind, with its default, limits and help;
// the panel's saved settings hold every form option by name; config.json holds every option
// and reads back to the same values. A new option added to a table (one record) is checked by
// this test without any edit here.
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QProcess>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QtTest>

#include <climits>
#include <cmath>

#include "bert/teacher_options.h"
#include "compress/compress_options.h"
#include "data/prepare_options.h"
#include "dist/dist_options.h"
#include "student/distill_options.h"
#include "ui/common/device_setting.h"
#include "ui/common/option_form.h"
#include "ui/compress/compress_panel.h"
#include "ui/data/data_panel.h"
#include "ui/distill/distill_panel.h"
#include "ui/jobs/job_runner.h"
#include "ui/logits/logits_panel.h"
#include "ui/shell/preferences_dialog.h"
#include "ui/teacher/teacher_panel.h"

namespace {

QString kdwHelp(const QString& verb) {
  QProcess p;
  p.start(QStringLiteral(KDW_BINARY_DIR "/app/kdw/kdw"), {verb, QStringLiteral("--help")});
  if (!p.waitForFinished(30000) || p.exitCode() != 0) return {};
  return QString::fromUtf8(p.readAllStandardOutput());
}

// The help line of --name: from "  --name" to the next option's line.
QString helpEntry(const QString& help, const std::string& name) {
  const QRegularExpression re(QStringLiteral("\\n  --%1[ \\n]").arg(QString::fromStdString(name)));
  const QRegularExpressionMatch m = re.match(help);
  if (!m.hasMatch()) return {};
  const qsizetype next = help.indexOf(QStringLiteral("\n  --"), m.capturedEnd());
  return help.mid(m.capturedStart(), next < 0 ? -1 : next - m.capturedStart()).simplified();
}

void checkHelp(const std::vector<kdw::OptionSpec>& specs, const QString& verb) {
  const QString help = kdwHelp(verb);
  QVERIFY2(!help.isEmpty(), qPrintable(verb));
  for (const kdw::OptionSpec& s : specs) {
    const QString entry = helpEntry(help, s.name);
    if (!s.on_cli()) {
      QVERIFY2(entry.isEmpty(), qPrintable(verb + ": --" + QString::fromStdString(s.name)));
      continue;
    }
    QVERIFY2(!entry.isEmpty(), qPrintable(verb + ": no --" + QString::fromStdString(s.name)));
    QVERIFY2(entry.contains(QString::fromStdString(s.help).simplified()), qPrintable(entry));
    const QString def = QString::fromStdString(kdw::option_text(s.default_value));
    if (s.required())
      QVERIFY2(entry.endsWith(QStringLiteral("(required)")), qPrintable(entry));
    else if (s.kind != kdw::OptionKind::kFlag && !def.isEmpty())
      QVERIFY2(entry.endsWith(QStringLiteral("[default: %1]").arg(def)), qPrintable(entry));
    for (const std::string& c : s.choices)
      QVERIFY2(entry.contains(QString::fromStdString(c)), qPrintable(entry));
  }
}

// The form widget of every form option: kind, default, limits, tooltip.
void checkForm(const std::vector<kdw::OptionSpec>& specs, QWidget& panel) {
  for (const kdw::OptionSpec& s : specs) {
    QWidget* w = panel.findChild<QWidget*>(QString::fromStdString(s.name));
    const QString name = QString::fromStdString(s.name);
    if (!s.on_form()) {
      QVERIFY2(!w, qPrintable(name));
      continue;
    }
    QVERIFY2(w, qPrintable("no form field " + name));
    QCOMPARE(w->toolTip(), QString::fromStdString(s.help));
    switch (s.kind) {
      case kdw::OptionKind::kInteger: {
        auto* b = qobject_cast<QSpinBox*>(w);
        QVERIFY2(b, qPrintable(name));
        QCOMPARE(b->value(), int(std::get<int64_t>(s.default_value)));
        QCOMPARE(b->minimum(), int(std::max<int64_t>(s.min, INT_MIN)));
        QCOMPARE(b->maximum(), int(std::min<int64_t>(s.max, INT_MAX)));
        break;
      }
      case kdw::OptionKind::kNumber: {
        auto* b = qobject_cast<QDoubleSpinBox*>(w);
        QVERIFY2(b, qPrintable(name));
        QCOMPARE(b->value(), std::get<double>(s.default_value));
        // The limits are inside the table's range: the form cannot offer a refused value.
        QVERIFY(b->minimum() >= s.range.lo);
        QVERIFY(!s.range.lo_open || b->minimum() > s.range.lo);
        QVERIFY(b->maximum() <= s.range.hi);
        QVERIFY(!s.range.hi_open || b->maximum() < s.range.hi);
        break;
      }
      case kdw::OptionKind::kChoice: {
        auto* b = qobject_cast<QComboBox*>(w);
        QVERIFY2(b, qPrintable(name));
        QCOMPARE(b->count(), int(s.choices.size()));
        for (int i = 0; i < b->count(); ++i)
          QCOMPARE(b->itemText(i), QString::fromStdString(s.choices[i]));
        QCOMPARE(b->currentText(), QString::fromStdString(std::get<std::string>(s.default_value)));
        break;
      }
      case kdw::OptionKind::kFlag: {
        auto* b = qobject_cast<QCheckBox*>(w);
        QVERIFY2(b, qPrintable(name));
        QCOMPARE(b->isChecked(), std::get<bool>(s.default_value));
        break;
      }
      case kdw::OptionKind::kText:
      case kdw::OptionKind::kPath:
        QVERIFY2(qobject_cast<QLineEdit*>(w), qPrintable(name));
        break;
    }
  }
}

// Every form option is saved under its name in the panel's settings group.
template <class Panel>
void checkSettings(const std::vector<kdw::OptionSpec>& specs, Panel& panel, const QString& group) {
  QSettings settings;
  settings.clear();
  panel.saveSettings(settings);
  settings.beginGroup(group);
  QStringList expected;
  for (const kdw::OptionSpec& s : specs)
    if (s.on_form()) expected << QString::fromStdString(s.name);
  const QStringList keys = settings.childKeys();
  for (const QString& key : expected) QVERIFY2(keys.contains(key), qPrintable(group + "/" + key));
  settings.endGroup();
  settings.clear();
}

// config.json: every option by name, and reading it back gives the values written.
template <class O>
void checkJson(const kdw::OptionTable<O>& table) {
  O o;
  const nlohmann::json defaults = table.to_json(o);
  for (const auto& e : table.entries())
    QVERIFY2(defaults.contains(e.spec.name) == !e.spec.optional(), e.spec.name.c_str());
  // Change every non-path option to another accepted value and read it back.
  for (const auto& e : table.entries()) {
    const kdw::OptionSpec& s = e.spec;
    kdw::OptionValue v;
    switch (s.kind) {
      case kdw::OptionKind::kInteger:
        v = s.max > s.min ? s.min + 1 : s.min;
        break;
      case kdw::OptionKind::kNumber:
        v = s.range.lo + (std::isinf(s.range.hi) ? 1.5 : (s.range.hi - s.range.lo) / 3);
        break;
      case kdw::OptionKind::kChoice:
        v = s.choices.back();
        break;
      case kdw::OptionKind::kFlag:
        v = !(s.optional() ? false : std::get<bool>(s.default_value));
        break;
      default:
        v = std::string("some/where");
        break;
    }
    table.set(o, s.name, v);
  }
  O back;
  table.from_json(back, nlohmann::json::parse(table.to_json(o).dump()));
  QCOMPARE(QString::fromStdString(table.to_json(back).dump()),
           QString::fromStdString(table.to_json(o).dump()));
}

}  // namespace

class TestOptionTables : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

  void distillTableMakesHelpFormSettingsAndConfig() {
    const auto specs = kdw::distill_option_table().specs();
    checkHelp(specs, QStringLiteral("distill"));
    JobRunner runner;
    DistillPanel panel(&runner);
    checkForm(specs, panel);
    checkSettings(specs, panel, QStringLiteral("distill"));
    checkJson(kdw::distill_option_table());
    // A run's config.json is the table's JSON plus what the run found.
    kdw::DistillOptions o;
    QCOMPARE(QString::fromStdString(o.to_json().dump()),
             QString::fromStdString(kdw::distill_option_table().to_json(o).dump()));
  }

  void prepareTableMakesHelpFormAndSettings() {
    const auto specs = kdw::prepare_option_table().specs();
    checkHelp(specs, QStringLiteral("prepare"));
    JobRunner runner;
    DataPanel data(&runner);
    checkForm(specs, data);
    checkSettings(specs, data, QStringLiteral("data"));
  }

  // The Compress panel's cut options are the compress table's form options, exactly: each
  // one's widget by name, kind, default, limits and help, no widget for the others, and the
  // panel's settings by option name.
  void compressTableMakesHelpFormSettingsAndConfig() {
    const auto specs = kdw::compress_option_table().specs();
    checkHelp(specs, QStringLiteral("compress"));
    JobRunner runner;
    CompressPanel panel(&runner);
    checkForm(specs, panel);
    checkSettings(specs, panel, QStringLiteral("compress"));
    checkJson(kdw::compress_option_table());
    int onForm = 0;
    for (const kdw::OptionSpec& s : specs) onForm += s.on_form();
    QVERIFY(onForm > 0);
  }

  void teacherTablesMakeHelpFormsAndSettings() {
    JobRunner runner;
    const auto finetune = kdw::finetune_option_table().specs();
    checkHelp(finetune, QStringLiteral("finetune"));
    TeacherPanel teacher(&runner);
    checkForm(finetune, teacher);
    checkSettings(finetune, teacher, QStringLiteral("teacher"));
    checkJson(kdw::finetune_option_table());
    const auto logits = kdw::logits_option_table().specs();
    checkHelp(logits, QStringLiteral("logits"));
    LogitsPanel panel(&runner);
    checkForm(logits, panel);
    checkSettings(logits, panel, QStringLiteral("logits"));
    checkJson(kdw::logits_option_table());
  }

  // The dist table: every record a flag of the verbs that run as several processes; its form
  // records (nproc) the Preferences' fields, by name, with the record's range, default and
  // tooltip; the worker count saved under the record's name and read back within its range.
  void distTableMakesFlagsPreferencesAndSettings() {
    const auto specs = kdw::dist::dist_option_table().specs();
    for (const char* verb : {"finetune", "logits", "distill"}) checkHelp(specs, verb);
    PreferencesDialog dialog;
    checkForm(specs, dialog);
    checkJson(kdw::dist::dist_option_table());
    const kdw::OptionSpec& nproc = kdw::dist::dist_option_table().find("nproc")->spec;
    QVERIFY(nproc.on_form());
    dialog.setWorkers(int(nproc.max));
    QCOMPARE(dialog.workers(), int(nproc.max));

    QSettings settings;
    settings.clear();
    QCOMPARE(jobWorkers(), int(std::get<int64_t>(nproc.default_value)));
    saveJobWorkers(3);
    QCOMPARE(settings.allKeys(), QStringList{QString::fromStdString(nproc.name)});
    QCOMPARE(jobWorkers(), 3);
    settings.setValue(QString::fromStdString(nproc.name), qlonglong(nproc.max));
    QCOMPARE(jobWorkers(), int(nproc.max));
    for (const qlonglong bad : {qlonglong(nproc.min - 1), qlonglong(nproc.max + 1)}) {
      settings.setValue(QString::fromStdString(nproc.name), bad);
      QCOMPARE(jobWorkers(), int(std::get<int64_t>(nproc.default_value)));
    }
    // Saved as "workers" before the record: read under the record's name from then on.
    settings.clear();
    settings.setValue("workers", 2);
    QCOMPARE(jobWorkers(), 2);
    QCOMPARE(settings.allKeys(), QStringList{QString::fromStdString(nproc.name)});
    settings.clear();
  }

  // The Data panel's settings are the prepare table's form options plus its split, each under
  // the table's name, and they read back into a new panel (the split through the table's
  // parser: "70:15:15").
  void dataSettingsRoundTripThroughTheTable() {
    QSettings settings;
    settings.clear();
    JobRunner runner;
    {
      DataPanel data(&runner);
      auto* format = data.findChild<QComboBox*>("format");
      auto* encoding = data.findChild<QComboBox*>("encoding");
      auto* train = data.findChild<QSpinBox*>("split_train");
      auto* dev = data.findChild<QSpinBox*>("split_dev");
      auto* test = data.findChild<QSpinBox*>("split_test");
      QVERIFY(format && encoding && train && dev && test);
      format->setCurrentText("tsv");
      encoding->setCurrentText("cp1251");
      data.findChild<QCheckBox*>("lower")->setChecked(true);
      data.findChild<QSpinBox*>("seed")->setValue(7);
      train->setValue(70);
      dev->setValue(15);
      test->setValue(15);
      data.saveSettings(settings);
    }
    settings.beginGroup("data");
    const QStringList keys = settings.childKeys();
    settings.endGroup();
    for (const QString& key : keys) {
      const auto* e = kdw::prepare_option_table().find(key.toStdString());
      QVERIFY2(e, qPrintable("data/" + key + " is no option of the prepare table"));
      QVERIFY2(e->spec.on_form() || key == QLatin1String("split"), qPrintable(key));
    }
    QCOMPARE(settings.value("data/split").toString(), QStringLiteral("70:15:15"));
    QCOMPARE(settings.value("data/format").toString(), QStringLiteral("tsv"));

    DataPanel back(&runner);
    back.loadSettings(settings);
    QCOMPARE(back.findChild<QComboBox*>("format")->currentText(), QStringLiteral("tsv"));
    QCOMPARE(back.findChild<QComboBox*>("encoding")->currentText(), QStringLiteral("cp1251"));
    QVERIFY(back.findChild<QCheckBox*>("lower")->isChecked());
    QCOMPARE(back.findChild<QSpinBox*>("seed")->value(), 7);
    QCOMPARE(back.findChild<QSpinBox*>("split_train")->value(), 70);
    QCOMPARE(back.findChild<QSpinBox*>("split_dev")->value(), 15);
    QCOMPARE(back.findChild<QSpinBox*>("split_test")->value(), 15);

    // Settings of the old panel (train/dev/test as three keys) are read as the split.
    settings.clear();
    settings.setValue("data/train", 80);
    settings.setValue("data/dev", 10);
    settings.setValue("data/test", 10);
    DataPanel old(&runner);
    old.loadSettings(settings);
    QVERIFY(!settings.contains("data/train"));
    QCOMPARE(settings.value("data/split").toString(), QStringLiteral("80:10:10"));
    settings.clear();
  }

  // The form hands its values to the engine through the table, which checks them.
  void formValuesReachTheOptions() {
    JobRunner runner;
    DistillPanel panel(&runner);
    panel.findChild<QSpinBox*>("hidden_size")->setValue(77);
    panel.findChild<QComboBox*>("distill_loss")->setCurrentText("kl");
    OptionForm form(kdw::distill_option_table().specs(), &panel);
    form.setValue("hidden_size", int64_t(77));
    kdw::DistillOptions o;
    form.applyTo(kdw::distill_option_table(), o);
    QCOMPARE(o.hidden_size, int64_t(77));
  }

  // Saved before the table: the teacher's patience field is read under its option name.
  void oldTeacherSettingsAreMigratedByName() {
    QSettings settings;
    settings.clear();
    settings.setValue("teacher/patience", 4);
    JobRunner runner;
    TeacherPanel teacher(&runner);
    teacher.loadSettings(settings);
    QCOMPARE(teacher.findChild<QSpinBox*>("early_stopping")->value(), 4);
    QVERIFY(!settings.contains("teacher/patience"));
    settings.clear();
  }

  // The Data panel saved its cleaning options by position (clean0..clean8); they are read into
  // the options' names and saved by name from then on.
  void oldCleaningSettingsAreMigratedByName() {
    QSettings settings;
    settings.clear();
    settings.setValue("data/clean0", false);  // nfc
    settings.setValue("data/clean3", true);   // lower
    settings.setValue("data/clean8", false);  // drop_duplicates
    JobRunner runner;
    DataPanel data(&runner);
    data.loadSettings(settings);
    QCOMPARE(data.findChild<QCheckBox*>("nfc")->isChecked(), false);
    QCOMPARE(data.findChild<QCheckBox*>("lower")->isChecked(), true);
    QCOMPARE(data.findChild<QCheckBox*>("drop_duplicates")->isChecked(), false);
    QCOMPARE(data.findChild<QCheckBox*>("drop_empty")->isChecked(), true);  // default
    data.saveSettings(settings);
    for (const QString& key : settings.allKeys())
      QVERIFY2(!key.startsWith("data/clean"), qPrintable(key));
    for (const char* name : {"nfc", "remove_control", "collapse_whitespace", "lower", "mask_urls",
                             "mask_emails", "mask_numbers", "drop_empty", "drop_duplicates"})
      QVERIFY2(settings.contains(QStringLiteral("data/") + name), name);
    settings.clear();
  }
};

QTEST_MAIN(TestOptionTables)
#include "test_option_tables.moc"
