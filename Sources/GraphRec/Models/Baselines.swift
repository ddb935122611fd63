import Dispatch
import Tensors

/// One documented option of a model: its key, default (as typed) and what it does,
/// so `help train` and the fit functions read from the same declaration.
public struct ModelOption: Sendable, Equatable {
    public var key: String
    public var defaultValue: String
    public var help: String

    public init(_ key: String, _ defaultValue: String, _ help: String) {
        self.key = key
        self.defaultValue = defaultValue
        self.help = help
    }
}

/// The non-neural baselines, by the names `train` accepts: most-popular,
/// item-based kNN, EASE, PureSVD and implicit ALS.
///
/// Each is a `Recommender` fitted in closed form or by a few ALS sweeps,
/// in well under a second to a few seconds on ML-100K; they are the bar the
/// graph models must clear. Every fit accepts `seed=` (so `compare
/// seeds=...` can pass it to all models); only ALS draws random numbers.
public enum Baselines {
    public static let kinds = ["pop", "itemknn", "ease", "svd", "als"]

    /// The options `kind` accepts, with defaults; nil for an unknown kind.
    public static func options(for kind: String) -> [ModelOption]? {
        switch kind {
        case "pop": Popularity.options
        case "itemknn": ItemKNN.options
        case "ease": EASE.options
        case "svd": PureSVD.options
        case "als": ALS.options
        default: nil
        }
    }

    /// Fits the baseline `kind` on the graph's edges. ALS reports one entry per
    /// sweep in the history; closed-form models one "epoch" with its time.
    public static func fit(_ kind: String, graph: InteractionGraph, options: OptionValues,
                           control: RunControl) throws -> (recommender: any EmbeddingRecommender, history: TrainingHistory) {
        let clock = ContinuousClock()
        let start = clock.now
        let model: any EmbeddingRecommender
        switch kind {
        case "pop": model = try Popularity.fit(graph: graph, options: options, control: control)
        case "itemknn": model = try ItemKNN.fit(graph: graph, options: options, control: control)
        case "ease": model = try EASE.fit(graph: graph, options: options, control: control)
        case "svd": model = try PureSVD.fit(graph: graph, options: options, control: control)
        case "als":
            let als = try ALS.fit(graph: graph, options: options, control: control)
            return (als, als.history)
        default:
            throw RecError("train: unknown baseline '\(kind)' (known: \(kinds.joined(separator: ", ")))")
        }
        var history = TrainingHistory()
        history.epochSeconds = [seconds(clock.now - start)]
        history.bestEpoch = 1
        return (model, history)
    }

    /// Rebuilds a fitted baseline from its `parameters` (a saved session).
    public static func restore(_ kind: String, parameters: [String: Matrix]) throws -> any EmbeddingRecommender {
        switch kind {
        case "pop": try Popularity(parameters: parameters)
        case "itemknn": try ItemKNN(parameters: parameters)
        case "ease": try EASE(parameters: parameters)
        case "svd": try PureSVD(parameters: parameters)
        case "als": try ALS(parameters: parameters)
        default: throw RecError("restore: unknown baseline '\(kind)'")
        }
    }

    // MARK: helpers shared by the baseline files

    /// X^T X for the binary user-movie matrix X: the movies' co-occurrence counts. X has ~4% nonzeros on ML-100K, so X^T X
    /// is a sparse-dense product (X^T as CSR times dense X): exact like the
    /// BLAS product (integer counts), and 3x faster than sgemm measured here.
    static func cooccurrence(_ graph: InteractionGraph) -> Matrix {
        graph.itemUsers.multiply(graph.userItems.dense())
    }

    /// Embeddings of an item-item model (EASE, ItemKNN), which scores X M^T:
    /// users are X's rows, items the rows of its movies x movies matrix M.
    static func itemItemEmbeddings(_ graph: InteractionGraph, items: Matrix) -> Embeddings {
        precondition(graph.movieCount == items.rows, "graph has \(graph.movieCount) movies, model \(items.rows)")
        return Embeddings(users: graph.userItems.dense(), items: items)
    }

    /// The square movies x movies parameter 'items' of an item-item model.
    static func itemItemMatrix(of parameters: [String: Matrix], kind: String) throws -> Matrix {
        let m = try parameter("items", of: parameters, kind: kind)
        guard m.rows == m.cols else { throw RecError("\(kind): parameter 'items' is \(m.rows)x\(m.cols), expected square") }
        return m
    }

    /// Checks `options` against a model's declared keys, naming the model in the error.
    static func checkOptions(_ options: OptionValues, _ declared: [ModelOption], kind: String) throws {
        try options.checkKnown(declared.map(\.key), command: "train \(kind)")
    }

    /// The default of `key` in `declared` (the declaration is the documentation).
    static func defaultValue(_ key: String, in declared: [ModelOption]) -> String {
        guard let option = declared.first(where: { $0.key == key }) else {
            preconditionFailure("option \(key) is not declared")
        }
        return option.defaultValue
    }

    /// The whole-number option `key`, defaulting to its declared default.
    static func int(_ key: String, _ options: OptionValues, _ declared: [ModelOption],
                    range: ClosedRange<Int>) throws -> Int {
        try options.int(key, default: Int(defaultValue(key, in: declared))!, range: range)
    }

    /// The numeric option `key`, defaulting to its declared default.
    static func float(_ key: String, _ options: OptionValues, _ declared: [ModelOption],
                      range: ClosedRange<Float>) throws -> Float {
        try options.float(key, default: Float(defaultValue(key, in: declared))!, range: range)
    }

    /// The seed every baseline accepts (only ALS uses it).
    static let seedOption = ModelOption("seed", "0", "random seed (only als draws random numbers)")

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
