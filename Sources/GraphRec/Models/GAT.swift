import Tensors

/// The seed's GAT (Veličković et al., 2018), as PyG's `GATConv` computes it:
///
///     h_v(0) = x_v P_type(v) + p_type(v)          (per-type Linear, when features are used)
///     h_v(k) = act( sum_{u in N(v) ∪ {v}} a_vu W_k h_u(k-1) + b_k )
///     e_vu   = LeakyReLU(a_k^T [W_k h_u || W_k h_v]),  slope 0.2
///     a_vu   = softmax of e_vu over u in N(v) ∪ {v}
///
/// on the shared user-movie node space with a self-loop at every node,
/// `layers` layers. Each of `heads` heads has its own W, a and weights a_vu;
/// hidden layers concatenate the heads (`hidden` channels per head, so
/// heads*hidden wide), the last averages them (`dim` channels). ReLU between
/// layers (the seed's act, as in its GCN), none after the last. b_k is
/// GATConv's bias, added after concatenation or averaging.
///
/// Input: like the PyG reference, user features (24) and movie features
/// (18) each go through their own Linear layer with bias (`hidden` wide,
/// torch's default init) before layer 1; ID embeddings (`ids=on`) are
/// appended after it. Measured on `split warm seed=0` (15 epochs, 1 head,
/// BPR): ELU and the raw 42-dim input gave NDCG@10 0.155, ReLU 0.197,
/// ReLU + projection 0.202 (the reference 0.195). Score(u, m) = z_u . z_m.
///
/// Cost. The logit is split as PyG does, a^T [W h_u || W h_v] =
/// (W h_u).a_src + (W h_v).a_dst, two scalars per node and head gathered per
/// edge, and each scalar is h_u.(W a_src): a product with a D x heads matrix,
/// never a per-edge dot product of hidden-width vectors. The weighted sum is
/// linear, so sum_u a_vu W h_u = (sum_u a_vu h_u) W: like GCN.swift, each
/// layer aggregates on the narrower side, the 44-dim input before projecting
/// to 128 in layer 1, and the 64-dim projection in layer 2. Both are exact.
/// The input Linear is folded into layer 1 the same way: h(0) W_1 =
/// [x, t] ([P; p] W_1) with t the node's one-hot type, so the projected
/// 128-wide h(0) is never formed.
/// Weights act on row vectors (h W, N x in times in x heads*C).
///
/// `ReferenceGAT` (Models/Reference/) is this model written plainly, node by
/// node: read it first; the tests check this fast path against it.
public struct GAT: TrainableModel {
    public let kind = "gat"
    public var isInductive: Bool { true }
    public var weights: GATWeights<Matrix>
    public let input: NodeInput
    /// Graph layers: one per weight layer, as in GCN.
    public var layers: Int { weights.layers.count }
    public let heads: Int
    /// The bias weights `feature-bias=fixed` keeps at their closed form.
    public let frozen: Set<String>
    /// Width of the per-type input Linear (0: features go straight into W_1).
    public let projection: Int
    /// The nonlinearity between layers: ReLU. ELU (PyG's GAT examples) is kept for
    /// the gradient tests, which need a smooth model to compare with finite differences.
    var hiddenActivation: HiddenActivation = .relu
    enum HiddenActivation: Sendable { case relu, elu }
    /// LeakyReLU slope of the attention logits.
    public static let negativeSlope: Float = 0.2

