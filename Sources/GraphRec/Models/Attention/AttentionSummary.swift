import Foundation

/// How far one layer and head's attention is from uniform, over all nodes:
/// the data behind "is GAT attention close to uniform here, and is that why
/// GAT ~ GCN?". Uniform attention over N(v) ∪ {v} is exactly a mean
/// aggregation with a self-loop, so heads whose normalised entropy sits near
/// 1 and whose total variation from uniform is small compute nearly what a
/// mean-aggregating GCN does.
public struct AttentionSummary: Sendable, Equatable {
    public var layer: Int
    public var head: Int
    /// Nodes with at least one neighbour (the statistics are over these).
    public var nodes: Int
    /// Nodes whose only source is their self-loop (left out: trivially uniform).
    public var isolatedNodes: Int
    /// Histogram of normalised entropy H(a_v) / ln(|N(v)| + 1): `histogram[i]`
    /// counts nodes in [binEdges[i], binEdges[i + 1]), the last bin closed.
    public var binEdges: [Double]
    public var histogram: [Int]
    public var meanNormalisedEntropy: Double
    public var medianNormalisedEntropy: Double
    /// Means over users and over movies separately (their degrees differ a lot).
    public var meanNormalisedEntropyUsers: Double
    public var meanNormalisedEntropyMovies: Double
    /// Mean entropy and mean uniform maximum ln(|N(v)| + 1), in nats.
    public var meanEntropy: Double
    public var meanMaxEntropy: Double
    /// Mean total variation distance from uniform, (1/2) sum_u |a_vu - 1/(|N(v)|+1)|
    /// in [0, 1): the share of attention mass that uniform would place elsewhere.
    public var meanTotalVariation: Double
    /// Mean of a_vv (|N(v)| + 1): the self-loop's weight relative to uniform.
    public var meanSelfWeightOverUniform: Double
    /// Spearman rank correlation, over all edges u -> v with u != v, between
    /// the weight relative to uniform a_vu (|N(v)| + 1) and the source's
    /// degree |N(u)|: positive when attention favours popular neighbours.
    /// nil when either side is constant.
    public var degreeCorrelation: Double?
}

extension AttentionInspection {
    /// One summary per layer and head, layer-major.
    public static func summary(_ attention: [[AttentionWeights]], bins: Int = 10) -> [AttentionSummary] {
        attention.flatMap { $0.map { summary($0, bins: bins) } }
    }

    public static func summary(_ w: AttentionWeights, bins: Int = 10) -> AttentionSummary {
        precondition(bins >= 1, "summary needs at least one bin")
        var histogram = [Int](repeating: 0, count: bins)
        var normalised: [Double] = []
        var users = (sum: 0.0, count: 0), movies = (sum: 0.0, count: 0)
        var entropy = 0.0, maxEntropy = 0.0, variation = 0.0, selfRatio = 0.0, isolated = 0
        let degrees = (0..<w.nodeCount).map { w.degree($0) }
        var relative: [Double] = [], sourceDegree: [Double] = []
        relative.reserveCapacity(w.edgeCount)
        sourceDegree.reserveCapacity(w.edgeCount)
        for v in 0..<w.nodeCount {
            let range = w.rowStart[v]..<w.rowStart[v + 1]
            if degrees[v] == 0 { isolated += 1; continue }
            let stats = AttentionEntropy(range.lazy.map { Double(w.weight[$0]) })
            let n = Double(range.count)
            normalised.append(stats.normalised)
            histogram[min(bins - 1, max(0, Int(stats.normalised * Double(bins))))] += 1
            if v < w.userCount { users.sum += stats.normalised; users.count += 1 } else { movies.sum += stats.normalised; movies.count += 1 }
            entropy += stats.entropy
            maxEntropy += stats.maxEntropy
            variation += stats.totalVariation
            for p in range {
                let u = Int(w.source[p])
                if u == v { selfRatio += Double(w.weight[p]) * n; continue }
                relative.append(Double(w.weight[p]) * n)
                sourceDegree.append(Double(degrees[u]))
            }
        }
        let count = Double(max(normalised.count, 1))
        let sorted = normalised.sorted()
        return AttentionSummary(
            layer: w.layer, head: w.head, nodes: normalised.count, isolatedNodes: isolated,
            binEdges: (0...bins).map { Double($0) / Double(bins) }, histogram: histogram,
            meanNormalisedEntropy: normalised.reduce(0, +) / count,
            medianNormalisedEntropy: sorted.isEmpty ? 1 : sorted[sorted.count / 2],
            meanNormalisedEntropyUsers: users.sum / Double(max(users.count, 1)),
            meanNormalisedEntropyMovies: movies.sum / Double(max(movies.count, 1)),
            meanEntropy: entropy / count, meanMaxEntropy: maxEntropy / count,
            meanTotalVariation: variation / count, meanSelfWeightOverUniform: selfRatio / count,
            degreeCorrelation: RankCorrelation.spearman(relative, sourceDegree))
    }
}

/// Rank correlation for the attention summary.
enum RankCorrelation {
    /// Ranks 1...n with ties given their average rank.
    static func ranks(_ x: [Double]) -> [Double] {
        let order = x.indices.sorted { x[$0] < x[$1] }
        var r = [Double](repeating: 0, count: x.count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && x[order[j + 1]] == x[order[i]] { j += 1 }
            let average = Double(i + j) / 2 + 1
            for k in i...j { r[order[k]] = average }
            i = j + 1
        }
        return r
    }

    /// Pearson correlation; nil when fewer than two points or a side is constant.
    static func pearson(_ x: [Double], _ y: [Double]) -> Double? {
        precondition(x.count == y.count, "pearson needs equal lengths")
        guard x.count >= 2 else { return nil }
        let n = Double(x.count), mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for i in x.indices {
            let dx = x[i] - mx, dy = y[i] - my
            sxy += dx * dy; sxx += dx * dx; syy += dy * dy
        }
        guard sxx > 0 && syy > 0 else { return nil }
        return sxy / (sxx * syy).squareRoot()
    }

    /// Spearman's rho: Pearson on tie-averaged ranks.
    static func spearman(_ x: [Double], _ y: [Double]) -> Double? {
        pearson(ranks(x), ranks(y))
    }
}
