import Tensors

/// What `lsh planes=N` reports: the index's shape, its quality against
/// exact search (same model, same exclusions) and against the test targets,
/// and both speeds measured the same way (medians over `runs`).
public struct LSHReport: Sendable {
    public var configuration: LSHConfiguration
    public var planes: Int { configuration.planes }
    public var tables: Int { configuration.tables }
    public var probe: LSHConfiguration.Probe { configuration.probe }
    public var mips: Bool { configuration.mips }
    public var k: Int
    public var users: Int
    /// Non-empty buckets summed over tables; mean and largest bucket size.
    public var bucketsUsed: Int
    public var meanBucketSize: Double
    public var maxBucketSize: Int
    /// Mean distinct candidates ranked per user.
    public var candidatesPerUser: Double
    /// Mean fraction of the exact top K that LSH returns.
    public var recallVsExact: Double
    /// Mean metrics of the LSH lists against the targets (`mrrFull` is the
    /// in-list MRR: LSH ranks only its candidates).
    public var metrics: UserMetrics
    /// The same for exact search, for comparison.
    public var exactMetrics: UserMetrics
    public var precision: Double { metrics.precision }
    public var ndcg: Double { metrics.ndcg }
    public var exactPrecision: Double { exactMetrics.precision }
    public var exactNDCG: Double { exactMetrics.ndcg }
    /// Median wall seconds of the LSH search for all users (index build not included).
    public var seconds: Double
    public var usersPerSecond: Double
    public var exactUsersPerSecond: Double
    /// usersPerSecond / exactUsersPerSecond.
    public var speedup: Double
    /// Index build time (hashing and bucketing).
    public var buildSeconds: Double
}

/// LSH against exact search on a model's embeddings (`lsh`, `lsh sweep`).
///
/// Exact search is the evaluator's kernel (`ExactRetriever.topK(queries:)`:
/// blocked GEMM plus the top-K scan); both sides are timed from user
/// embeddings to top-K lists, metrics computed afterwards, untimed.
public enum LSHEvaluation {
    public static func report(embeddings e: Embeddings, set: EvaluationSet, configuration: LSHConfiguration,
                              k: Int = 10, runs: Int = 5) -> LSHReport {
        let users = set.users
        let queries = e.users.gatherRows(users)
        let exclusions = rows(of: set.exclusions, users)
        let buildStart = ContinuousClock.now
        let index = LSHIndex(items: e.items, configuration: configuration)
        let buildSeconds = (ContinuousClock.now - buildStart).seconds
        var exact = TopKLists(queries: 0, k: k)
        let exactTime = median(runs) {
            exact = ExactRetriever.topK(queries: queries, items: e.items, k: k, exclusions: exclusions)
        }
        var lsh = (lists: TopKLists(queries: 0, k: k), candidates: [Int]())
        let lshTime = median(runs) {
            lsh = index.search(queries: queries, items: e.items, k: k, exclusions: exclusions)
        }
        let n = users.count
        let lshMetrics = metrics(lsh.lists, set, users, k), exactMetrics = metrics(exact, set, users, k)
        let ups = n > 0 ? Double(n) / lshTime : 0, eups = n > 0 ? Double(n) / exactTime : 0
        return LSHReport(
            configuration: configuration, k: k, users: n, bucketsUsed: index.bucketsUsed,
            meanBucketSize: index.meanBucketSize, maxBucketSize: index.maxBucketSize,
            candidatesPerUser: n > 0 ? Double(lsh.candidates.reduce(0, +)) / Double(n) : 0,
            recallVsExact: recall(lsh.lists, against: exact),
            metrics: lshMetrics, exactMetrics: exactMetrics, seconds: lshTime,
            usersPerSecond: ups, exactUsersPerSecond: eups, speedup: eups > 0 ? ups / eups : 0,
            buildSeconds: buildSeconds)
    }