    /// A fresh model for `graph`: Glorot W and attention vectors, zero biases, from `options.seed`.
    public init(graph: InteractionGraph, options: TrainOptions) {
        input = NodeInput(graph: graph, options: options)
        heads = options.heads
        var rng = SeededGenerator(seed: options.seed, stream: "gat.init")
        let ids = input.initialIDs(users: graph.userCount, movies: graph.movieCount, using: &rng)
        var projectionWeights: InputProjection<Matrix>?
        var width = input.width
        if input.useFeatures, let uf = graph.userFeatures, let mf = graph.movieFeatures, uf.cols > 0, mf.cols > 0 {
            projection = options.hidden
            // torch.nn.Linear's default: weight and bias ~ U(-1/sqrt(in), 1/sqrt(in)).
            func linear(_ n: Int) -> (Matrix, Matrix) {
                let bound = 1 / Float(n).squareRoot()
                let w = Matrix.uniform(rows: n, cols: options.hidden, low: -bound, high: bound, using: &rng)
                return (w, .uniform(rows: 1, cols: options.hidden, low: -bound, high: bound, using: &rng))
            }
            let (users, usersBias) = linear(uf.cols)
            let (movies, moviesBias) = linear(mf.cols)
            projectionWeights = InputProjection(users: users, usersBias: usersBias, movies: movies, moviesBias: moviesBias)
            width = projection + (input.useIDs ? input.idWidth : 0)
        } else {
            projection = 0
        }
        var layers: [GATLayerWeights<Matrix>] = []
        for k in 1...options.layers {
            let last = k == options.layers, c = last ? options.dim : options.hidden
            layers.append(GATLayerWeights(weight: .glorot(rows: width, cols: heads * c, using: &rng),
                                          attSource: .glorot(rows: heads, cols: c, using: &rng),
                                          attDestination: .glorot(rows: heads, cols: c, using: &rng),
                                          bias: Matrix(rows: 1, cols: last ? c : heads * c)))
            width = last ? c : heads * c
        }
        let biases = FeatureBias.initial(options, graph: graph)
        frozen = biases.feature == nil ? [] : FeatureBias.frozen(options)
        weights = GATWeights(ids: ids, input: projectionWeights, layers: layers, itemBias: biases.item, featureBias: biases.feature)
    }

    public func effective(_ options: TrainOptions) -> TrainOptions {
        input.effective(options, featureBias: weights.featureBias != nil)
    }

    /// The attention pattern (graph edges both ways plus a self-loop per node)
    /// and the constant input features (with the projection: [x, t], the
    /// 42 features and the two one-hot type columns).
    public struct Context {
        public let attention: SparseOperator
        public let features: Matrix?
        public let userCount: Int
        /// Zeroes the ID rows of users without edges (`NodeInput.coldUserMask`).
        public let idMask: Matrix?
        /// The users' wide rows for the feature bias (`FeatureBias.wideFeatures`); nil without one.
        public let wideFeatures: Matrix?
    }

    public func makeContext(_ graph: InteractionGraph) -> Context { batchContext(graph, coldFrom: graph) }

    public func batchContext(_ graph: InteractionGraph, coldFrom: InteractionGraph) -> Context {
        var features = input.features(of: graph)
        if projection > 0, let x = features {
            var typed = Matrix(rows: x.rows, cols: x.cols + 2)
            for r in 0..<x.rows {
                for c in 0..<x.cols { typed[r, c] = x[r, c] }
                typed[r, x.cols + (r < graph.userCount ? 0 : 1)] = 1
            }
            features = typed
        }
        return Context(attention: SparseOperator(GAT.withSelfLoops(NodeInput.messageAdjacency(graph, coldFrom: coldFrom))),
                       features: features, userCount: graph.userCount, idMask: input.coldUserMask(coldFrom),
                       wideFeatures: weights.featureBias == nil ? nil : FeatureBias.wideFeatures(graph))
    }

    public func forward(_ tape: Tape, _ context: Context, weights: GATWeights<Variable>) -> (users: Variable, items: Variable) {
        let h = propagate(tape, context, weights: weights).output
        let z = ItemBias.append(tape, weights.itemBias, users: tape.sliceRows(h, 0..<context.userCount),
                                items: tape.sliceRows(h, context.userCount..<h.rows))
        return FeatureBias.append(tape, weights.featureBias, features: context.wideFeatures, users: z.users, items: z.items)
    }

    // h_v(0) = x_v P_type + p_type  (folded into W_1)
    // h_v(k) = act( sum_{u in N(v) ∪ {v}} a_vu W_k h_u(k-1) + b_k ),  per head
    // a_vu   = softmax_u LeakyReLU( (W_k h_u).a_src + (W_k h_v).a_dst )
    /// The forward pass, also returning every layer's attention weights
    /// (nnz x heads), layer 1's input rows and weight (`firstLayer`) and each
    /// layer's output (`states`, the last one being `output`).
    func propagate(_ tape: Tape, _ context: Context, weights: GATWeights<Variable>)
        -> (output: Variable, attention: [Variable], first: (h: Variable, w: Variable), states: [Variable]) {
        let first = firstLayer(tape, context, weights)
        var h = first.h
        var attention: [Variable] = [], states: [Variable] = []
        for (i, layer) in weights.layers.enumerated() {
            let k = i + 1
            let out = attentionLayer(tape, k, context.attention, h, destinations: h, w: k == 1 ? first.w : layer.weight, layer)
            h = out.h
            attention.append(out.attention)
            states.append(h)
        }
        return (h, attention, first, states)
    }

