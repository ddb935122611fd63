import Foundation
import Testing
@testable import GraphRec

/// Runs the save/restore benchmark once to show it works and print its medians.
/// Times are reported, never asserted. RECSH_PERSIST_BENCH_RUNS sets the runs
/// (default 3), RECSH_PERSIST_BENCH_DIR where the bundle goes (default a temp dir).
@Suite(.enabled(if: ProcessInfo.processInfo.environment["RECSH_BENCH"] != nil, "benchmark: set RECSH_BENCH=1"))
struct PersistBenchmarkTests {
    @Test func benchmarkReturnsMediansForAnML100KSizedSession() throws {
        let env = ProcessInfo.processInfo.environment
        let runs = env["RECSH_PERSIST_BENCH_RUNS"].flatMap(Int.init) ?? 3
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let directory = env["RECSH_PERSIST_BENCH_DIR"] ?? scratch.path
        let result = try PersistenceBenchmark.run(directory: directory, runs: runs)
        print(String(format: "persist bench: save median %.2f ms, restore median %.2f ms, %d runs, %d bytes, %d tensors, in %@",
                     result.saveMedianSeconds * 1e3, result.restoreMedianSeconds * 1e3, result.runs, result.bytes,
                     result.tensorCount, directory))
        #expect(result.runs == runs)
        #expect(result.saveMedianSeconds > 0 && result.restoreMedianSeconds > 0)
        #expect(result.tensorCount == 3 + 3 * 10)
        #expect(result.bytes > 3 * 2625 * 64 * 4 * 2)
        #expect(!FileManager.default.fileExists(atPath: directory + "/bench"))
    }
}
