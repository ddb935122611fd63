/// One user's ranking metrics at cut-off K (DESIGN.md, "Evaluation protocol").
///
/// Every metric is a function of three things only: the ranks (1-based,
/// within the top K) at which targets were hit, the number of targets, and
/// the rank of the first target in the whole ranking. `UserMetrics.init(hits:...)`
/// computes them all from those, so the evaluator, the LSH report and the
/// reference functions below share one definition.
public struct UserMetrics: Sendable, Equatable {
    /// hits / K.
    public var precision: Double
    /// hits / |targets|.
    public var recall: Double
    /// DCG with binary gains and 1/log2(rank + 1), over the ideal DCG of min(|targets|, K) hits.
    public var ndcg: Double
    /// 1 / rank of the first hit within K, else 0.
    public var mrr: Double
    /// 1 / rank of the first target in the whole ranking (0 if no target can be ranked).
    public var mrrFull: Double
    /// 1 if any hit within K.
    public var hitRate: Double
    /// Sum of precision at each hit rank within K, over min(|targets|, K).
    public var map: Double

    /// Every metric 0: no hit, no target ranked.
    public static let zero = UserMetrics(precision: 0, recall: 0, ndcg: 0, mrr: 0, mrrFull: 0, hitRate: 0, map: 0)
}

extension UserMetrics {
    /// All metrics from the hit pattern of the top K.
    /// - Parameters:
    ///   - isHit: `isHit(r)` for ranks r = 1...listLength (listLength <= k; shorter when few items remain).
    ///   - targetCount: |targets| (>= 1).
    ///   - firstTargetRank: rank of the first target in the whole ranking, nil if none is ranked.
    @inlinable
    public init(k: Int, listLength: Int, targetCount: Int, firstTargetRank: Int?, isHit: (Int) -> Bool) {
        precondition(k > 0 && targetCount > 0 && listLength <= k, "metrics need k > 0, a target and a list of at most k")
        var hits = 0
        var dcg = 0.0
        var firstHit = 0
        var apSum = 0.0
        var r = 1
        while r <= listLength {
            if isHit(r) {
                hits &+= 1
                dcg += 1 / RankingMetrics.log2(Double(r + 1))
                if firstHit == 0 { firstHit = r }
                apSum += Double(hits) / Double(r)
            }
            r &+= 1
        }
        let idealCount = Swift.min(targetCount, k)
        var idcg = 0.0
        for i in 1...idealCount { idcg += 1 / RankingMetrics.log2(Double(i + 1)) }
        precision = Double(hits) / Double(k)
        recall = Double(hits) / Double(targetCount)
        ndcg = dcg / idcg
        mrr = firstHit > 0 ? 1 / Double(firstHit) : 0
        hitRate = hits > 0 ? 1 : 0
        map = apSum / Double(idealCount)
        if firstHit > 0 {
            mrrFull = 1 / Double(firstHit)
        } else if let full = firstTargetRank {
            mrrFull = 1 / Double(full)
        } else {
            mrrFull = 0
        }
    }

    /// Means over users; all zero for an empty list.
    public static func mean(_ users: [UserMetrics]) -> UserMetrics {
        var m = UserMetrics.zero
        guard !users.isEmpty else { return m }
        for u in users {
            m.precision += u.precision; m.recall += u.recall; m.ndcg += u.ndcg; m.mrr += u.mrr
            m.mrrFull += u.mrrFull; m.hitRate += u.hitRate; m.map += u.map
        }
        let n = Double(users.count)
        m.precision /= n; m.recall /= n; m.ndcg /= n; m.mrr /= n
        m.mrrFull /= n; m.hitRate /= n; m.map /= n
        return m
    }

    /// The metrics by their JSON names ("precision", "recall", "ndcg", "mrr", "mrr_full", "hit_rate", "map").
    public var named: [String: Double] {
        ["precision": precision, "recall": recall, "ndcg": ndcg, "mrr": mrr,
         "mrr_full": mrrFull, "hit_rate": hitRate, "map": map]
    }
}

