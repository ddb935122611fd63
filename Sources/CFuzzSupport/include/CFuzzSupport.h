#ifndef RECSH_FUZZ_SUPPORT_H
#define RECSH_FUZZ_SUPPORT_H
#include <stddef.h>
#include <stdint.h>

/// For the seeded driver (no libFuzzer): on SIGILL, SIGTRAP, SIGSEGV,
/// SIGBUS, SIGFPE or SIGABRT, write the input being run to `path` (with
/// async-signal-safe calls only), then die of the same signal.
void recsh_fuzz_install_crash_saver(const char *path);

/// The input the crash saver writes if the process dies now (not copied).
void recsh_fuzz_set_current_input(const uint8_t *data, size_t size);

/// libFuzzer's entry point for a program with its own `main` (the fuzz
/// build only; the plain build never calls it).
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
