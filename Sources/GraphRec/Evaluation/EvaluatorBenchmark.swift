import Tensors
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Speed of the production evaluator on ML-100K shapes, for `bench`.
///
/// Synthetic but shaped like the real thing: 943 users x 1682 movies x 64
/// dims, about 70 excluded and 9 target movies per user (ML-100K's warm
/// split averages). Returns the median users/second over `runs`.
public enum EvaluatorBenchmark {
    public struct Figure: Sendable {
        public var users: Int
        public var items: Int
        public var dimension: Int
        public var runs: Int
        public var medianSeconds: Double
        public var usersPerSecond: Double
        /// Scoring GFLOP/s implied by the median (2 * users * items * dim / time).
        public var gflops: Double
        /// Fastest run: what an idle machine gives.
        public var minSeconds: Double
        /// Median process CPU seconds per evaluation (all threads): insensitive to
        /// other processes sharing the cores, so users per CPU-second is the load-independent figure.
        public var medianCPUSeconds: Double
        public var usersPerCPUSecond: Double
    }

    public static func run(users: Int = 943, items: Int = 1682, dimension: Int = 64, runs: Int = 21,
                           workers: Int = Parallel.defaultWorkers, blockSize: Int = 256, seed: UInt64 = 0) throws -> Figure {
        var rng = SeededGenerator(seed: seed, stream: "eval-bench")
        let e = Embeddings(users: Matrix.normal(rows: users, cols: dimension, std: 0.3, using: &rng),
                           items: Matrix.normal(rows: items, cols: dimension, std: 0.3, using: &rng))
        var targets: [[Int]] = [], excluded: [[Int]] = []
        for _ in 0..<users {
            var ex: Set<Int> = [], t: Set<Int> = []
            for _ in 0..<70 { ex.insert(rng.nextInt(below: items)) }
            for _ in 0..<9 { let m = rng.nextInt(below: items); if !ex.contains(m) { t.insert(m) } }
            excluded.append(ex.sorted()); targets.append(t.sorted())
        }
        let evaluator = Evaluator(set: try EvaluationSet(itemCount: items, targets: targets, exclusions: excluded),
                                  k: 10, blockSize: blockSize, workers: workers)
        _ = evaluator.evaluate(e) // warm-up
        var times: [Double] = [], cpu: [Double] = []
        for _ in 0..<runs {
            let c0 = ProcessClock.cpuSeconds()
            times.append(evaluator.evaluate(e).seconds)
            cpu.append(ProcessClock.cpuSeconds() - c0)
        }
        times.sort()
        cpu.sort()
        let median = times[times.count / 2], cpuMedian = cpu[cpu.count / 2]
        let n = evaluator.set.users.count
        return Figure(users: n, items: items, dimension: dimension, runs: runs, medianSeconds: median,
                      usersPerSecond: Double(n) / median,
                      gflops: 2 * Double(n) * Double(items) * Double(dimension) / median / 1e9,
                      minSeconds: times[0], medianCPUSeconds: cpuMedian,
                      usersPerCPUSecond: cpuMedian > 0 ? Double(n) / cpuMedian : 0)
    }
}
