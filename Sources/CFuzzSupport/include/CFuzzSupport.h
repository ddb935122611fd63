#ifndef RECSH_FUZZ_SUPPORT_H
#define RECSH_FUZZ_SUPPORT_H
#include <stddef.h>
#include <stdint.h>

/// libFuzzer's entry for a program with its own main (LLVM 11 and later);
/// linked only in the `-sanitize=fuzzer` build (`make fuzz`).
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

/// For the seeded driver (no libFuzzer): on SIGILL, SIGTRAP, SIGSEGV,
/// SIGBUS, SIGFPE or SIGABRT, write the input being run to `path` (with
/// async-signal-safe calls only), then die of the same signal.
void recsh_fuzz_install_crash_saver(const char *path);

/// The input the crash saver writes if the process dies now (not copied).
void recsh_fuzz_set_current_input(const uint8_t *data, size_t size);

#endif
