#if canImport(Glibc)
import Glibc
#endif

/// Keeps glibc from returning every freed megabyte-sized matrix to the OS.
///
/// A training step allocates a few dozen node-space matrices (up to 1.3 MB
/// each on ML-100K) and frees them at its end. With glibc's defaults those
/// blocks are mmapped and unmapped, or trimmed off the heap, every step, and
/// the next step pays a page fault per 4 KB page (7% of a GCN epoch in a
/// profile). Raising the mmap and trim thresholds to 32 MB lets the heap keep
/// that memory between steps. Called by the trainer; idempotent; no-op off glibc.
public enum MemoryTuning {
    nonisolated(unsafe) private static var done = false

    public static func keepFreedMatricesMapped() {
        #if canImport(Glibc)
        if done { return }
        done = true
        _ = glibcMallopt(-3, 32 << 20)  // M_MMAP_THRESHOLD (malloc.h)
        _ = glibcMallopt(-1, 32 << 20)  // M_TRIM_THRESHOLD
        #endif
    }
}

#if canImport(Glibc)
/// glibc's `int mallopt(int, int)`; malloc.h is not part of the Glibc module.
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
