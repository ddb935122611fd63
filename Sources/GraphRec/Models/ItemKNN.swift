import Tensors

/// Item-based k-nearest-neighbours (Sarwar et al. 2001; Deshpande & Karypis 2004)
/// with cosine similarity on the binary user-movie matrix X.
///
///     S_mj  = (X^T X)_mj / (|x_m| |x_j| + shrink),  S_mm = 0
///     keep, in each row m, the `neighbors` largest S_mj (ties: lower j)
///     score(u, m) = sum_j X_uj S_mj   =  (X S^T)_um
///
/// users = X's rows, items = the pruned S's rows (row m: movie m's
/// neighbours). `shrink` (default 0, plain cosine) damps similarities
/// resting on few co-raters. Inductive: a new edge changes the user's row of X.
/// On ML-100K (warm 80/10/10) validation NDCG@10 peaks at 200 neighbours
/// (0.229 vs 0.222 at the default 100); shrink 10 changes it by < 0.002.
public struct ItemKNN: EmbeddingRecommender, Equatable {
    public var kind: String { "itemknn" }
    public var isInductive: Bool { true }

    /// movies x movies, row m holding movie m's kept neighbours' similarities.
    public let similarity: Matrix

    public init(similarity: Matrix) {
        precondition(similarity.rows == similarity.cols, "item similarity must be square")
        self.similarity = similarity
    }

    public static func fit(graph: InteractionGraph, options: ModelOptions, control: RunControl) throws -> ItemKNN {
        let neighbors = try options.int("neighbors")
        let shrink = Float(try options.number("shrink"))

        let n = graph.movieCount
        var s = Baselines.cooccurrence(graph)                 // co-occurrence counts X^T X
        let norm = (0..<n).map { s[$0, $0].squareRoot() }          // |x_m| = sqrt(deg m)
        control.report(ProgressUpdate(label: "itemknn", done: 1, total: 2, detail: "co-occurrence"))
        let keep = min(neighbors, max(n - 1, 0))
        s.storage.withUnsafeMutableBufferPointer { sp in
            let base = sp.baseAddress!
            Baselines.parallelHalves(n) { rows in
                var sorted = [Float](repeating: 0, count: n)
                for m in rows {
                    let row = base + m &* n
                    for j in 0..<n {
                        let d = norm[m] * norm[j] + shrink
                        row[j] = (j == m || d == 0) ? 0 : row[j] / d
                    }
                    if keep >= n - 1 { continue }
                    // The keep-th largest value is the cut; among equals keep lower indices first.
                    for j in 0..<n { sorted[j] = row[j] }
                    sorted.sort(by: >)
                    let cut = sorted[keep - 1]
                    var aboveCut = 0
                    for j in 0..<n where row[j] > cut { aboveCut &+= 1 }
                    var tiesLeft = keep - aboveCut
                    for j in 0..<n {
                        if row[j] > cut { continue }
                        if row[j] == cut && tiesLeft > 0 { tiesLeft &-= 1 } else { row[j] = 0 }
                    }
                }
            }
        }
        control.report(ProgressUpdate(label: "itemknn", done: 2, total: 2, detail: "top \(keep) neighbours"))
        return ItemKNN(similarity: s)
    }

    public func embed(_ graph: InteractionGraph) -> Embeddings {
        Baselines.itemItemEmbeddings(graph, items: similarity)
    }

    public var parameters: [String: Matrix] { ["items": similarity] }

    public init(parameters: [String: Matrix]) throws {
        self.init(similarity: try Baselines.itemItemMatrix(of: parameters, kind: "itemknn"))
    }
}

extension ItemKNN: ModelKind {
    public static let name = "itemknn"
    public static let summary = "item-based k nearest neighbours (cosine)"
    public static let options = [
        ModelOption("neighbors", .int(1...Int(Int32.max)), default: .int(100), "similar movies kept per movie (1 or more)",
                    scale: .log),
        ModelOption("shrink", .number(0...1e9), default: .number(0),
                    "added to the cosine denominator; damps pairs with few co-raters", scale: .linear),
        Baselines.seedOption,
    ]
    public static let capabilities = ModelCapabilities(inductive: true, coldUsers: .init(noEdges: .popularity, fewLikes: .likes), edits: .ownRow)

    public static func fit(_ request: FitRequest) throws -> FitResult {
        try Baselines.closedForm(request) { try fit(graph: request.graph, options: request.options, control: request.control) }
    }

    public static func parameterShapes(options: ModelOptions, graph: InteractionGraph) throws -> [String: [Int]] {
        ["items": [graph.movieCount, graph.movieCount]]
    }

    public static func restore(parameters: [String: Matrix], options: ModelOptions, graph: InteractionGraph) throws -> any Recommender {
        try ItemKNN(parameters: parameters)
    }
}
