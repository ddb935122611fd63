import Foundation

/// Pure functions over `AttentionWeights` that answer the shell's attention
/// questions with plain data (no formatting): one node's neighbours
/// (`node`), the whole graph per layer and head (`summary`), the paths
/// behind a recommendation (`explain`) and every edge for export (`edges`).
public enum AttentionInspection {}

/// One node's attention in one layer and head, and what a uniform or a mean
/// aggregation would have given, so a reader sees what attention changed.
public struct NodeAttention: Sendable, Equatable {
    public struct Neighbour: Sendable, Equatable {
        public var node: AttentionNode
        public var weight: Float
        /// True for v's own row (the self-loop GAT adds).
        public var isSelfLoop: Bool
        /// The neighbour's |N(u)| in the graph (self-loop not counted).
        public var degree: Int
    }

    public var node: AttentionNode
    public var layer: Int
    public var head: Int
    /// Sources of v, self-loop included, heaviest first (ties: lower node index first).
    public var neighbours: [Neighbour]
    /// Sum of the weights; 1 up to rounding.
    public var total: Double
    /// Entropy of the weights in nats, -sum a ln a.
    public var entropy: Double
    /// ln(|N(v)| + 1): the entropy of uniform attention over v's sources incl. itself.
    public var maxEntropy: Double
    /// entropy / maxEntropy in [0, 1]; 1 means uniform (and by convention for a lone self-loop).
    public var normalisedEntropy: Double
    /// 1 / (|N(v)| + 1): each source's weight under uniform attention.
    public var uniformWeight: Double
    /// 1 / |N(v)|: the weight recsh's GCN mean gives each neighbour (it keeps
    /// v itself apart, in B h_v); nil for a node without neighbours.
    public var gcnMeanWeight: Double?
    /// a_vv.
    public var selfWeight: Double
}

extension AttentionInspection {
    /// Node n's (shared node space) attention in `weights`.
    public static func node(_ n: Int, in weights: AttentionWeights) -> NodeAttention {
        precondition(n >= 0 && n < weights.nodeCount, "attention: node \(n) outside 0..<\(weights.nodeCount)")
        let entries = weights.entries(of: n)
        let degree = weights.degree(n)
        var neighbours = entries.map {
            NodeAttention.Neighbour(node: weights.node($0.source), weight: $0.weight, isSelfLoop: $0.source == n,
                                    degree: weights.degree($0.source))
        }
        let order = zip(entries, neighbours).sorted {
            $0.1.weight > $1.1.weight || ($0.1.weight == $1.1.weight && $0.0.source < $1.0.source)
        }
        neighbours = order.map(\.1)
        let stats = AttentionEntropy(entries.map { Double($0.weight) })
        return NodeAttention(
            node: weights.node(n), layer: weights.layer, head: weights.head, neighbours: neighbours,
            total: stats.total, entropy: stats.entropy, maxEntropy: stats.maxEntropy,
            normalisedEntropy: stats.normalised, uniformWeight: 1 / Double(entries.count),
            gcnMeanWeight: degree > 0 ? 1 / Double(degree) : nil,
            selfWeight: Double(entries.first { $0.source == n }?.weight ?? 0))
    }

    /// Node n's attention in every layer and head, layer-major.
    public static func node(_ n: Int, in attention: [[AttentionWeights]]) -> [NodeAttention] {
        attention.flatMap { $0.map { node(n, in: $0) } }
    }
}

/// Entropy of one attention row against the uniform distribution on its support.
struct AttentionEntropy {
    var total = 0.0, entropy = 0.0, maxEntropy = 0.0, normalised = 1.0, totalVariation = 0.0

    init<C: Collection<Double>>(_ weights: C) {
        let n = Double(weights.count)
        guard n > 0 else { return }
        for a in weights {
            total += a
            if a > 0 { entropy -= a * log(a) }
            totalVariation += abs(a - 1 / n)
        }
        totalVariation /= 2
        maxEntropy = log(n)
        normalised = n > 1 ? entropy / maxEntropy : 1
    }
}
