import Tensors

/// EASE, "Embarrassingly Shallow Autoencoders" (Steck 2019): the item-item
/// weight matrix B minimising |X - X B|^2 + lambda |B|^2 subject to
/// diag(B) = 0, which has a closed form.
///
///     P = (X^T X + lambda I)^-1
///     B_jm = -P_jm / P_mm  (j != m),   B_mm = 0
///     score(u, m) = sum_{j in likes(u)} B_jm   =  (X B)_um
///
/// B is dense and movies x movies by nature, so the catalogue bounds it:
/// `checkSize` refuses, with the size, the memory and time it would take and
/// the alternatives, a catalogue whose inverse does not fit the budget.
/// X^T X is built from the users' sparse likes and inverted in place from
/// its Cholesky factor (`spotrf` + `spotri`; X^T X + lambda I is positive
/// definite for any lambda > 0), and scoring sums the B rows of a user's likes. Default
/// lambda 300: the best validation NDCG@10 on ML-100K, warm 80/10/10 split,
/// over {50, 100, 200, 300, 400, 500, 750, 1000, 2000} (200-500 are within
/// 0.001 of each other). Inductive: a new edge changes the user's likes.
///
/// Saved as `items` = B^T (row m = column m of B), as earlier versions did.
public struct EASE: Recommender, Equatable {
    public var kind: String { "ease" }
    public var isInductive: Bool { true }

    /// movies x movies, B: row j holds the weight of movie j towards every movie.
    public let weights: Matrix

    public init(weights: Matrix) {
        precondition(weights.rows == weights.cols, "EASE weights must be square")
        self.weights = weights
    }

    /// Memory and work of a fit on `movies` movies: the Gram, inverted and
    /// turned into B in place (one n x n buffer, plus its copy while a restored
    /// or saved model is transposed), and the inversion, one LAPACK call
    /// (about n^3 flops) that Ctrl-C cannot stop.
    public static func estimate(movies: Int, edges: Int) -> ResourceEstimate {
        let n = Double(movies)
        return ResourceEstimate(bytes: n * n * 4 * 2, denseFLOPs: n * n * n, streamFLOPs: Double(edges) * 2)
    }

    /// Throws, naming the catalogue's size, what inverting it would take and
    /// the alternatives, when a fit on `graph` does not fit `budget`.
    public static func checkSize(_ graph: InteractionGraph, budget: ResourceBudget) throws {
        let n = graph.movieCount
        let estimate = estimate(movies: n, edges: graph.edgeCount)
        guard let reason = budget.problem(estimate) else { return }
        var message = "\(n) movies is too large a catalogue for EASE here: inverting its \(n) x \(n) item-item matrix "
            + "\(reason). Alternatives: itemknn (keeps each movie's top neighbours sparse; memory grows with movies x neighbors), "
            + "or a factor model (als, lightgcn, mf)"
        if budget.memoryLimit == nil, let memory = budget.memory, estimate.bytes > memory.bytes {
            message += "; set memory-limit= to choose the memory budget"
        }
        throw RecError(message)
    }

    public static func fit(graph: InteractionGraph, options: ModelOptions, control: RunControl) throws -> EASE {
        let lambda = Float(try options.number("lambda"))
        try checkSize(graph, budget: control.budget)
        let n = graph.movieCount
        var gram = Matrix(rows: n, cols: n)                  // X^T X, row by row from the sparse likes
        try gram.storage.withUnsafeMutableBufferPointer { g in
            let rows = SharedBuffer(g)
            try Baselines.cooccurrenceRows(graph, control: control, label: "ease") { m, counts in
                (rows.base + m &* n).update(from: counts, count: n)
            }
        }
        for m in 0..<n { gram[m, m] += lambda }
        control.report(ProgressUpdate(label: "ease", done: 1, total: 2, detail: "inverting \(n) x \(n)"))
        var b: Matrix
        do { b = try LAPACK.invertPositiveDefinite(consume gram) } catch {
            throw RecError("ease: cannot invert X^T X + lambda I (\(error)); try a larger lambda")
        }
        // B_jm = P_jm * (-1 / P_mm): every row scaled by the same per-column factors.
        let scale = (0..<n).map { -1 / b[$0, $0] }
        b.storage.withUnsafeMutableBufferPointer { p in
            for j in 0..<n {
                let row = p.baseAddress! + j &* n
                for m in 0..<n { row[m] *= scale[m] }
                row[j] = 0
            }
        }
        control.report(ProgressUpdate(label: "ease", done: 2, total: 2, detail: "lambda \(lambda)"))
        return EASE(weights: b)
    }

    public func scorer(_ graph: InteractionGraph) -> any Scorer {
        ItemItemScorer(likes: graph.userItems, weights: .dense(weights), vectorRows: .dense(weights),
                       vectorSource: "item-item weights")
    }

    public var parameters: [String: Matrix] { ["items": weights.transposed()] }

    public init(parameters: [String: Matrix]) throws {
        self.init(weights: try Baselines.itemItemMatrix(of: parameters, kind: "ease").transposed())
    }
}

extension EASE: ClosedFormKind {
    public static let name = "ease"
    public static let summary = "EASE: closed-form item-item weights"
    public static let options = [
        ModelOption("lambda", .number(1e-6...1e9), default: .number(300), "L2 regularisation of the item-item weights (> 0)",
                    scale: .log(10...3000)),
        Baselines.seedOption,
    ]
    public static let capabilities = ModelCapabilities(inductive: true, coldUsers: .init(noEdges: .popularity, fewLikes: .likes), edits: .ownRow)

    public static func parameterShapes(options: ModelOptions, graph: InteractionGraph) throws -> [String: [Int]] {
        ["items": [graph.movieCount, graph.movieCount]]
    }
}
