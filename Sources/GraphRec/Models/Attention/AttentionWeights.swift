/// One layer and head's attention: for every destination node v (row), its
/// sources u (N(v) and v itself, ascending node index) and weights a_vu,
/// which sum to 1 over the row. Nodes are in the shared node space (users
/// 0..<userCount, then movies). `layer` and `head` are 1-based, as shown.
public struct AttentionWeights: Sendable, Equatable {
    public let layer: Int
    public let head: Int
    public let userCount: Int
    /// Row v's entries are `rowStart[v]..<rowStart[v + 1]`.
    public let rowStart: [Int]
    public let source: [Int32]
    public let weight: [Float]

    public var nodeCount: Int { rowStart.count - 1 }
    public var edgeCount: Int { weight.count }

    /// Node v's sources and their weights, in ascending source order.
    public func entries(of v: Int) -> [(source: Int, weight: Float)] {
        (rowStart[v]..<rowStart[v + 1]).map { (Int(source[$0]), weight[$0]) }
    }

    /// |N(v)|, the neighbours of v without its self-loop.
    public func degree(_ v: Int) -> Int {
        var n = rowStart[v + 1] - rowStart[v]
        for p in rowStart[v]..<rowStart[v + 1] where Int(source[p]) == v { n -= 1 }
        return n
    }

    /// a_vu, or 0 when u is not a source of v (binary search in v's sorted row).
    public func weight(from u: Int, to v: Int) -> Float {
        var lo = rowStart[v], hi = rowStart[v + 1]
        while lo < hi {
            let mid = (lo + hi) / 2
            if Int(source[mid]) < u { lo = mid + 1 } else { hi = mid }
        }
        return lo < rowStart[v + 1] && Int(source[lo]) == u ? weight[lo] : 0
    }
}

extension AttentionWeights {
    /// What node n of the shared node space is.
    public func node(_ n: Int) -> AttentionNode {
        n < userCount ? .user(n) : .movie(n - userCount)
    }

    /// One layer's heads averaged (same pattern), reported as head 0.
    public static func mean(_ heads: [AttentionWeights]) -> AttentionWeights {
        precondition(!heads.isEmpty, "a layer has at least one head")
        if heads.count == 1 { return heads[0] }
        var w = [Float](repeating: 0, count: heads[0].edgeCount)
        for h in heads {
            precondition(h.rowStart == heads[0].rowStart, "heads of one layer share a pattern")
            for p in w.indices { w[p] += h.weight[p] }
        }
        let scale = 1 / Float(heads.count)
        return AttentionWeights(layer: heads[0].layer, head: 0, userCount: heads[0].userCount,
                                rowStart: heads[0].rowStart, source: heads[0].source, weight: w.map { $0 * scale })
    }
}

/// A node of the shared node space by kind and 0-based index within its
/// kind (the shell maps indices to the data set's own ids).
public enum AttentionNode: Sendable, Hashable {
    case user(Int)
    case movie(Int)

    public var kind: String {
        switch self { case .user: "user"; case .movie: "movie" }
    }

    public var index: Int {
        switch self { case .user(let i), .movie(let i): i }
    }
}
