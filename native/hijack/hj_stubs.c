/*
 * The interposed libc functions that are a system call with the very same
 * arguments: generated from syscalls/table.mjs (each entry's `libc` list).
 * Everything else is hand-written (hj_libc.c and its neighbours).
 *
 * Only the headers for the argument types come in here, none that
 * declares the functions: the *64 names are defined with the call's own
 * types (struct stat for fstat64 ...), the same layout on x86-64.
 */
#include <stdint.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include "hj_int.h"

/* their prototypes are libc's, in headers this file leaves out */
#pragma GCC diagnostic ignored "-Wmissing-prototypes"

#define EXPORT	__attribute__((visibility("default")))

#include "gen/hijack_stubs.inc"
