#if canImport(Glibc)
import Glibc
#endif

/// glibc's allocator returns large freed blocks (above a 128 KiB-32 MiB
/// adaptive threshold) to the kernel, so a training step that allocates
/// the same few-MB matrices every batch page-faults them in afresh each
/// time: on GAT training that was about a fifth of the CPU time. Keeping
/// freed memory in the heap removes that cost; the process then holds on to
/// its peak footprint (tens of MB for ML-100K models).
public enum AllocatorTuning {
    /// Serve blocks up to 256 MiB from the heap and never trim it below
    /// 1 GiB. Process-wide and idempotent: call once at startup. No-op off glibc.
    public static func keepFreedMemory() {
        #if canImport(Glibc)
        // mallopt is declared in <malloc.h>, which Swift's Glibc module does
        // not export: look it up once. Parameters from malloc.h.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        let trimThreshold: Int32 = -1, mmapThreshold: Int32 = -3
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        _ = mallopt(mmapThreshold, 256 << 20)
        _ = mallopt(trimThreshold, 1 << 30)
        #endif
    }
}
