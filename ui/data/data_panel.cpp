#include "data/data_panel.h"

#include <QSettings>
#include <QVBoxLayout>

#include "common/panel_util.h"
#include "jobs/job_runner.h"

bool DataPanel::engineAvailable() {
  return false;
}

DataPanel::DataPanel(JobRunner* runner, QWidget* parent) : QWidget(parent), runner_(runner) {
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(makeUnavailableNote(
      tr("Data"), tr("Data preparation (engine/data) is not part of this build yet."), this));
}

void DataPanel::setWorkspace(const QString& root) {
  workspace_ = root;
}
void DataPanel::prepareDemo(const QString&) {}
void DataPanel::loadSettings(QSettings&) {}
void DataPanel::saveSettings(QSettings&) const {}
