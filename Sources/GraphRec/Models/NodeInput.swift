import Tensors

/// The input layer h(0) of the graph models, in the shared node space
/// (users 0..<U, movie m at U + m).
///
/// Features: users and movies share one 42-dim input, `[x_u, 0]` for users
/// (24 features) and `[0, x_m]` for movies (18 genres). We chose this over a
/// per-type projection because it is the same function class (a per-type
/// linear map followed by W_1 is one linear map on the block input, and one-hot
/// gender/occupation give users a constant column for a type bias) with fewer
/// weights and no extra product, and because the 42-dim input is constant
/// during training, so its mean aggregation `mean_N(v) x_u` is computed once
/// per graph, not per batch.
///
/// ID embeddings (`ids=on`): learnable vectors `e_v` (width `dim`, tables
/// "ids.users" and "ids.movies"), appended to the features: `h_v(0) = [x_v, e_v]`.
/// Without features the input is `e_v` alone. Users added after training
/// (`newuser`) get a zero ID vector, so they are placed by features and
/// edges only.
public struct NodeInput: Sendable, Equatable {
    public var useFeatures: Bool
    public var useIDs: Bool
    public var idWidth: Int
    /// Width of the shared feature block (24 + 18 for ML-100K), 0 without features.
    public var featureWidth: Int

    /// The input a model trained with `options` on `graph` uses: features
    /// when asked for and the data set has any; IDs when asked for, when
    /// there are no features, or when one node type has none (ml-latest has
    /// movie genres but no user features): rows that are all zero would make
    /// every such node look the same, so an ID vector is what tells them apart.
    public init(graph: InteractionGraph, options: TrainOptions) {
        let available = NodeInput.available(graph)
        useFeatures = options.features && available.users + available.movies > 0
        useIDs = options.ids || !useFeatures || available.users == 0 || available.movies == 0
        idWidth = options.dim
        featureWidth = useFeatures ? available.users + available.movies : 0
    }

    /// Feature columns the graph has per node type (0 where a type has none).
    public static func available(_ graph: InteractionGraph) -> (users: Int, movies: Int) {
        (graph.userFeatures?.cols ?? 0, graph.movieFeatures?.cols ?? 0)
    }

    /// What a feature GNN (gcn, gat) trained with `options` starts from on
    /// `graph`, per node type, for `info` and the train result.
    public static func describe(_ graph: InteractionGraph, options: TrainOptions = TrainOptions()) -> String {
        let (u, m) = available(graph)
        let input = NodeInput(graph: graph, options: options)
        func part(_ name: String, _ width: Int) -> String {
            var pieces: [String] = []
            if input.useFeatures && width > 0 { pieces.append("\(width) features") }
            if input.useIDs { pieces.append("ID embeddings") }
            let missing = width == 0 ? " (no \(name.dropLast()) features)" : ""
            return "\(name): " + pieces.joined(separator: " + ") + missing
        }
        return part("users", u) + "; " + part("movies", m)
    }

    public init(useFeatures: Bool, useIDs: Bool, idWidth: Int, featureWidth: Int) {
        self.useFeatures = useFeatures
        self.useIDs = useIDs
        self.idWidth = idWidth
        self.featureWidth = featureWidth
    }

    /// `options` with `features` and `ids` as this input uses them.
    public func effective(_ options: TrainOptions, featureBias: Bool? = nil) -> TrainOptions {
        var o = options
        o.features = useFeatures
        o.ids = useIDs
        if featureBias == false { o.featureBias = .off }
        return o
    }

    /// Width of h(0).
    public var width: Int { featureWidth + (useIDs ? idWidth : 0) }

    /// Fresh ID tables, N(0, 0.1²); nil without IDs.
    public func initialIDs(users: Int, movies: Int, using rng: inout SeededGenerator) -> IDTables<Matrix>? {
        useIDs ? .normal(users: users, movies: movies, width: idWidth, using: &rng) : nil
    }

    /// The N x 42 feature block `[x_u, 0] / [0, x_m]`, or nil without
    /// features; a node type without features has zero rows in it.
    public func features(of graph: InteractionGraph) -> Matrix? {
        guard useFeatures else { return nil }
        let (uw, mw) = NodeInput.available(graph)
        precondition(uw + mw == featureWidth, "graph features are \(uw)+\(mw) wide, the model expects \(featureWidth)")
        var x = Matrix(rows: graph.nodeCount, cols: featureWidth)
        if let uf = graph.userFeatures {
            for u in 0..<graph.userCount { for c in 0..<uw { x[u, c] = uf[u, c] } }
        }
        if let mf = graph.movieFeatures {
            for m in 0..<graph.movieCount { for c in 0..<mw { x[graph.userCount + m, uw + c] = mf[m, c] } }
        }
        return x
    }

