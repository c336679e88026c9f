// glibc's allocator controls (mallopt, malloc_trim), for `serve`'s HeapTrim.
#include <malloc.h>
