// Teacher panel: pick a pretrained BERT folder, fine-tune it on the workspace's bert_data
// (kdw::run_finetune) with live loss and dev curves, then show the best epoch's dev results.
#pragma once

#include <QElapsedTimer>
#include <QJsonObject>
#include <QWidget>

#include <filesystem>
#include <functional>
#include <memory>

#include "ui/common/form_settings.h"
#include "ui/jobs/job_runner.h"
#include "ui/teacher/confusion_table.h"

class OptionForm;
class LiveChart;
class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSettings;
class QTableWidget;
struct TeacherSettings;
namespace kdw {
struct BertFolderInfo;
}

class TeacherPanel : public QWidget {
  Q_OBJECT

 public:
  TeacherPanel(JobRunner* runner, QWidget* parent = nullptr);
  ~TeacherPanel() override;
  /// Lists the pretrained folders and shows the workspace's fine-tuned teacher (its curves from
  /// metrics.jsonl and its best dev results from finetune.json) when there is one.
  void setWorkspace(const QString& root);
  /// Re-reads the workspace when no job of this panel runs (after any job).
  void refresh();
  /// Shows the live curves and progress of a fine-tune job submitted elsewhere (the demo), and
  /// its options in the form: "bert_folder", "epochs", "lr", "batch_size" when given.
  void followJob(int id, const QJsonObject& options = {});
  void loadSettings(QSettings& settings);
  void saveSettings(QSettings& settings) const;
  /// Starts fine-tuning with the form's options (also the Start button); returns the job id.
  int start(bool resume = false);
  /// Offers a BERT folder outside the workspace (DeepPavlov or Hugging Face layout, checked by
  /// the engine's inspect_bert_folder as `kdw bert-info` does) for fine-tuning in place. The
  /// check is a light job, off the UI thread ("Checking…" meanwhile): the folder is selected
  /// when it passes, else the reason is shown. Returns the check's job id. Also the "Use a BERT
  /// folder…" button.
  int useBertFolder(const QString& dir);
  /// The folder Start would fine-tune: a name under files/bert/ or an absolute path.
  QString currentBertFolder() const;
  /// Copies the chosen folder from elsewhere into files/bert/<name> (default: its own name) as a
  /// job (kdw::copy_bert_folder), then selects the copy. A folder of that name is never
  /// replaced: the user keeps it aside, gives another name or cancels. Returns the job id, 0
  /// when nothing was started. Also the "Copy into workspace" button.
  int copyIntoWorkspace(const QString& name = QString());
  /// Writes the demo's small BERT config (kdw::write_small_bert: 2 layers, hidden 128, no
  /// weights) into files/bert/<name> (default "small_bert") as a job, then selects it, ready
  /// for Start to train it from scratch. Same question when the name is taken. Returns the job
  /// id, 0 when nothing was started. Also the "Small BERT from scratch" button.
  int smallBertFromScratch(const QString& name = QString());
  /// The running copy job of this panel, 0 when none.
  int copyJob() const { return copy_job_; }
  /// What the panel says about the selected folder (layout, sizes, "Checking…", or why not).
  QString folderInfoText() const;
  /// The warning shown when the selected folder's vocabulary is not the one the workspace's
  /// teacher data was prepared with (kdw::bert_vocab_problem, found by the folder's check);
  /// empty when there is none.
  QString vocabWarningText() const;
  /// The warning's button: prepare the data again with the selected folder's vocab.txt.
  QPushButton* prepareWithVocabButton() const { return prepare_vocab_; }
  /// The function that inspects a folder (default kdw::inspect_bert_folder); tests wrap it to
  /// see where it runs. It is called on a light job's thread, never on the UI thread.
  using Inspector = std::function<kdw::BertFolderInfo(const std::filesystem::path&)>;
  void setInspector(Inspector inspector) { inspector_ = std::move(inspector); }

  QPushButton* startButton() const { return start_; }
  QPushButton* stopButton() const { return stop_; }
 Q_SIGNALS:
  /// The vocabulary warning's button: the data should be prepared again with `vocabFile`.
  void prepareWithVocab(const QString& vocabFile);

