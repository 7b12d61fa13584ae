// Renders the Compress and Runs panels offscreen into PNGs for docs/screenshots (not a test):
//   QT_QPA_PLATFORM=offscreen viewer_screenshots <out_dir>
// The demo workspace is written to a temporary folder: two runs of a small stack_biLSTM whose
// hidden units were scaled down unevenly (as group lasso leaves them), with curves and results.
#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QSlider>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QThread>

#include <cmath>
#include <random>

#include <ATen/ATen.h>
#include <torch/csrc/autograd/grad_mode.h>

#include "compress/compress_panel.h"
#include "compress/heatmap_view.h"
#include "jobs/job_runner.h"
#include "runs/runs_panel.h"
#include "student/student_model.h"

namespace {

void writeText(const QString& path, const QByteArray& text) {
  QFile f(path);
  if (f.open(QIODevice::WriteOnly)) f.write(text);
}

void writeRun(const QString& dir, int64_t hidden, double lr, double final_acc, unsigned seed) {
  QDir().mkpath(dir);
  kdw::StudentModel model(kdw::StudentArch::make(kdw::StudentType::kStackBiLSTM, 3000, 64, hidden,
                                                 2, {"neg", "neu", "pos"}, 0.0));
  std::mt19937 rng(seed);
  std::exponential_distribution<double> decay(1.0);
  {
    torch::NoGradGuard no_grad;
    for (int l = 0; l < 2; ++l)
      for (const char* d : {"fwd", "bwd"}) {
        const std::string prefix = "layers." + std::to_string(l) + "." + d + ".";
        at::Tensor ih = model->param(prefix + "weight_ih");
        at::Tensor hh = model->param(prefix + "weight_hh");
        for (int64_t u = 0; u < hidden; ++u) {
          const double s = std::exp(-2.5 * decay(rng));
          for (int g = 0; g < 4; ++g) {
            ih[g * hidden + u].mul_(s);
            hh[g * hidden + u].mul_(s);
          }
          hh.select(1, u).mul_(s);
        }
      }
  }
  kdw::save_student(model, QDir(dir).filePath("model_distill_stack_biLSTM.pt").toStdString());
  writeText(QDir(dir).filePath("config.json"),
            QStringLiteral(R"({"model_type":"stack_biLSTM","hidden_size":%1,"num_layers":2,)"
                           R"("emb_dim":64,"lr":%2,"epochs":6,"alpha":0.5,"group_lasso":0.001})")
                .arg(hidden)
                .arg(lr)
                .toUtf8());
  QByteArray metrics;
  std::normal_distribution<double> noise(0.0, 0.03);
  for (int step = 10; step <= 600; step += 10)
    metrics += QStringLiteral(R"({"kind":"step","step":%1,"loss":%2})"
                              "\n")
                   .arg(step)
                   .arg(0.4 + 1.2 * std::exp(-step / (150.0 * lr / 0.001)) + noise(rng))
                   .toUtf8();
  for (int e = 1; e <= 6; ++e)
    metrics += QStringLiteral(R"({"kind":"epoch","epoch":%1,"dev":{"accuracy":%2,"macro_f1":%3}})"
                              "\n")
                   .arg(e)
                   .arg(final_acc - 0.25 * std::exp(-e / 1.5))
                   .arg(final_acc - 0.03 - 0.27 * std::exp(-e / 1.5))
                   .toUtf8();
  writeText(QDir(dir).filePath("metrics.jsonl"), metrics);
  writeText(
      QDir(dir).filePath("result.json"),
      QStringLiteral(R"({"model_type":"stack_biLSTM","parameters":%1,"best_epoch":6,)"
                     R"("dev":{"accuracy":%2,"macro_f1":%3},"test":{"accuracy":%4,"macro_f1":%5}})")
          .arg(model->parameter_count())
          .arg(final_acc)
          .arg(final_acc - 0.03)
          .arg(final_acc - 0.01)
          .arg(final_acc - 0.045)
          .toUtf8());
}

void save(QWidget& w, const QString& path) {
  w.show();
  for (int i = 0; i < 20; ++i) {
    QApplication::processEvents();
    QThread::msleep(10);
  }
  w.grab().save(path);
}

}  // namespace

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  const QString out = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QStringLiteral(".");
  QTemporaryDir ws;
  const QString run_a = QDir(ws.path()).filePath("2026-11-24___21-14-05");
  const QString run_b = QDir(ws.path()).filePath("2026-11-25___01-02-44");
  writeRun(run_a, 128, 0.001, 0.86, 1);
  writeRun(run_b, 96, 0.002, 0.83, 2);
  QDir().mkpath(QDir(ws.path()).filePath("files/data"));

  JobRunner jobs;
  CompressPanel compress(&jobs);
  compress.resize(1280, 800);
  compress.setWorkspace(ws.path());
  compress.openRun(run_a);
  compress.thresholdSlider()->setValue(120);
  // Layer 1 is where this threshold picks units: show them veiled in its recurrent matrix.
  for (int i = 0; i < compress.matrixPicker()->count(); ++i)
    if (compress.matrixPicker()->itemText(i).startsWith(QStringLiteral("layers.1.fwd.weight_hh")))
      compress.matrixPicker()->setCurrentIndex(i);
  save(compress, QDir(out).filePath("compress.png"));

  RunsPanel runs(&jobs);
  runs.resize(1280, 800);
  runs.setWorkspace(ws.path());
  runs.selectRows({0});
  runs.tabs()->setCurrentIndex(1);
  save(runs, QDir(out).filePath("runs.png"));
  runs.selectRows({0, 1});
  runs.tabs()->setCurrentIndex(runs.tabs()->count() - 1);
  save(runs, QDir(out).filePath("compare.png"));
  return 0;
}
