import Foundation

extension BLAS {
    /// The OpenBLAS kernel family to ask for when its own CPU detection would
    /// fail, or nil to leave the choice to OpenBLAS.
    ///
    /// Debian's OpenBLAS 0.3.21 identifies CPUs by model number; a virtual
    /// CPU that reports a generic model ("Intel(R) Xeon(R) Processor") makes
    /// it fall back to the SSE3 "Prescott" kernels, about 10x slower in sgemm
    /// than the AVX2 "Haswell" ones the same CPU runs correctly, and the
    /// AVX-512 "SkylakeX" kernels are faster still where the CPU has them
    /// (measured here on the GCN step's shapes, one thread pinned: about 88
    /// against 72 GFLOP/s). OpenBLAS
    /// reads `OPENBLAS_CORETYPE` once, while the library loads, so the
    /// executable sets it and re-executes itself (see recsh's main.swift).
    /// A value already in the environment is always respected.
    public static func preferredCoreType(environment: [String: String], cpuFlags: Set<Substring>) -> String? {
        #if canImport(Accelerate)
        return nil
        #else
        guard environment["OPENBLAS_CORETYPE"] == nil else { return nil }
        if ["avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"].allSatisfy(cpuFlags.contains) { return "SkylakeX" }
        return cpuFlags.contains("avx2") && cpuFlags.contains("fma") ? "Haswell" : nil
        #endif
    }

    /// The `flags` of the first processor in /proc/cpuinfo (empty elsewhere).
    public static func cpuFlags(cpuinfo path: String = "/proc/cpuinfo") -> Set<Substring> {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " "))
    }
}