/// Reference ranking metrics over explicit lists: clear rather than fast.
///
/// The evaluator computes the same numbers from a top-K selection (see
/// `Evaluator`); these functions define them and are what the golden cases
/// and hand-computed tests check. A ranking is a list of item indices, best
/// first, with excluded items already removed; targets are the relevant items.
public enum RankingMetrics {
    /// Items ordered by descending score, ties by the lower index first,
    /// with `excluded` removed.
    public static func ranking(scores: [Double], excluding excluded: Set<Int> = []) -> [Int] {
        scores.indices.filter { !excluded.contains($0) }.sorted { a, b in
            scores[a] != scores[b] ? scores[a] > scores[b] : a < b
        }
    }

    /// hits / K.
    public static func precision(_ ranked: [Int], targets: Set<Int>, k: Int) -> Double {
        Double(hitCount(ranked, targets, k)) / Double(k)
    }

    /// hits / |targets|.
    public static func recall(_ ranked: [Int], targets: Set<Int>, k: Int) -> Double {
        Double(hitCount(ranked, targets, k)) / Double(targets.count)
    }

    /// Binary-gain NDCG@K with the ideal over min(|targets|, K) items.
    public static func ndcg(_ ranked: [Int], targets: Set<Int>, k: Int) -> Double {
        var dcg = 0.0
        for (i, item) in ranked.prefix(k).enumerated() where targets.contains(item) { dcg += 1 / log2(Double(i + 2)) }
        var idcg = 0.0
        for i in 0..<min(targets.count, k) { idcg += 1 / log2(Double(i + 2)) }
        return dcg / idcg
    }

    /// 1 / rank of the first hit within K, else 0.
    public static func mrr(_ ranked: [Int], targets: Set<Int>, k: Int) -> Double {
        guard let i = ranked.prefix(k).firstIndex(where: targets.contains) else { return 0 }
        return 1 / Double(i + 1)
    }

    /// 1 / rank of the first target anywhere in the ranking, else 0.
    public static func mrrFull(_ ranked: [Int], targets: Set<Int>) -> Double {
        guard let i = ranked.firstIndex(where: targets.contains) else { return 0 }
        return 1 / Double(i + 1)
    }

    /// 1 if any target is within the top K.
    public static func hitRate(_ ranked: [Int], targets: Set<Int>, k: Int) -> Double {
        hitCount(ranked, targets, k) > 0 ? 1 : 0
    }

    /// Sum of precision@r at each hit rank r <= K, over min(|targets|, K).
    public static func map(_ ranked: [Int], targets: Set<Int>, k: Int) -> Double {
        var hits = 0
        var sum = 0.0
        for (i, item) in ranked.prefix(k).enumerated() where targets.contains(item) {
            hits += 1
            sum += Double(hits) / Double(i + 1)
        }
        return sum / Double(min(targets.count, k))
    }

    /// Every metric for one user, through the same definitions as above.
    public static func all(_ ranked: [Int], targets: Set<Int>, k: Int) -> UserMetrics {
        UserMetrics(precision: precision(ranked, targets: targets, k: k),
                    recall: recall(ranked, targets: targets, k: k),
                    ndcg: ndcg(ranked, targets: targets, k: k),
                    mrr: mrr(ranked, targets: targets, k: k),
                    mrrFull: mrrFull(ranked, targets: targets),
                    hitRate: hitRate(ranked, targets: targets, k: k),
                    map: map(ranked, targets: targets, k: k))
    }

    /// Means over the users that have at least one target (others are skipped).
    public static func evaluate(scores: [[Double]], targets: [[Int]], excluded: [[Int]], k: Int)
        -> (users: Int, mean: UserMetrics) {
        var per: [UserMetrics] = []
        for u in scores.indices where !targets[u].isEmpty {
            let ranked = ranking(scores: scores[u], excluding: Set(excluded[u]))
            per.append(all(ranked, targets: Set(targets[u]), k: k))
        }
        return (per.count, UserMetrics.mean(per))
    }

    private static func hitCount(_ ranked: [Int], _ targets: Set<Int>, _ k: Int) -> Int {
        ranked.prefix(k).reduce(0) { $0 + (targets.contains($1) ? 1 : 0) }
    }

    @usableFromInline
    static func log2(_ x: Double) -> Double {
        #if canImport(Glibc)
        Glibc.log2(x)
        #else
        Darwin.log2(x)
        #endif
    }
}

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
