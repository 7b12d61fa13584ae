// The device the GUI's jobs run on, chosen in Preferences and kept in QSettings ("device"):
// "cpu", or "cuda" where LibTorch sees a CUDA GPU; and the number of local processes the
// Teacher and Distill jobs run as (> 1: through kdw --nproc, ui/jobs/kdw_process), kept under
// the name of its record, dist::dist_option_table()'s "nproc", which also gives its range.
#pragma once

#include <string>

#include <QString>

/// Whether the GPU can be offered: this LibTorch build has CUDA and sees a usable GPU.
bool cudaDeviceAvailable();
/// The device for the next job: the saved choice, but "cpu" whenever CUDA is not available
/// (a setting saved on another machine or build never sends a job to a missing GPU). Safe on a
/// job's worker thread (its own QSettings).
std::string jobDevice();
/// Saves "cpu" or "cuda".
void saveJobDevice(const QString& device);

/// The saved worker count; the record's default (1: in this program) when none or out of the
/// record's range. Reads a count saved as "workers" (before the record) under the record's name.
/// Safe on any thread.
int jobWorkers();
void saveJobWorkers(int workers);
