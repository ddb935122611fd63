/// One row of `export attention`: edge source -> destination's weight in one
/// layer and head. Nodes are kind + 0-based index; the shell maps them to
/// the data set's own ids.
public struct AttentionEdge: Sendable, Equatable {
    public var layer: Int
    public var head: Int
    public var destination: AttentionNode
    public var source: AttentionNode
    public var weight: Float
    public var isSelfLoop: Bool
}

extension AttentionInspection {
    /// Every edge's weight in every layer and head: layer-major, then head,
    /// then destination node, then source node (CSR order).
    public static func edges(_ attention: [[AttentionWeights]]) -> [AttentionEdge] {
        var rows: [AttentionEdge] = []
        rows.reserveCapacity(attention.reduce(0) { $0 + $1.reduce(0) { $0 + $1.edgeCount } })
        for layer in attention {
            for w in layer {
                for v in 0..<w.nodeCount {
                    let destination = w.node(v)
                    for p in w.rowStart[v]..<w.rowStart[v + 1] {
                        let u = Int(w.source[p])
                        rows.append(AttentionEdge(layer: w.layer, head: w.head, destination: destination,
                                                  source: w.node(u), weight: w.weight[p], isSelfLoop: u == v))
                    }
                }
            }
        }
        return rows
    }
}