    public var samplesNeighbors: Bool { true }

    /// The same layers over a sampled computation graph: layer k attends over
    /// block k plus self-loops; its destinations are the first rows of its sources.
    public func sampledForward(_ tape: Tape, _ context: Context, sample: NeighborSample,
                               weights: GATWeights<Variable>) -> Variable? {
        let first = firstLayer(tape, context, weights, nodes: sample.nodes)
        var h = first.h
        for (i, layer) in weights.layers.enumerated() {
            let k = i + 1
            let graph = sample.attentionBlock(layer: k)
            h = attentionLayer(tape, k, graph, h, destinations: tape.sliceRows(h, 0..<graph.rows),
                               w: k == 1 ? first.w : layer.weight, layer).h
        }
        return h
    }

    /// Layer k on `graph` (destinations x sources): h holds the sources' rows,
    /// `destinations` the destinations' (h itself on the full graph).
    func attentionLayer(_ tape: Tape, _ k: Int, _ graph: SparseOperator, _ h: Variable, destinations: Variable,
                        w: Variable, _ layer: GATLayerWeights<Variable>) -> (h: Variable, attention: Variable) {
        let channels = w.cols / heads
        // (W h_u).a = h_u.(W a): the logit halves from a D x heads product, not per edge.
        let source = tape.matmul(h, tape.headDots(w, layer.attSource))
        let destination = tape.matmul(destinations, tape.headDots(w, layer.attDestination))
        let a = tape.edgeAttention(graph, source: source, destination: destination, slope: GAT.negativeSlope)
        var z: Variable                                                      // sum_u a_vu W h_u, heads side by side
        if h.cols < channels {
            z = tape.headMatmul(tape.attendShared(graph, a, h), w, heads: heads)  // aggregate, then project
        } else {
            z = tape.attend(graph, a, tape.matmul(h, w))                         // project, then aggregate
        }
        if k == layers { z = tape.headMean(z, heads: heads) }
        z = tape.addRowBias(z, layer.bias)
        if k < layers { z = hiddenActivation == .relu ? tape.relu(z) : tape.elu(z) }
        return (z, a)
    }

    /// Layer 1's input rows and weight. With the input projection,
    /// h(0) W_1 = [x, t] ([P_users; P_movies; p_users; p_movies] W_1) (ID rows, if
    /// any, keep their own rows of W_1): exact, and layer 1 aggregates 44-dim rows.
    /// With `nodes`, only those nodes' rows (a neighbour sample's).
    func firstLayer(_ tape: Tape, _ context: Context, _ weights: GATWeights<Variable>,
                    nodes: [Int32]? = nil) -> (h: Variable, w: Variable) {
        let w1 = weights.layers[0].weight
        guard let inputLinear = weights.input, let x = context.features else {
            return (inputNodes(tape, context, weights, nodes: nodes), w1)
        }
        let p = tape.concatRows([inputLinear.users, inputLinear.movies, inputLinear.usersBias, inputLinear.moviesBias])
        let features = tape.constant(nodes.map { x.gatherRows($0) } ?? x)
        guard let ids = weights.ids else { return (features, tape.matmul(p, w1)) }
        let h = tape.concatColumns([features, idRows(tape, context, ids, nodes: nodes)])
        let w = tape.concatRows([tape.matmul(p, tape.sliceRows(w1, 0..<projection)), tape.sliceRows(w1, projection..<w1.rows)])
        return (h, w)
    }

    /// h(0) without the projection: the constant feature block and/or the ID embeddings, side by side.
    func inputNodes(_ tape: Tape, _ context: Context, _ weights: GATWeights<Variable>, nodes: [Int32]? = nil) -> Variable {
        var parts: [Variable] = []
        if let x = context.features { parts.append(tape.constant(nodes.map { x.gatherRows($0) } ?? x)) }
        if let ids = weights.ids { parts.append(idRows(tape, context, ids, nodes: nodes)) }
        return parts.count == 1 ? parts[0] : tape.concatColumns(parts)
    }

