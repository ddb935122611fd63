import Foundation
import Testing
import Tensors
@testable import GraphRec

/// Runs the training benchmark on ML-100K and prints its medians. Slow, so
/// only with RECSH_BENCH=1 (`RECSH_BENCH=1 swift test -c release --filter EngineBenchmarkTests`).
@Suite(.serialized, .enabled(if: ML100KTestData.available && ProcessInfo.processInfo.environment["RECSH_BENCH"] != nil))
struct EngineBenchmarkTests {
    @Test func gcnSecondsPerEpochOnOneAndTwoThreads() throws {
        let d = try ML100KTestData.load()
        print("BENCH BLAS core \(BLAS.coreName)")
        for (shape, gflops) in BLAS.benchmarkTrainingShapes(repeats: 5) {
            print("BENCH sgemm \(shape): \(String(format: "%.1f", gflops)) GFLOP/s")
        }
        for threads in [1, 2] {
            let t = try EngineBenchmarks.secondsPerEpoch(graph: d.graph, epochs: 5, threads: threads)
            print("BENCH gcn+bpr threads=\(threads) core=\(t.blasCore): median wall \(String(format: "%.3f", t.medianSeconds)) s/epoch \(t.epochSeconds.map { String(format: "%.3f", $0) }), median CPU \(String(format: "%.3f", t.medianCPUSeconds)) s/epoch \(t.epochCPUSeconds.map { String(format: "%.3f", $0) }), load \((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?")")
            #expect(t.medianSeconds > 0 && t.epochSeconds.count == 5 && t.batchesPerEpoch == (d.graph.edgeCount + 1023) / 1024)
        }
        #expect(BLAS.threads == 1)  // defaults restored
    }
}
