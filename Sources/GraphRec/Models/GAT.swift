import Tensors

/// The seed's GAT (Veličković et al., 2018), as PyG's `GATConv` computes it:
///
///     h_v(k) = act( sum_{u in N(v) ∪ {v}} a_vu W_k h_u(k-1) + b_k )
///     e_vu   = LeakyReLU(a_k^T [W_k h_u || W_k h_v]),  slope 0.2
///     a_vu   = softmax of e_vu over u in N(v) ∪ {v}
///
/// on the shared user-movie node space with a self-loop at every node,
/// `layers` layers. Each of `heads` heads has its own W, a and weights a_vu;
/// hidden layers concatenate the heads (`hidden` channels per head, so
/// heads*hidden wide), the last averages them (`dim` channels). ELU between
/// layers (as PyG's GAT examples), none after the last. b_k is GATConv's
/// bias, added after concatenation or averaging. h(0) is `NodeInput`'s
/// (42-dim shared features and/or ID embeddings). Score(u, m) = z_u . z_m.
///
/// Cost. The logit is split as PyG does, a^T [W h_u || W h_v] =
/// (W h_u).a_src + (W h_v).a_dst, two scalars per node and head gathered per
/// edge, and each scalar is h_u.(W a_src): a product with a D x heads matrix,
/// never a per-edge dot product of hidden-width vectors. The weighted sum is
/// linear, so sum_u a_vu W h_u = (sum_u a_vu h_u) W: like GCN.swift, each
/// layer aggregates on the narrower side, the 42-dim input before projecting
/// to 128 in layer 1, and the 64-dim projection in layer 2. Both are exact.
/// Weights act on row vectors (h W, N x in times in x heads*C).
public struct GAT: TrainableModel {
    public let kind = "gat"
    public var isInductive: Bool { true }
    public var parameters: [String: Matrix]
    public let input: NodeInput
    public let layers: Int
    public let heads: Int
    /// LeakyReLU slope of the attention logits.
    public static let negativeSlope: Float = 0.2

    /// A fresh model for `graph`: Glorot W and attention vectors, zero biases, from `options.seed`.
    public init(graph: InteractionGraph, options: TrainOptions) {
        input = NodeInput(graph: graph, options: options)
        layers = options.layers
        heads = options.heads
        var rng = SeededGenerator(seed: options.seed, stream: "gat.init")
        var p = input.initialParameters(users: graph.userCount, movies: graph.movieCount, using: &rng)
        var width = input.width
        for k in 1...layers {
            let last = k == layers, c = last ? options.dim : options.hidden
            p["layer\(k).W"] = .glorot(rows: width, cols: heads * c, using: &rng)
            p["layer\(k).attSource"] = .glorot(rows: heads, cols: c, using: &rng)
            p["layer\(k).attDestination"] = .glorot(rows: heads, cols: c, using: &rng)
            p["layer\(k).bias"] = Matrix(rows: 1, cols: last ? c : heads * c)
            width = last ? c : heads * c
        }
        parameters = p
    }

    /// Restores a trained model. Layers, heads and the input layout are read
    /// off the parameter shapes (so `options` may hold defaults); a missing or
    /// misshapen parameter is a `RecError` naming it.
    public init(parameters: [String: Matrix], options: TrainOptions) throws {
        let ids = parameters["ids.users"]
        let w1 = try ParameterCheck.require(parameters, "layer1.W", model: "gat")
        let idWidth = ids?.cols ?? 0
        input = NodeInput(useFeatures: w1.rows > idWidth, useIDs: ids != nil, idWidth: ids?.cols ?? options.dim,
                          featureWidth: w1.rows - idWidth)
        if ids != nil { _ = try ParameterCheck.require(parameters, "ids.movies", cols: idWidth, model: "gat") }
        heads = try ParameterCheck.require(parameters, "layer1.attSource", model: "gat").rows
        var k = 1
        while parameters["layer\(k + 1).W"] != nil { k += 1 }
        layers = k
        var width = input.width
        for k in 1...layers {
            let w = try ParameterCheck.require(parameters, "layer\(k).W", rows: width, model: "gat")
            guard w.cols % heads == 0 else { throw RecError("gat: parameter 'layer\(k).W' has \(w.cols) columns, not a multiple of \(heads) heads") }
            let c = w.cols / heads, out = k == layers ? c : w.cols
            _ = try ParameterCheck.require(parameters, "layer\(k).attSource", rows: heads, cols: c, model: "gat")
            _ = try ParameterCheck.require(parameters, "layer\(k).attDestination", rows: heads, cols: c, model: "gat")
            _ = try ParameterCheck.require(parameters, "layer\(k).bias", rows: 1, cols: out, model: "gat")
            width = out
        }
        self.parameters = parameters
    }