    /// One report per plane count, other settings from `base`.
    public static func sweep(embeddings: Embeddings, set: EvaluationSet, planes: ClosedRange<Int> = 1...16,
                             base: LSHConfiguration = LSHConfiguration(planes: 1), k: Int = 10,
                             runs: Int = 3) -> [LSHReport] {
        planes.map { p in
            var c = base
            c.planes = p
            return report(embeddings: embeddings, set: set, configuration: c, k: k, runs: runs)
        }
    }

    /// Mean over queries of |approx ∩ exact| / |exact| (queries with an empty exact list count 1).
    public static func recall(_ approx: TopKLists, against exact: TopKLists) -> Double {
        precondition(approx.queryCount == exact.queryCount && approx.k == exact.k, "lists differ in shape")
        guard exact.queryCount > 0 else { return 0 }
        let k = exact.k
        var total = 0.0
        for q in 0..<exact.queryCount {
            let truth = exact.indices[(q * k)..<(q * k + exact.counts[q])]
            guard !truth.isEmpty else { total += 1; continue }
            let got = approx.indices[(q * k)..<(q * k + approx.counts[q])]
            total += Double(truth.filter(got.contains).count) / Double(truth.count)
        }
        return total / Double(exact.queryCount)
    }

    /// Mean metrics of top-K lists against the set's targets (mrr_full is the in-list MRR here).
    static func metrics(_ lists: TopKLists, _ set: EvaluationSet, _ users: [Int], _ k: Int) -> UserMetrics {
        var per: [UserMetrics] = []
        per.reserveCapacity(users.count)
        for (q, u) in users.enumerated() {
            let targets = set.targets(of: u)
            let list = lists.indices[(q * k)..<(q * k + lists.counts[q])]
            per.append(UserMetrics(k: k, listLength: list.count, targetCount: targets.count, firstTargetRank: nil) {
                targets.contains(list[list.startIndex + $0 - 1])
            })
        }
        return UserMetrics.mean(per)
    }

    /// The rows `users` of a CSR, as a users.count-row CSR.
    static func rows(of m: CSRMatrix, _ users: [Int]) -> CSRMatrix {
        var start = [0], cols: [Int32] = [], vals: [Float] = []
        for u in users {
            cols += m.columns(ofRow: u)
            vals += m.values[m.rowStart[u]..<m.rowStart[u + 1]]
            start.append(cols.count)
        }
        return CSRMatrix(rows: users.count, cols: m.cols, rowStart: start, colIndex: cols, values: vals)
    }

    /// Median wall seconds of `runs` calls of `body`.
    static func median(_ runs: Int, _ body: () -> Void) -> Double {
        var times: [Double] = []
        for _ in 0..<max(1, runs) {
            let t0 = ContinuousClock.now
            body()
            times.append((ContinuousClock.now - t0).seconds)
        }
        times.sort()
        return times.count % 2 == 1 ? times[times.count / 2] : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
    }
}

extension LSHReport {
    /// The mean of reports that differ only in the seed of their planes: one
    /// seed's curve against the plane count is ragged (a lucky or unlucky set
    /// of planes moves recall by several points), the mean over seeds is the
    /// trend. Counts are rounded means; the configuration is the first one's.
    public static func mean(_ reports: [LSHReport]) -> LSHReport? {
        guard var out = reports.first else { return nil }
        let n = Double(reports.count)
        func average(_ value: (LSHReport) -> Double) -> Double { reports.map(value).reduce(0, +) / n }
        out.bucketsUsed = Int(average { Double($0.bucketsUsed) }.rounded())
        out.meanBucketSize = average(\.meanBucketSize)
        out.maxBucketSize = Int(average { Double($0.maxBucketSize) }.rounded())
        out.candidatesPerUser = average(\.candidatesPerUser)
        out.recallVsExact = average(\.recallVsExact)
        out.metrics = UserMetrics.mean(reports.map(\.metrics))
        out.exactMetrics = UserMetrics.mean(reports.map(\.exactMetrics))
        out.seconds = average(\.seconds)
        out.usersPerSecond = average(\.usersPerSecond)
        out.exactUsersPerSecond = average(\.exactUsersPerSecond)
        out.speedup = average(\.speedup)
        out.buildSeconds = average(\.buildSeconds)
        return out
    }
}