    /// ID rows for every node of a graph: trained users and movies keep
    /// theirs, users beyond the table get zeros, and so do the rows `mask`
    /// zeroes (`coldUserMask`). Returns the tape variable.
    public func idEmbeddings(_ tape: Tape, _ ids: IDTables<Variable>, userCount: Int, mask: Matrix? = nil) -> Variable {
        var users = ids.users
        if userCount > users.rows {
            users = tape.concatRows([users, tape.constant(Matrix(rows: userCount - users.rows, cols: users.cols))])
        }
        let all = tape.concatRows([users, ids.movies])
        guard let mask, mask.rows == all.rows, mask.cols == all.cols else { return all }
        return tape.mul(all, tape.constant(mask))
    }

    /// `graph`'s adjacency with the rows of users who have edges in `graph`
    /// but none in `coldFrom` emptied: such a user is trained as a new one
    /// (it aggregates nothing), while its movies still aggregate over it, as
    /// the movies of a real new user aggregate over the users they have.
    public static func messageAdjacency(_ graph: InteractionGraph, coldFrom: InteractionGraph) -> CSRMatrix {
        let a = graph.adjacency()
        guard coldFrom.edgeCount != graph.edgeCount || coldFrom.userCount != graph.userCount else { return a }
        let hidden = (0..<min(graph.userCount, coldFrom.userCount)).filter {
            coldFrom.degree(user: $0) == 0 && graph.degree(user: $0) > 0
        }
        guard !hidden.isEmpty else { return a }
        let clear = Set(hidden)
        var start = [0], cols: [Int32] = [], vals: [Float] = []
        cols.reserveCapacity(a.nonZeroCount)
        vals.reserveCapacity(a.nonZeroCount)
        for r in 0..<a.rows {
            if !clear.contains(r) {
                cols.append(contentsOf: a.colIndex[a.rowStart[r]..<a.rowStart[r + 1]])
                vals.append(contentsOf: a.values[a.rowStart[r]..<a.rowStart[r + 1]])
            }
            start.append(cols.count)
        }
        return CSRMatrix(rows: a.rows, cols: a.cols, rowStart: start, colIndex: cols, values: vals)
    }

    /// Ones with zero rows for the users of `graph` without edges; nil when
    /// there are none or no IDs. A user without edges was never trained (a
    /// cold user's row is its random init) or has its edges hidden in
    /// training to look new: either way the features alone must place it,
    /// as they place a user added after training.
    public func coldUserMask(_ graph: InteractionGraph) -> Matrix? {
        guard useIDs else { return nil }
        let cold = (0..<graph.userCount).filter { graph.degree(user: $0) == 0 }
        guard !cold.isEmpty else { return nil }
        var mask = Matrix(rows: graph.nodeCount, cols: idWidth, repeating: 1)
        for u in cold { for c in 0..<idWidth { mask[u, c] = 0 } }
        return mask
    }

    /// h(0), its mean aggregation `mean_{u in N(v)} h_u(0)` for layer 1 and
    /// the ID embedding part of h(0) (nil without IDs).
    /// The feature part of the aggregate is the precomputed constant.
    public func forward(_ tape: Tape, ids: IDTables<Variable>?, aggregate: SparseOperator,
                        features: Matrix?, meanFeatures: Matrix?, userCount: Int,
                        dropout: Float = 0, idMask: Matrix? = nil) -> (h: Variable, mean: Variable, ids: Variable?) {
        var h: [Variable] = [], mean: [Variable] = [], embedded: Variable?
        if let features, let meanFeatures {
            h.append(tape.constant(features))
            mean.append(tape.constant(meanFeatures))
        }
        if let ids {
            let e = tape.dropout(idEmbeddings(tape, ids, userCount: userCount, mask: idMask), rate: dropout)
            h.append(e)
            mean.append(tape.spmm(aggregate, e))
            embedded = e
        }
        return h.count == 1 ? (h[0], mean[0], embedded) : (tape.concatColumns(h), tape.concatColumns(mean), embedded)
    }
}