    /// The attention pattern (graph edges both ways plus a self-loop per node)
    /// and the constant input features.
    public struct Context {
        public let attention: SparseOperator
        public let features: Matrix?
        public let userCount: Int
    }

    public func makeContext(_ graph: InteractionGraph) -> Context {
        Context(attention: SparseOperator(GAT.withSelfLoops(graph.adjacency())),
                features: input.features(of: graph), userCount: graph.userCount)
    }

    public func forward(_ tape: Tape, _ context: Context, weights: [String: Variable]) -> (users: Variable, items: Variable) {
        let h = propagate(tape, context, weights: weights).output
        return (tape.sliceRows(h, 0..<context.userCount), tape.sliceRows(h, context.userCount..<h.rows))
    }

    // h_v(k) = act( sum_{u in N(v) ∪ {v}} a_vu W_k h_u(k-1) + b_k ),  per head
    // a_vu   = softmax_u LeakyReLU( (W_k h_u).a_src + (W_k h_v).a_dst )
    /// The forward pass, also returning every layer's attention weights (nnz x heads).
    func propagate(_ tape: Tape, _ context: Context, weights: [String: Variable]) -> (output: Variable, attention: [Variable]) {
        let graph = context.attention
        var h = inputNodes(tape, context, weights)
        var attention: [Variable] = []
        for k in 1...layers {
            let w = weights["layer\(k).W"]!, channels = w.cols / heads
            // (W h_u).a = h_u.(W a): the logit halves from a D x heads product, not per edge.
            let source = tape.matmul(h, tape.headDots(w, weights["layer\(k).attSource"]!))
            let destination = tape.matmul(h, tape.headDots(w, weights["layer\(k).attDestination"]!))
            let a = tape.edgeAttention(graph, source: source, destination: destination, slope: GAT.negativeSlope)
            var z: Variable                                                      // sum_u a_vu W h_u, heads side by side
            if h.cols < channels {
                z = tape.headMatmul(tape.attendShared(graph, a, h), w, heads: heads)  // aggregate, then project
            } else {
                z = tape.attend(graph, a, tape.matmul(h, w))                         // project, then aggregate
            }
            if k == layers { z = tape.headMean(z, heads: heads) }
            z = tape.addRowBias(z, weights["layer\(k).bias"]!)
            h = k < layers ? tape.elu(z) : z
            attention.append(a)
        }
        return (h, attention)
    }

    /// h(0): the constant feature block and/or the ID embeddings, side by side.
    func inputNodes(_ tape: Tape, _ context: Context, _ weights: [String: Variable]) -> Variable {
        var parts: [Variable] = []
        if let x = context.features { parts.append(tape.constant(x)) }
        if input.useIDs { parts.append(input.idEmbeddings(tape, weights, userCount: context.userCount)) }
        return parts.count == 1 ? parts[0] : tape.concatColumns(parts)
    }

    /// The attention weights a_vu of every layer and head on `graph`
    /// (inference only): `result[layer - 1][head - 1]`.
    public func attention(on graph: InteractionGraph) -> [[AttentionWeights]] {
        attention(context: makeContext(graph))
    }

    public func attention(context: Context) -> [[AttentionWeights]] {
        let tape = Tape()
        let run = propagate(tape, context, weights: parameters.mapValues { tape.constant($0) })
        let m = context.attention.matrix
        return run.attention.enumerated().map { layer, a in
            let values = tape.value(a)
            return (0..<heads).map { head in
                AttentionWeights(layer: layer + 1, head: head + 1, userCount: context.userCount,
                                 rowStart: m.rowStart, source: m.colIndex,
                                 weight: (0..<m.nonZeroCount).map { values.storage[$0 * heads + head] })
            }
        }
    }

    /// `a` with a stored 1 on the diagonal of every row (kept once where one exists).
    public static func withSelfLoops(_ a: CSRMatrix) -> CSRMatrix {
        precondition(a.rows == a.cols, "self-loops need a square matrix")
        var start = [0], cols: [Int32] = [], vals: [Float] = []
        cols.reserveCapacity(a.nonZeroCount + a.rows)
        vals.reserveCapacity(a.nonZeroCount + a.rows)
        for r in 0..<a.rows {
            var placed = false
            for p in a.rowStart[r]..<a.rowStart[r + 1] {
                let c = a.colIndex[p]
                if !placed && Int(c) >= r {
                    placed = true
                    if Int(c) > r { cols.append(Int32(r)); vals.append(1) }
                }
                cols.append(c); vals.append(a.values[p])
            }
            if !placed { cols.append(Int32(r)); vals.append(1) }
            start.append(cols.count)
        }
        return CSRMatrix(rows: a.rows, cols: a.cols, rowStart: start, colIndex: cols, values: vals)
    }
}
