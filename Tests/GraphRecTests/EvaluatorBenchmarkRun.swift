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
            print("BENCH evaluator workers=\(workers) users=\(f.users) median_seconds=\(f.medianSeconds) users_per_second=\(Int(f.usersPerSecond)) gflops=\(f.gflops)")
        }
    }

    @Test func lshBench() {
        guard let text = ProcessInfo.processInfo.environment["RECSH_BENCH_ITEMS"], let n = Int(text) else { return }
        var s = LSHBenchmark.Settings()
        s.items = n
        let r = LSHBenchmark.run(s) { print("BENCH lsh \($0)") }
        print("BENCH lsh items=\(n) exact_qps=\(Int(r.exactQueriesPerSecond)) exact_gflops=\(r.exactGFLOPS)")
        for p in r.points {
            print("BENCH point \(p.configuration.summary) buckets=\(p.bucketsUsed) mean_bucket=\(p.meanBucketSize) max_bucket=\(p.maxBucketSize) cand=\(Int(p.candidatesPerQuery)) recall=\(p.recallVsExact) qps=\(Int(p.queriesPerSecond)) speedup=\(p.speedup) build=\(p.buildSeconds)")
        }
    }
}
