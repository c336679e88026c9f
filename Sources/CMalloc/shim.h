// The allocator: mimalloc (libmimalloc-dev), linked into both executables so that it serves
// every allocation, the Swift runtime's, libyaml's and libgit2's included; and its controls
// (mi_option_set, mi_collect) for `serve`'s HeapTrim.
#include <mimalloc.h>
