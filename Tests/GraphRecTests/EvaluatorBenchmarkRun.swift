import Foundation
import Testing
@testable import GraphRec

/// Benchmarks, not tests: run with RECSH_BENCH=1 (and RECSH_BENCH_ITEMS=N for
/// `lsh bench`); they print figures and assert nothing about time.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["RECSH_BENCH"] != nil))
struct EvaluatorBenchmarkRun {
    @Test func evaluatorUsersPerSecond() throws {
        for workers in [1, 2] {
            let f = try EvaluatorBenchmark.run(workers: workers)
            #expect(f.users > 0 && f.medianSeconds > 0)  // a measurement: sanity only, never a time limit
            print("BENCH evaluator workers=\(workers) users=\(f.users) median_seconds=\(f.medianSeconds) users_per_second=\(Int(f.usersPerSecond)) gflops=\(f.gflops) min_seconds=\(f.minSeconds) best_users_per_second=\(Int(Double(f.users) / f.minSeconds)) cpu_seconds=\(f.medianCPUSeconds) users_per_cpu_second=\(Int(f.usersPerCPUSecond))")
        }
    }

    @Test func lshBench() throws {
        guard let text = ProcessInfo.processInfo.environment["RECSH_BENCH_ITEMS"], let n = Int(text) else { return }
        var s = LSHBenchmark.Settings()
        s.items = n
        if let q = ProcessInfo.processInfo.environment["RECSH_BENCH_QUERIES"], let nq = Int(q) { s.queries = nq }
        // RECSH_BENCH_GRID="planes=16 tables=8 probe=hamming candidates=100 mips=on bands=8; ..."
        let grid = try ProcessInfo.processInfo.environment["RECSH_BENCH_GRID"].map { text in
            try text.split(separator: ";").map { item in
                var o = OptionValues()
                for pair in item.split(separator: " ") {
                    let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
                    o[kv[0]] = kv[1]
                }
                return try LSHConfiguration(options: o)
            }
        }
        let r = LSHBenchmark.run(s, grid: grid) { print("BENCH lsh \($0)") }
        #expect(!r.points.isEmpty && r.points.allSatisfy { (0...1).contains($0.recallVsExact) })
        print("BENCH lsh items=\(n) exact_qps=\(Int(r.exactQueriesPerSecond)) exact_gflops=\(r.exactGFLOPS)")
        for p in r.points {
            print("BENCH point \(p.configuration.summary) buckets=\(p.bucketsUsed) mean_bucket=\(p.meanBucketSize) max_bucket=\(p.maxBucketSize) cand=\(Int(p.candidatesPerQuery)) recall=\(p.recallVsExact) qps=\(Int(p.queriesPerSecond)) speedup=\(p.speedup) build=\(p.buildSeconds)")
        }
    }
}
