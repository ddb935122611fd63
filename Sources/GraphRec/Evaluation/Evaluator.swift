import Foundation
import Tensors

/// The outcome of one evaluation: means over users, speed, and per-user
/// metrics for significance tests. A metric reads as the mean's
/// (`result.ndcg` is `result.mean.ndcg`), so the metrics are declared once,
/// in `UserMetrics`.
@dynamicMemberLookup
public struct EvaluationResult: Sendable {
    public var k: Int
    /// Users evaluated (those with at least one target).
    public var users: Int
    /// Each metric's mean over the evaluated users.
    public var mean: UserMetrics
    /// Wall time of scoring, selection and metrics.
    public var seconds: Double
    public var usersPerSecond: Double
    /// The evaluated users (ascending) and their metrics, index-aligned.
    public var userIndices: [Int]
    public var perUser: [UserMetrics]

    public subscript<T>(dynamicMember metric: KeyPath<UserMetrics, T>) -> T { mean[keyPath: metric] }

    /// Per-user NDCG@K, aligned with `userIndices` (for `Significance`).
    public var perUserNDCG: [Double] { perUser.map(\.ndcg) }
}

/// Exact evaluation of a model's scorer against an `EvaluationSet`: the
/// production kernel.
///
/// Users are scored in blocks (`blockSize` users x all movies through the
/// `Scorer`: one `BLAS.gemm` per block for embeddings), each row's exclusions are skipped by the top-K
/// scan (`TopK`), and the metrics come from the hit pattern of the top K.
/// `mrr_full` needs the whole ranking only when no target is in the top K;
/// then the best target's rank is counted in one pass over the row. Blocks
/// are spread over `workers` threads; each worker allocates its scratch once.
public struct Evaluator: Sendable {
    public var set: EvaluationSet
    public var k: Int
    public var blockSize: Int
    public var workers: Int

    public init(set: EvaluationSet, k: Int = 10, blockSize: Int = 256, workers: Int = Parallel.defaultWorkers) {
        precondition(k > 0 && blockSize > 0 && workers > 0, "k, blockSize and workers must be positive")
        self.set = set
        self.k = k
        self.blockSize = blockSize
        self.workers = workers
    }

    /// Evaluates `part` of `split`, excluding the train graph's edges (and validation positives for test).
    public init(split: Split, graph: InteractionGraph, on part: Split.Part, k: Int = 10) throws {
        guard k > 0 else { throw RecError("k: must be at least 1, got \(k)") }
        self.init(set: try EvaluationSet(split: split, graph: graph, on: part), k: k)
    }

    /// A function the trainer calls each epoch: mean validation NDCG@K of the
    /// given embeddings. Nil when the split has no validation positives.
    public static func validationNDCG(split: Split, graph: InteractionGraph, k: Int = 10) throws
        -> (@Sendable (any Scorer) -> Double)? {
        let evaluator = try Evaluator(split: split, graph: graph, on: .validation, k: k)
        guard !evaluator.set.users.isEmpty else { return nil }
        return { evaluator.evaluate($0).ndcg }
    }

    /// Scores, ranks and measures every user of the set.
    public func evaluate(_ scorer: any Scorer) -> EvaluationResult {
        measure(scorer, control: .silent)
    }

    /// The same, reporting progress by users scored and stopping at the next
    /// block when `control` says so (then it throws: a partial mean is not a result).
    public func evaluate(_ scorer: any Scorer, control: RunControl) throws -> EvaluationResult {
        let result = measure(scorer, control: control)
        if control.shouldStop() { throw RecError("eval: interrupted; no metrics kept") }
        return result
    }

