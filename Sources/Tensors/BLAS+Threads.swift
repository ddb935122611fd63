#if canImport(Accelerate)
import Accelerate
#else
import CBLAS
#endif
import Foundation

extension BLAS {
    /// BLAS threads in use (OpenBLAS); 1 elsewhere.
    public static var threads: Int {
        #if canImport(Accelerate)
        return 1
        #else
        return Int(openblas_get_num_threads())
        #endif
    }

    /// recsh's default: one BLAS thread (a second bought nothing on our
    /// shapes on 2 vCPUs) and both cores for recsh's own sparse kernels.
    /// Call once at startup; `configure(threads:)` overrides both.
    public static func useDefaultThreads() {
        setThreads(1)
        Parallel.threads = min(2, max(1, ProcessInfo.processInfo.activeProcessorCount))
    }

    /// Uses `n` threads (benchmarks, `set threads=`): recsh's own kernels
    /// (sparse products, attention, evaluation) split into `n` chunks, while
    /// BLAS keeps one thread: on our small GEMMs a second OpenBLAS thread
    /// bought nothing (measured: 0.417 against 0.419 s per GCN epoch) and its
    /// spin-waiting takes the second core from the sparse kernels.
    public static func configure(threads n: Int) {
        setThreads(1)
        Parallel.threads = max(1, n)
    }

    /// sgemm GFLOP/s on an m x k times k x n product: the median of `repeats`
    /// timed runs (after one warm-up), 2mnk flops per run.
    public static func gemmGFLOPS(m: Int, k: Int, n: Int, repeats: Int = 9) -> Double {
        var rng = SeededGenerator(seed: 1, stream: "bench.gemm")
        let a = Matrix.uniform(rows: m, cols: k, low: -1, high: 1, using: &rng)
        let b = Matrix.uniform(rows: k, cols: n, low: -1, high: 1, using: &rng)
        var c = Matrix(rows: m, cols: n)
        gemm(a, b, into: &c)
        let inner = max(1, Int(2e8 / Double(2 * m * k * n)))  // ~0.2 GFLOP per timed sample
        var samples: [Double] = []
        for _ in 0..<max(1, repeats) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<inner { gemm(a, b, into: &c) }
            let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            samples.append(2 * Double(m * k * n) * Double(inner) / dt / 1e9)
        }
        return samples.sorted()[samples.count / 2]
    }

    /// The product shapes one GCN training step runs (ML-100K: 2625 nodes,
    /// hidden 128, out 64, 42 input features), with their GFLOP/s.
    public static func benchmarkTrainingShapes(nodes: Int = 2625, input: Int = 42, hidden: Int = 128, out: Int = 64,
                                               repeats: Int = 9) -> [(shape: String, gflops: Double)] {
        let shapes = [(nodes, input, hidden), (nodes, hidden, out), (hidden, nodes, out), (nodes, out, hidden),
                      (943, out, 1682)]
        return shapes.map { s in ("\(s.0)x\(s.1)x\(s.2)", gemmGFLOPS(m: s.0, k: s.1, n: s.2, repeats: repeats)) }
    }
}