 public:
  LiveChart* lossChart() const { return loss_; }
  LiveChart* devChart() const { return dev_; }
  ConfusionTable* resultsTable() const { return confusion_; }
  QString devSummary() const;
  /// The line in the form saying whose settings it shows (the fine-tuned teacher's, or not,
  /// with a link that shows them); its tooltip gives the details. Hidden when there is no
  /// teacher or a fine-tuning runs.
  QLabel* settingsNote() const { return settings_note_; }
  /// The line under the buttons (job state, or the saved teacher and its best epoch).
  QString statusText() const;
  bool canResume() const;

 private:
  std::vector<FormField> formFields() const;
  void inspect();
  /// Runs the inspector on `dir` as a light job; returns its id.
  int submitInspection(const std::filesystem::path& dir);
  void showFolderInfo(const kdw::BertFolderInfo& info);
  /// Shows (or hides, for an empty `problem`) the vocabulary warning for `vocabFile`.
  void showVocabProblem(const QString& problem, const QString& vocabFile);
  /// prepare.json's mtime in ms (0 when absent).
  static qint64 prepareStamp(const QString& root);
  void onMetrics(int id, const QJsonArray& records);
  void addRecord(const QJsonObject& record);
  void showDev(const QJsonObject& dev);
  void showFinetuned();
  /// Reads finetune.json's options into teacher_settings_ (reset when there is no teacher).
  void loadTeacherSettings();
  /// Puts teacher_settings_ in the form and selects the folder it started from when listed.
  void applyTeacherSettings();
  void updateSettingsNote();
  /// Caps the max_seq_len field at the chosen model's max_position_embeddings.
  void capSeqLen(int positions);
  void updateResume();
  void updateFolderButtons();
  /// The name under files/bert/ a new folder takes, starting from `name`: asked again while it
  /// is taken (keep the old one aside, another name, cancel); empty when cancelled.
  QString freeFolderName(QString name);
  int submitCopy(const QString& title, const QString& name, JobRunner::JobFn fn, bool light);
  /// Sets the form to the demo recipe's teacher settings; returns them as "Label value, …".
  QString useScratchSettings();
  void onProgress(int id, const QString& stage, qint64 done, qint64 total, const QString& msg);

  JobRunner* runner_;
  QString workspace_;
  int job_ = 0;
  QComboBox* folder_ = nullptr;
  QStringList external_;  ///< BERT folders outside files/bert/ the user chose (absolute paths)
  QLabel* folder_info_ = nullptr;
  QLabel* vocab_warning_ = nullptr;
  QPushButton* prepare_vocab_ = nullptr;
  QString vocab_file_;         ///< the selected folder's vocab.txt, for prepare_vocab_
  qint64 prepare_stamp_ = -1;  ///< prepare.json's mtime when the folder was last checked
  Inspector inspector_;
  int inspect_job_ = 0;              ///< the latest inspection of the selected folder
  std::filesystem::path inspected_;  ///< the folder it inspects
  int use_job_ = 0;                  ///< the latest check of a folder from elsewhere
  QString use_folder_;               ///< that folder (absolute)
  QPushButton* copy_ = nullptr;
  QPushButton* scratch_ = nullptr;
  int copy_job_ = 0;     ///< the running copy or small-BERT job
  QString copy_name_;    ///< the folder it writes under files/bert/
  QString copy_source_;  ///< the folder from elsewhere it copies (empty: small BERT)
  /// The hyper-parameters, made from kdw::finetune_option_table().
  std::unique_ptr<OptionForm> options_;
  /// The fine-tuned teacher's settings (finetune.json), null when the workspace has none.
  std::unique_ptr<TeacherSettings> teacher_settings_;
  QLabel* settings_note_ = nullptr;
  int seq_cap_ = 0;  ///< the selected folder's max_position_embeddings (0: not known yet)
  QPushButton* start_ = nullptr;
  QPushButton* stop_ = nullptr;
  QPushButton* resume_ = nullptr;
  QLabel* status_ = nullptr;
  QString failure_;  ///< the last failure shown in status_ (cleared by another folder's choice)
  QProgressBar* bar_ = nullptr;
  QElapsedTimer clock_;
  qint64 finetune_stamp_ = -1;  ///< finetune.json's mtime when it was shown
  LiveChart* loss_ = nullptr;
  LiveChart* dev_ = nullptr;
  int loss_series_ = 0, acc_series_ = 0, f1_series_ = 0;
  ConfusionTable* confusion_ = nullptr;
  QLabel* dev_summary_ = nullptr;
  QStringList labels_;
};
