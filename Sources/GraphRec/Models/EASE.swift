import Tensors

/// EASE, "Embarrassingly Shallow Autoencoders" (Steck 2019): the item-item
/// weight matrix B minimising |X - X B|^2 + lambda |B|^2 subject to
/// diag(B) = 0, which has a closed form.
///
///     P = (X^T X + lambda I)^-1
///     B_jm = -P_jm / P_mm  (j != m),   B_mm = 0
///     score(u, m) = sum_j X_uj B_jm   =  (X B)_um
///
/// users = X's rows, items = B^T's rows (row m = column m of B). P comes from
/// a Cholesky solve against the identity (`sposv`); X^T X + lambda I is
/// positive definite for any lambda > 0. Default lambda 300: the best
/// validation NDCG@10 on ML-100K, warm 80/10/10 split, over {50, 100, 200,
/// 300, 400, 500, 750, 1000, 2000} (200-500 are within 0.001 of each other).
/// Inductive: a new edge changes the user's row of X.
public struct EASE: EmbeddingRecommender, Equatable {
    public var kind: String { "ease" }
    public var isInductive: Bool { true }

    /// movies x movies, B^T: row m holds the weights of every movie j towards m.
    public let weights: Matrix


    public init(weights: Matrix) {
        precondition(weights.rows == weights.cols, "EASE weights must be square")
        self.weights = weights
    }

    public static func fit(graph: InteractionGraph, options: ModelOptions, control: RunControl) throws -> EASE {
        let lambda = Float(try options.number("lambda"))

        let n = graph.movieCount
        var gram = Baselines.cooccurrence(graph)            // X^T X
        for m in 0..<n { gram[m, m] += lambda }
        control.report(ProgressUpdate(label: "ease", done: 1, total: 2, detail: "gram"))
        var identity = Matrix(rows: n, cols: n)
        for m in 0..<n { identity[m, m] = 1 }
        let p: Matrix
        do { p = try LAPACK.solvePositiveDefinite(gram, identity) } catch {
            throw RecError("ease: cannot invert X^T X + lambda I (\(error)); try a larger lambda")
        }
        // P is symmetric, so column m of B (= row m of B^T) is row m of P over -P_mm.
        var bt = p
        bt.storage.withUnsafeMutableBufferPointer { b in
            for m in 0..<n {
                let row = b.baseAddress! + m &* n
                let scale = -1 / row[m]
                for j in 0..<n { row[j] *= scale }
                row[m] = 0
            }
        }
        control.report(ProgressUpdate(label: "ease", done: 2, total: 2, detail: "lambda \(lambda)"))
        return EASE(weights: bt)
    }

    public func embed(_ graph: InteractionGraph) -> Embeddings {
        Baselines.itemItemEmbeddings(graph, items: weights)
    }

    public var parameters: [String: Matrix] { ["items": weights] }

    public init(parameters: [String: Matrix]) throws {
        self.init(weights: try Baselines.itemItemMatrix(of: parameters, kind: "ease"))
    }
}

extension EASE: ModelKind {
    public static let name = "ease"
    public static let summary = "EASE: closed-form item-item weights"
    public static let options = [
        ModelOption("lambda", .number(1e-6...1e9), default: .number(300), "L2 regularisation of the item-item weights (> 0)",
                    scale: .log),
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
        try EASE(parameters: parameters)
    }
}
