// glibc's allocator and large tensors. By default glibc serves each allocation above a dynamic
// threshold (at most 32 MB) with a fresh mmap and hands memory at the top of its heap back to the
// system as soon as it is freed, so every training step faults its activations and gradients in
// again, page by page. At BERT-base size that was about a third of a fine-tuning step (10.1 s ->
// 7.9 s a step once freed memory stays; docs/speed.md).
#pragma once

#include <cstdint>

namespace kdw {

/// Makes freed memory stay in the process for reuse: no mmap per large block, no trimming, one
/// heap shared by all threads (so jobs on worker threads reuse it too). Call once, early in
/// main(), before any threads start; every entry point (kdw, kdw-gui, benchmarks) does.
void keep_freed_memory();

/// Hands the process's free memory back to the system (after a job, so that an idle GUI does not
/// hold the peak of its last training run).
void release_free_memory();

/// The machine's physical memory in bytes (0 when unknown), for checks of what a job would
/// allocate before it does.
int64_t physical_memory_bytes();

}  // namespace kdw
