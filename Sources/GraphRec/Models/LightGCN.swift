import Tensors

/// LightGCN (He et al., 2020): ID embeddings smoothed over the graph, no
/// weights, no nonlinearity,
///
///     e(k+1) = D^-1/2 A D^-1/2 e(k),   z = mean(e(0), ..., e(K))
///
/// with K = `layers`. Score(u, m) = z_u . z_m. New edges change z through
/// propagation; users added later start from a zero ID vector.
public struct LightGCN: TrainableModel {
    public let kind = "lightgcn"
    public var isInductive: Bool { true }
    public var weights: IDTables<Matrix>
    public let layers: Int
    let input: NodeInput

    public init(graph: InteractionGraph, options: TrainOptions) {
        layers = options.layers
        input = NodeInput(useFeatures: false, useIDs: true, idWidth: options.dim, featureWidth: 0)
        var rng = SeededGenerator(seed: options.seed, stream: "lightgcn.init")
        weights = .normal(users: graph.userCount, movies: graph.movieCount, width: options.dim, using: &rng)
    }

    public struct Context {
        public let propagation: SparseOperator
        public let userCount: Int
    }

    public var propagatesOverGraph: Bool { true }

    public func makeContext(_ graph: InteractionGraph) -> Context {
        Context(propagation: .symmetricNormalized(graph.adjacency()), userCount: graph.userCount)
    }

    // e(k+1) = D^-1/2 A D^-1/2 e(k);  z = mean_k e(k)
    public func forward(_ tape: Tape, _ context: Context, weights: IDTables<Variable>) -> (users: Variable, items: Variable) {
        var e = input.idEmbeddings(tape, weights, userCount: context.userCount)
        var total = e
        for _ in 0..<layers {
            e = tape.spmm(context.propagation, e)
            total = tape.add(total, e)
        }
        let z = tape.scale(total, 1 / Float(layers + 1))
        return (tape.sliceRows(z, 0..<context.userCount), tape.sliceRows(z, context.userCount..<z.rows))
    }
}

extension LightGCN: GraphModelKind {
    public static let name = "lightgcn"
    public static let summary = "LightGCN: ID embeddings smoothed over the graph"
    public static let options = TrainOptions.options(["layers", "dim", "preset"])
    public static let capabilities = ModelCapabilities(inductive: true, coldUsers: .init(noEdges: .popularity, fewLikes: .foldIn), edits: .propagates, lossCurve: true)
}
