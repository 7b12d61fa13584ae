// The device the GUI's jobs run on, chosen in Preferences and kept in QSettings ("device"):
// "cpu", or "cuda" where LibTorch sees a CUDA GPU; and the number of local processes the
// Teacher and Distill jobs run as ("workers"; > 1: through kdw --nproc, ui/jobs/kdw_process).
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

/// Most workers Preferences offers: more processes than this are not a local job.
constexpr int kMaxJobWorkers = 64;
/// The saved worker count, 1 (in this program) when none or out of range. Safe on any thread.
int jobWorkers();
void saveJobWorkers(int workers);
