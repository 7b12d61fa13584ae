#include "distill/distill_panel.h"

#include <QSettings>
#include <QVBoxLayout>

#include "common/panel_util.h"
#include "jobs/job_runner.h"

bool DistillPanel::engineAvailable() {
  return false;
}

DistillPanel::DistillPanel(JobRunner* runner, QWidget* parent) : QWidget(parent), runner_(runner) {
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(makeUnavailableNote(
      tr("Distill"), tr("Distillation (engine/student) is not part of this build yet."), this));
}

void DistillPanel::setWorkspace(const QString& root) {
  workspace_ = root;
}
void DistillPanel::loadSettings(QSettings&) {}
void DistillPanel::saveSettings(QSettings&) const {}