    /// Memory is bounded by the block: each worker holds one block of
    /// scores (blockSize x movies) at a time, never users x movies.
    private func measure(_ scorer: any Scorer, control: RunControl) -> EvaluationResult {
        precondition(scorer.userCount == set.userCount && scorer.itemCount == set.itemCount,
                     "the model scores \(scorer.userCount) users x \(scorer.itemCount) items, the evaluation set \(set.userCount) x \(set.itemCount)")
        let start = ContinuousClock.now
        let embeddings = scorer as? Embeddings     // the GEMM path, with per-worker scratch
        let users = set.users
        let n = users.count
        var perUser = [UserMetrics](repeating: .zero, count: n)
        if n > 0 {
            let blocks = (n + blockSize - 1) / blockSize
            let workerCount = min(workers, blocks)
            perUser.withUnsafeMutableBufferPointer { out in
                let shared = SharedBuffer(out)
                let progress = ProgressCounter()
                Parallel.run(workers: workerCount) { w in
                    var scratch = Scratch(k: k)
                    var b = w
                    while b < blocks && !control.shouldStop() {
                        let lo = b * blockSize, hi = min(n, lo + blockSize)
                        scoreBlock(users, lo..<hi, scorer, embeddings, &scratch, shared)
                        control.report(ProgressUpdate(label: "eval", done: progress.add(hi - lo), total: n, detail: "users"))
                        b += workerCount
                    }
                }
            }
        }
        let seconds = (ContinuousClock.now - start).seconds
        return EvaluationResult(k: k, users: n, mean: UserMetrics.mean(perUser), seconds: seconds,
                                usersPerSecond: seconds > 0 ? Double(n) / seconds : 0, userIndices: users, perUser: perUser)
    }

    /// One worker's reusable buffers.
    struct Scratch {
        var queries = Matrix(rows: 0, cols: 0)
        var scores = Matrix(rows: 0, cols: 0)
        var topScores: [Float]
        var topIndices: [Int32]
        init(k: Int) {
            topScores = [Float](repeating: 0, count: k)
            topIndices = [Int32](repeating: 0, count: k)
        }
    }

    private func scoreBlock(_ users: [Int], _ range: Range<Int>, _ scorer: any Scorer, _ embeddings: Embeddings?,
                            _ s: inout Scratch, _ out: SharedBuffer<UserMetrics>) {
        let items = set.itemCount
        if let e = embeddings {
            e.scores(users: users[range], into: &s.scores, queries: &s.queries)
        } else {
            scorer.scores(users: users[range], into: &s.scores)
        }
        let k = self.k
        let tStart = set.targets.rowStart, tItems = set.targets.colIndex
        let xStart = set.exclusions.rowStart, xItems = set.exclusions.colIndex
        s.scores.storage.withUnsafeBufferPointer { sp in
        s.topScores.withUnsafeMutableBufferPointer { ts in
        s.topIndices.withUnsafeMutableBufferPointer { ti in
        tItems.withUnsafeBufferPointer { tAll in
        xItems.withUnsafeBufferPointer { xAll in
            for (r, i) in range.enumerated() {
                let u = users[i]
                let row = sp.baseAddress! + r &* items
                let excluded = UnsafeBufferPointer(rebasing: xAll[xStart[u]..<xStart[u + 1]])
                let targets = UnsafeBufferPointer(rebasing: tAll[tStart[u]..<tStart[u + 1]])
                var count = 0
                TopK.scan(row, count: items, excluding: excluded, k: k,
                          scores: ts.baseAddress!, indices: ti.baseAddress!, count: &count)
                var anyHit = false
                for p in 0..<count where Self.contains(targets, ti[p]) { anyHit = true; break }
                var fullRank: Int? = nil
                if !anyHit {
                    // The first target in the full ranking: best score, lower index on ties.
                    var best = Int(targets[0])
                    for t in targets.dropFirst() where row[Int(t)] > row[best] { best = Int(t) }
                    fullRank = TopK.rank(of: best, in: row, count: items, excluding: excluded)
                }
                out[i] = UserMetrics(k: k, listLength: count, targetCount: targets.count,
                                     firstTargetRank: fullRank) { Self.contains(targets, ti[$0 &- 1]) }
            }
        }}}}}
    }

    @inline(__always)
    static func contains(_ sorted: UnsafeBufferPointer<Int32>, _ x: Int32) -> Bool {
        var lo = 0, hi = sorted.count
        while lo < hi {
            let mid = (lo &+ hi) >> 1
            if sorted[mid] < x { lo = mid &+ 1 } else { hi = mid }
        }
        return lo < sorted.count && sorted[lo] == x
    }
}

extension Duration {
    /// This duration in seconds, as a Double.
    var seconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) * 1e-18
    }
}
