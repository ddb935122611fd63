import Tensors

/// The seed's GCN: GraphSAGE with mean aggregation and a separate root weight,
///
///     h_v(k+1) = act(W_k * mean_{u in N(v)} h_u(k) + B_k * h_v(k) + b_k)
///
/// on the shared user-movie node space, `layers` layers (hidden width
/// `hidden`, output `dim`), ReLU between layers (`activation=`) and none after the last.
/// The bias b_k is PyG's SAGEConv bias; the seed's formula leaves it out.
/// h(0) comes from `NodeInput` (42-dim shared features and/or ID embeddings).
/// Score(u, m) = z_u . z_m with z = h(L), or with `combine=mean` the mean of
/// the ID embedding e and h(1) ... h(L) (`LayerCombination`).
///
/// Weights act on row vectors here (h W, N x in times in x out). Mean
/// aggregation is linear, so `mean(h) W = mean(h W)`: each layer aggregates
/// on the narrower side, before projecting when in <= out (layer 1: 42 -> 128)
/// and after when out < in (layer 2: 128 -> 64). Both are exact.
///
/// `ReferenceGCN` (Models/Reference/) is this model written plainly with
/// dense matrices: read it first; the tests check this fast path against it.
public struct GCN: TrainableModel {
    public let kind = "gcn"
    public var isInductive: Bool { true }
    public var weights: GCNWeights<Matrix>
    public let input: NodeInput
    /// Graph layers: one per weight layer, so a model and its weights cannot disagree.
    public var layers: Int { weights.layers.count }
    /// Dropout on the ID embeddings and the hidden layer while training (`dropout=`).
    public let dropout: Float
    /// The bias weights `feature-bias=fixed` keeps at their closed form.
    public let frozen: Set<String>
    public let combine: LayerCombination
    public let activation: LayerActivation
    /// With `score=cosine`, what each L2-normalised output row is scaled by (sqrt(1 / temperature)); nil for dot.
    public let rowScale: Float?

    /// A fresh model for `graph` from `options.seed`: Glorot weights and zero
    /// biases, or PyG's default init with `init=pyg` (`WeightInit`).
    public init(graph: InteractionGraph, options: TrainOptions) {
        input = NodeInput(graph: graph, options: options)
        dropout = options.dropout
        combine = options.combine
        activation = options.activation
        rowScale = EmbeddingScore.rowScale(options.score, temperature: options.temperature)
        var rng = SeededGenerator(seed: options.seed, stream: "gcn.init")
        let ids = input.initialIDs(users: graph.userCount, movies: graph.movieCount, using: &rng)
        var layers: [SAGEWeights<Matrix>] = []
        var width = input.width
        for k in 1...options.layers {
            let out = k == options.layers || options.combine == .mean ? options.dim : options.hidden
            switch options.initialization {
            case .glorot:
                layers.append(SAGEWeights(weight: .glorot(rows: width, cols: out, using: &rng),
                                          root: .glorot(rows: width, cols: out, using: &rng),
                                          bias: Matrix(rows: 1, cols: out)))
            case .pyg:      // torch_geometric Linear: kaiming_uniform(a=sqrt(5)) and bias, bound 1/sqrt(fan_in)
                let bound = 1 / Float(width).squareRoot()
                layers.append(SAGEWeights(weight: .uniform(rows: width, cols: out, low: -bound, high: bound, using: &rng),
                                          root: .uniform(rows: width, cols: out, low: -bound, high: bound, using: &rng),
                                          bias: .uniform(rows: 1, cols: out, low: -bound, high: bound, using: &rng)))
            }
            width = out
        }
        let biases = FeatureBias.initial(options, graph: graph)
        frozen = biases.feature == nil ? [] : FeatureBias.frozen(options)
        weights = GCNWeights(ids: ids, layers: layers, itemBias: biases.item, featureBias: biases.feature)
    }

    public func effective(_ options: TrainOptions) -> TrainOptions {
        input.effective(options, featureBias: weights.featureBias != nil)
    }

    /// The mean-aggregation operator and the (constant) input features with
    /// their mean; for a feature-only input, layer 1's compact per-type form.
    public struct Context {
        public let mean: SparseOperator
        public let features: Matrix?
        public let meanFeatures: Matrix?
        public let userCount: Int
        public let typedInput: TypedLayerInput?
        /// Zeroes the ID rows of users without edges (`NodeInput.coldUserMask`).
        public let idMask: Matrix?
        /// The users' wide rows for the feature bias (`FeatureBias.wideFeatures`); nil without one.
        public let wideFeatures: Matrix?
    }

