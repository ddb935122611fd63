import Tensors

/// Which train edges a batch's forward pass must not aggregate over
/// (`holdout=on`, `edge-dropout=P`).
///
/// Why: at evaluation a held-out movie is never among the user's neighbours,
/// but in training the positive being scored is, so a graph model can learn
/// to recognise its own neighbours instead of predicting new ones. Hiding the
/// batch's positives from message passing (holdout, PyG's disjoint supervision
/// edges) makes each training step look like evaluation; edge dropout
/// (DropEdge) also hides a random share of the other edges, a regulariser.
/// The hidden edges stay train positives for negative sampling.
public struct MessageEdges: Sendable, Equatable {
    public var holdout: Bool
    public var dropRate: Float

    public init(holdout: Bool, dropRate: Float) {
        precondition((0..<1).contains(dropRate), "edge dropout \(dropRate) must be in [0, 1)")
        self.holdout = holdout
        self.dropRate = dropRate
    }

    /// False when every batch sees the whole graph (the seed's training).
    public var hidesEdges: Bool { holdout || dropRate > 0 }

    /// Offsets into the graph's `edges` to hide for a batch whose positives
    /// sit at `batch` (offsets too), among `edgeCount` edges. Edge dropout
    /// draws once per edge from `rng`, so a seed fixes the result.
    public func hidden(batch: some Collection<Int>, edgeCount: Int, using rng: inout SeededGenerator) -> [Int] {
        var out = holdout ? Array(batch) : []
        if dropRate > 0 {
            for k in 0..<edgeCount where rng.nextFloat() < dropRate { out.append(k) }
        }
        return out
    }
}
