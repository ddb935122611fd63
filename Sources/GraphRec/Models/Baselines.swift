import Dispatch
import Tensors

/// Helpers the non-neural baselines share: most-popular, item-based kNN,
/// EASE, PureSVD and implicit ALS (each declared in its own file as a `ModelKind`).
///
/// Each is a `Recommender` fitted in closed form or by a few ALS sweeps,
/// in well under a second to a few seconds on ML-100K; they are the bar the
/// graph models must clear. Every fit accepts `seed=` (so `compare
/// seeds=...` can pass it to all models); only ALS draws random numbers.
public enum Baselines {
    // MARK: helpers shared by the baseline files

    /// X^T X for the binary user-movie matrix X: the movies' co-occurrence counts. X has ~4% nonzeros on ML-100K, so X^T X
    /// is a sparse-dense product (X^T as CSR times dense X): exact like the
    /// BLAS product (integer counts), and 3x faster than sgemm measured here.
    static func cooccurrence(_ graph: InteractionGraph) -> Matrix {
        graph.itemUsers.multiply(graph.userItems.dense())
    }

    /// The square movies x movies parameter 'items' of an item-item model.
    static func itemItemMatrix(of parameters: [String: Matrix], kind: String) throws -> Matrix {
        let m = try parameter("items", of: parameters, kind: kind)
        guard m.rows == m.cols else { throw RecError("\(kind): parameter 'items' is \(m.rows)x\(m.cols), expected square") }
        return m
    }

    /// The seed every baseline accepts (so `compare seeds=` can pass it to all models).
    static let seedOption = ModelOption("seed", .int(0...Int.max), default: .int(0),
                                        "random seed (only als draws random numbers)")

    /// A named weight of a saved model, with its expected shape checked.
    static func parameter(_ name: String, of parameters: [String: Matrix], kind: String,
                          rows: Int? = nil, cols: Int? = nil) throws -> Matrix {
        guard let m = parameters[name] else {
            throw RecError("\(kind): missing parameter '\(name)' (have: \(parameters.keys.sorted().joined(separator: ", ")))")
        }
        if let rows, m.rows != rows { throw RecError("\(kind): parameter '\(name)' has \(m.rows) rows, expected \(rows)") }
        if let cols, m.cols != cols { throw RecError("\(kind): parameter '\(name)' has \(m.cols) columns, expected \(cols)") }
        return m
    }

    /// A scalar hyperparameter stored as a 1x1 parameter.
    static func scalar(_ name: String, of parameters: [String: Matrix], kind: String) throws -> Float {
        try parameter(name, of: parameters, kind: kind, rows: 1, cols: 1)[0, 0]
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    /// Runs `body` on two halves of `0..<count` on the two cores. With
    /// `rowStart` (a CSR's row offsets) the halves hold equal numbers of
    /// entries rather than rows, so both cores get the same work.
    static func parallelHalves(_ count: Int, balancing rowStart: [Int]? = nil, _ body: (Range<Int>) -> Void) {
        if count < 64 { body(0..<count); return }
        var mid = count / 2
        if let rowStart, let total = rowStart.last, total > 0 {
            mid = rowStart.firstIndex { $0 * 2 >= total } ?? count / 2
            mid = min(max(mid, 1), count - 1)
        }
        let halves = [0..<mid, mid..<count]
        // The two halves touch disjoint rows, which is what makes sharing `body` safe.
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let work = body
            DispatchQueue.concurrentPerform(iterations: 2) { work(halves[$0]) }
        }
    }
}

/// A kind fitted in closed form (popularity, ItemKNN, PureSVD, EASE): the
/// fit is one timed "epoch", and a saved model is rebuilt by
/// `init(parameters:)`, which checks the tensors' shapes against each other.
public protocol ClosedFormKind: ModelKind, Recommender {
    static func fit(graph: InteractionGraph, options: ModelOptions, control: RunControl) throws -> Self
    init(parameters: [String: Matrix]) throws
}

extension ClosedFormKind {
    public static func fit(_ request: FitRequest) throws -> FitResult {
        let clock = ContinuousClock()
        let start = clock.now
        let model = try fit(graph: request.graph, options: request.options, control: request.control)
        var history = TrainingHistory()
        history.epochSeconds = [Baselines.seconds(clock.now - start)]
        history.bestEpoch = 1
        return FitResult(recommender: model, history: history, options: request.options)
    }

    public static func restore(parameters: [String: Matrix], options: ModelOptions, graph: InteractionGraph) throws -> any Recommender {
        try Self(parameters: parameters)
    }
}