    public func makeContext(_ graph: InteractionGraph) -> Context { batchContext(graph, coldFrom: graph) }

    public func batchContext(_ graph: InteractionGraph, coldFrom: InteractionGraph) -> Context {
        let mean = SparseOperator.rowNormalized(NodeInput.messageAdjacency(graph, coldFrom: coldFrom))
        let x = input.features(of: graph)
        let meanX = x.map { mean.times($0) }
        var typed: TypedLayerInput?
        if let x, let meanX, !input.useIDs {
            typed = TypedLayerInput(features: x, mean: meanX,
                                    types: [0..<graph.userCount, graph.userCount..<graph.nodeCount])
        }
        return Context(mean: mean, features: x, meanFeatures: meanX, userCount: graph.userCount, typedInput: typed,
                       idMask: input.coldUserMask(coldFrom),
                       wideFeatures: weights.featureBias == nil ? nil : FeatureBias.wideFeatures(graph))
    }

    // h_v(k+1) = act(W_k * mean_{u in N(v)} h_u(k) + B_k * h_v(k) + b_k)
    public func forward(_ tape: Tape, _ context: Context, weights: GCNWeights<Variable>) -> (users: Variable, items: Variable) {
        let (states, ids) = propagate(tape, context, weights: weights)
        let h = scored(tape, combined(tape, states: states, ids: ids))
        let n = h.rows
        let z = ItemBias.append(tape, weights.itemBias,
                                users: tape.sliceRows(h, 0..<context.userCount), items: tape.sliceRows(h, context.userCount..<n))
        return FeatureBias.append(tape, weights.featureBias, features: context.wideFeatures, users: z.users, items: z.items)
    }

    /// h(0), then each layer's output h(1) ... h(L) (the last without an
    /// activation and without the item and feature biases): what `forward` scores from,
    /// and the states the leave-out shortcut (GCN+LeaveOut) reads.
    func layerStates(_ tape: Tape, _ context: Context, weights: GCNWeights<Variable>) -> [Variable] {
        propagate(tape, context, weights: weights).states
    }

    /// The layer states and the ID embedding part of h(0) (nil without IDs).
    func propagate(_ tape: Tape, _ context: Context, weights: GCNWeights<Variable>) -> (states: [Variable], ids: Variable?) {
        let a = context.mean
        let (h0, meanH, ids) = input.forward(tape, ids: weights.ids, aggregate: a, features: context.features,
                                            meanFeatures: context.meanFeatures, userCount: context.userCount,
                                            dropout: dropout, idMask: context.idMask)
        var h = h0, states = [h0]
        for (i, layer) in weights.layers.enumerated() {
            let k = i + 1, (w, b, bias) = (layer.weight, layer.root, layer.bias)
            // One fused op (Tape+SAGE): it aggregates on the narrower side and
            // reuses the precomputed mean of the constant input in layer 1.
            let z = if k == 1, let typed = context.typedInput {
                typed.forward(tape, weight: w, root: b, bias: bias)
            } else {
                tape.sageLayer(a, h, aggregated: k == 1 ? meanH : nil, weight: w, root: b, bias: bias)
            }
            h = k < layers ? tape.dropout(activated(tape, z), rate: dropout) : z
            states.append(h)
        }
        return (states, ids)
    }

    func activated(_ tape: Tape, _ z: Variable) -> Variable {
        activation == .relu ? tape.relu(z) : z
    }

    /// What the model scores from, given h(0) ... h(L) (or their rows) and the
    /// ID embedding: h(L), or the mean of the ID embedding and h(1) ... h(L).
    func combined(_ tape: Tape, states: [Variable], ids: Variable?) -> Variable {
        let last = states[states.count - 1]
        guard combine == .mean else { return last }
        let terms = (ids.map { [$0] } ?? []) + states.dropFirst()
        return tape.scale(terms.dropFirst().reduce(terms[0]) { tape.add($0, $1) }, 1 / Float(terms.count))
    }

    public var samplesNeighbors: Bool { true }

