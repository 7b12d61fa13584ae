#include "core/memory.h"

#include <malloc.h>
#include <unistd.h>

#include <climits>

namespace kdw {

void keep_freed_memory() {
  mallopt(M_MMAP_MAX, 0);              // large blocks come from the heap, and go back to it
  mallopt(M_TRIM_THRESHOLD, INT_MAX);  // free memory at the heap's top stays
  mallopt(M_ARENA_MAX, 1);             // worker threads share that heap
}

void release_free_memory() {
  malloc_trim(0);
}

int64_t physical_memory_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? int64_t(pages) * int64_t(page) : 0;
}

}  // namespace kdw
