import Tensors

/// BPR matrix factorisation (Rendle et al., 2009): one free vector per user
/// and per movie, `y_um = p_u . q_m`, trained with the same pairwise losses.
/// It ignores the graph at inference, so it is not inductive: users added
/// after training get a zero vector.
public struct MatrixFactorization: TrainableModel {
    public let kind = "mf"
    public var isInductive: Bool { false }
    public var weights: IDTables<Matrix>
    let input: NodeInput

    public init(graph: InteractionGraph, options: TrainOptions) {
        input = NodeInput(useFeatures: false, useIDs: true, idWidth: options.dim, featureWidth: 0)
        var rng = SeededGenerator(seed: options.seed, stream: "mf.init")
        weights = .normal(users: graph.userCount, movies: graph.movieCount, width: options.dim, using: &rng)
    }

    /// The graph's user count (new users get zero rows).
    public func makeContext(_ graph: InteractionGraph) -> Int { graph.userCount }

    // y_um = p_u . q_m
    public func forward(_ tape: Tape, _ userCount: Int, weights: IDTables<Variable>) -> (users: Variable, items: Variable) {
        let all = input.idEmbeddings(tape, weights, userCount: userCount)
        return (tape.sliceRows(all, 0..<userCount), tape.sliceRows(all, userCount..<all.rows))
    }
}

extension MatrixFactorization: GraphModelKind {
    public static let name = "mf"
    public static let summary = "BPR matrix factorisation"
    public static let options = TrainOptions.options(["dim"])
    public static let capabilities = ModelCapabilities(inductive: false, coldUsers: .init(noEdges: .popularity, fewLikes: .foldIn), edits: .ownRow, lossCurve: true)
}