    // The same layers over a sampled computation graph (NeighborSample): layer k
    // averages over block k, whose destinations are the first rows of its sources,
    //     z = mean_{u in sample(v)} h_u W_k + h_v B_k + b_k,
    // aggregating first, since a block has far fewer destinations than sources.
    public func sampledForward(_ tape: Tape, _ context: Context, sample: NeighborSample,
                               weights: GCNWeights<Variable>) -> Variable? {
        precondition(sample.hops == layers, "a \(sample.hops)-hop sample for a \(layers)-layer GCN")
        var parts: [Variable] = []
        if let x = context.features { parts.append(tape.constant(x.gatherRows(sample.nodes))) }
        if let ids = weights.ids {
            let e = tape.gatherRows(input.idEmbeddings(tape, ids, userCount: context.userCount), sample.nodes)
            parts.append(tape.dropout(e, rate: dropout))
        }
        var h = parts.count == 1 ? parts[0] : tape.concatColumns(parts)
        var states = [h]
        for (i, layer) in weights.layers.enumerated() {
            let k = i + 1
            let a = sample.meanBlock(layer: k)
            let z = tape.linearPair(tape.spmm(a, h), layer.weight, tape.sliceRows(h, 0..<a.rows), layer.root,
                                    bias: layer.bias)
            h = k < layers ? tape.dropout(activated(tape, z), rate: dropout) : z
            states.append(h)
        }
        guard combine == .mean else { return scored(tape, h) }
        // The batch's nodes are the first rows of every hop's states.
        let first = 0..<h.rows
        let ids = weights.ids == nil ? nil : parts.last.map { tape.sliceRows($0, first) }
        return scored(tape, combined(tape, states: states.map { tape.sliceRows($0, first) }, ids: ids))
    }

    /// The rows scores are dot products of: `combined`'s, or with `score=cosine`
    /// the same rows L2-normalised and scaled by sqrt(1 / temperature) (`EmbeddingScore`).
    func scored(_ tape: Tape, _ z: Variable) -> Variable {
        rowScale.map { tape.rowNormalized(z, scale: $0) } ?? z
    }

    /// `scored` for rows outside a tape (what-if, the reference).
    func scored(_ z: Matrix) -> Matrix {
        rowScale.map { z.rowsNormalized(scale: $0).rows } ?? z
    }
}

extension GCN: GraphModelKind {
    public static let name = "gcn"
    public static let summary = "the seed study's GraphSAGE GCN over features (ID embeddings optional)"
    public static let options = TrainOptions.options(["layers", "hidden", "dim", "features", "ids", "init", "preset", "dropout",
                                                      "bias", "feature-bias", "cold-share", "sampler", "fanout",
                                                      "combine", "activation", "score", "temperature"])
    public static let capabilities = ModelCapabilities(inductive: true, coldUsers: .init(noEdges: .features, fewLikes: .graph),
                                                       edits: .propagates, lossCurve: true, features: .optional)
}

/// One GraphSAGE layer: W_k ("layerK.W"), the root weight B_k ("layerK.B") and the bias b_k ("layerK.bias").
public struct SAGEWeights<T> {
    public var weight: T
    public var root: T
    public var bias: T

    public func map<U>(layer k: Int, _ f: (String, T) -> U) -> SAGEWeights<U> {
        SAGEWeights<U>(weight: f("layer\(k).W", weight), root: f("layer\(k).B", root), bias: f("layer\(k).bias", bias))
    }
}

/// GCN's weights: the ID tables when it has them, then one `SAGEWeights` per layer, then the item bias
/// ("item.bias") with `bias=on` and the feature bias ("item.feature-bias") with `feature-bias=on`.
public struct GCNWeights<T> {
    public var ids: IDTables<T>?
    public var layers: [SAGEWeights<T>]
    public var itemBias: T?
    public var featureBias: T?

    public init(ids: IDTables<T>?, layers: [SAGEWeights<T>], itemBias: T? = nil, featureBias: T? = nil) {
        self.ids = ids
        self.layers = layers
        self.itemBias = itemBias
        self.featureBias = featureBias
    }

    public func map<U>(_ f: (String, T) -> U) -> GCNWeights<U> {
        GCNWeights<U>(ids: ids?.map(f), layers: layers.enumerated().map { $1.map(layer: $0 + 1, f) },
                      itemBias: itemBias.map { f(ItemBias.name, $0) },
                      featureBias: featureBias.map { f(FeatureBias.name, $0) })
    }
}

extension SAGEWeights: Sendable where T: Sendable {}
extension GCNWeights: Sendable where T: Sendable {}

extension GCNWeights: WeightSet where T == Matrix {
    public func mapTensors(_ transform: (String, Matrix) -> Matrix) -> GCNWeights<Matrix> { map(transform) }
    public func bind(_ variable: (String, Matrix) -> Variable) -> GCNWeights<Variable> { map(variable) }
}
