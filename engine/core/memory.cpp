#include "core/memory.h"

#include <malloc.h>

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

}  // namespace kdw