    /// Every node's ID embedding, or only `nodes`' rows.
    func idRows(_ tape: Tape, _ context: Context, _ ids: IDTables<Variable>, nodes: [Int32]?) -> Variable {
        let all = input.idEmbeddings(tape, ids, userCount: context.userCount, mask: context.idMask)
        return nodes.map { tape.gatherRows(all, $0) } ?? all
    }

    /// The attention weights a_vu of every layer and head on `graph`
    /// (inference only): `result[layer - 1][head - 1]`.
    public func attention(on graph: InteractionGraph) -> [[AttentionWeights]] {
        attention(context: makeContext(graph))
    }

    public func attention(context: Context) -> [[AttentionWeights]] {
        let tape = Tape()
        let run = propagate(tape, context, weights: weights.bind { tape.constant($1) })
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

extension GAT: GraphModelKind {
    public static let name = "gat"
    public static let summary = "graph attention network (one or more heads) over features"
    public static let options = TrainOptions.options(["layers", "hidden", "dim", "heads", "features", "ids", "preset",
                                                      "bias", "feature-bias", "cold-share", "sampler", "fanout"])
    public static let capabilities = ModelCapabilities(inductive: true, coldUsers: .init(noEdges: .features, fewLikes: .graph),
                                                       edits: .propagates, attention: true, lossCurve: true, features: .optional)
}

/// The per-type input Linear before layer 1: P_users, p_users, P_movies, p_movies ("input.users.W", ...).
public struct InputProjection<T> {
    public var users: T
    public var usersBias: T
    public var movies: T
    public var moviesBias: T

    public func map<U>(_ f: (String, T) -> U) -> InputProjection<U> {
        InputProjection<U>(users: f("input.users.W", users), usersBias: f("input.users.bias", usersBias),
                           movies: f("input.movies.W", movies), moviesBias: f("input.movies.bias", moviesBias))
    }
}

/// One attention layer: W_k, the attention vectors a_src and a_dst (heads x channels) and the bias b_k.
public struct GATLayerWeights<T> {
    public var weight: T
    public var attSource: T
    public var attDestination: T
    public var bias: T

    public func map<U>(layer k: Int, _ f: (String, T) -> U) -> GATLayerWeights<U> {
        GATLayerWeights<U>(weight: f("layer\(k).W", weight), attSource: f("layer\(k).attSource", attSource),
                           attDestination: f("layer\(k).attDestination", attDestination), bias: f("layer\(k).bias", bias))
    }
}

/// GAT's weights: ID tables and the input projection when it has them, then one layer each.
public struct GATWeights<T> {
    public var ids: IDTables<T>?
    public var input: InputProjection<T>?
    public var layers: [GATLayerWeights<T>]
    /// The item bias ("item.bias") with `bias=on`.
    public var itemBias: T?
    /// The feature bias ("item.feature-bias") with `feature-bias=on`.
    public var featureBias: T?

    public init(ids: IDTables<T>?, input: InputProjection<T>?, layers: [GATLayerWeights<T>],
                itemBias: T? = nil, featureBias: T? = nil) {
        self.ids = ids
        self.input = input
        self.layers = layers
        self.itemBias = itemBias
        self.featureBias = featureBias
    }

    public func map<U>(_ f: (String, T) -> U) -> GATWeights<U> {
        GATWeights<U>(ids: ids?.map(f), input: input?.map(f), layers: layers.enumerated().map { $1.map(layer: $0 + 1, f) },
                      itemBias: itemBias.map { f(ItemBias.name, $0) },
                      featureBias: featureBias.map { f(FeatureBias.name, $0) })
    }
}

extension InputProjection: Sendable where T: Sendable {}
extension GATLayerWeights: Sendable where T: Sendable {}
extension GATWeights: Sendable where T: Sendable {}

extension GATWeights: WeightSet where T == Matrix {
    public func mapTensors(_ transform: (String, Matrix) -> Matrix) -> GATWeights<Matrix> { map(transform) }
    public func bind(_ variable: (String, Matrix) -> Variable) -> GATWeights<Variable> { map(variable) }
}
