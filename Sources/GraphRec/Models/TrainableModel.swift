import Tensors

/// A model the `Trainer` can fit by gradient descent: named weights and a
/// forward pass on a `Tape` that yields user and item embeddings.
///
/// GCN, GAT, LightGCN and BPR-MF all conform; the trainer binds each
/// parameter to the tape by name, calls `forward`, scores pairs by dot
/// products, back-propagates the loss and updates `parameters` with Adam.
///
/// `Context` holds what a forward pass derives from the graph but never
/// learns (aggregation operators, aggregated node features): the trainer
/// builds it once per run instead of once per batch.
public protocol TrainableModel: EmbeddingRecommender {
    associatedtype Context
    /// The weights, one typed field per tensor.
    associatedtype Weights: WeightSet
    var weights: Weights { get set }
    /// Names of the weights the trainer keeps as they start (bound as constants, never updated).
    var frozen: Set<String> { get }
    /// Graph-derived constants for `forward`.
    func makeContext(_ graph: InteractionGraph) -> Context
    /// The context of one training batch whose message passing runs on
    /// `graph` (the train graph with some edges hidden), with the users of
    /// `coldFrom` that have no edges treated as users without edges (the
    /// feature GNNs zero their ID rows). Hiding a batch's positives must not
    /// make a user cold; hiding all of a user's edges on purpose does.
    func batchContext(_ graph: InteractionGraph, coldFrom: InteractionGraph) -> Context
    /// Embeddings of all users (userCount x d) and items (movieCount x d),
    /// computed from `weights` (bound on `tape`).
    func forward(_ tape: Tape, _ context: Context, weights: Weights.Bound) -> (users: Variable, items: Variable)
    /// `options` as this model actually uses them (a GNN on a data set without
    /// features trains ID embeddings whatever `ids=` said), so the options a
    /// model reports are exactly what was trained.
    func effective(_ options: TrainOptions) -> TrainOptions
    /// True when every step's forward pass propagates over the whole graph
    /// (GCN, GAT, LightGCN): on a large graph `sampler=auto` then trains in
    /// fewer, larger batches (`NeighborSampling.resolve`).
    var propagatesOverGraph: Bool { get }
    /// True when `sampledForward` computes embeddings from a `NeighborSample`.
    var samplesNeighbors: Bool { get }
    /// Embeddings of a neighbour sample's seeds (`sample.seedCount` x d, in
    /// local order), each layer aggregating over the sample's block for it;
    /// nil for a model that only propagates over the whole graph.
    func sampledForward(_ tape: Tape, _ context: Context, sample: NeighborSample, weights: Weights.Bound) -> Variable?
}

extension TrainableModel {
    public func effective(_ options: TrainOptions) -> TrainOptions { options }
    public var frozen: Set<String> { [] }
    public var samplesNeighbors: Bool { false }
    public var propagatesOverGraph: Bool { samplesNeighbors }
    public func sampledForward(_ tape: Tape, _ context: Context, sample: NeighborSample, weights: Weights.Bound) -> Variable? {
        nil
    }

    public func batchContext(_ graph: InteractionGraph, coldFrom: InteractionGraph) -> Context { makeContext(graph) }

    /// The weights by name: what Adam, the weight average and saving work on.
    public var parameters: [String: Matrix] {
        get { weights.named }
        set { weights.assign(newValue) }
    }

    /// Inference: the same forward pass with the weights bound as tape
    /// *constants*. Ops on constants record no backward closures and keep no
    /// gradients, so this is plain eager evaluation at the cost of the ops
    /// themselves, and it can never drift from the trained forward pass.
    public func embed(context: Context) -> Embeddings {
        let tape = Tape()
        let out = forward(tape, context, weights: weights.bind { tape.constant($1) })
        return Embeddings(users: tape.value(out.users), items: tape.value(out.items))
    }

    public func embed(_ graph: InteractionGraph) -> Embeddings { embed(context: makeContext(graph)) }
}
