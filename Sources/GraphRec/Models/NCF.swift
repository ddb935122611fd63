import Foundation
import Tensors

/// The options of `train ncf`, declared once: `help`, validation, defaults
/// and the recorded options all read `declared`. Defaults are the paper's
/// (He et al., 2017, section 4.1): 8 predictive factors, MLP 64-32-16-8,
/// 4 negatives per positive, Adam lr 0.001, batch 256, log loss.
public struct NCFOptions: Sendable, Equatable {
    public enum Loss: String, Sendable, CaseIterable { case bce, bpr }

    public var loss = Loss.bce
    /// GMF width, the paper's "predictive factors".
    public var factors = 8
    /// MLP widths: the first is the concatenated [user; movie] embedding
    /// (each half as wide), the rest are the ReLU layers; the last is the
    /// MLP's predictive factors.
    public var mlp = [64, 32, 16, 8]
    public var negatives = 4
    public var learningRate: Float = 0.001
    public var weightDecay: Float = 0
    public var batchSize = 256
    public var epochs = 20
    /// Train GMF and MLP alone first and start NeuMF from both (the paper's advice).
    public var pretrain = false
    public var seed: UInt64 = 0
    public var patience: Int?

    public static let declared: [ModelOption] = [
        ModelOption("loss", .choice(Loss.allCases.map(\.rawValue)), default: .word("bce"),
                    "bce: log loss over each positive and its negatives (the paper's); bpr: pairwise", scale: .categorical),
        ModelOption("factors", .int(1...1024), default: .int(8), "GMF embedding width (predictive factors)", scale: .log(4...64)),
        ModelOption("mlp", .widths(1...4096), default: .word("64,32,16,8"),
                    "MLP widths: concatenated input (2 x embedding, even), then the ReLU layers"),
        ModelOption("negatives", .int(1...1000), default: .int(4), "sampled negatives per positive, redrawn each epoch"),
        ModelOption("lr", .number(1e-8...10), default: .number(0.001), "Adam learning rate", scale: .log(0.0001...0.01)),
        ModelOption("weight-decay", .number(0...10), default: .number(0), "L2 on every weight, added to the gradient"),
        ModelOption("batch", .int(1...10_000_000), default: .int(256), "positives per mini-batch (each with its negatives)"),
        ModelOption("epochs", .int(1...100_000), default: .int(20), "epochs (per stage with pretrain=on)"),
        ModelOption("pretrain", .flag, default: .flag(false), "on: train GMF, then MLP, then NeuMF from both (3 x epochs)"),
        ModelOption("seed", .int(0...Int.max), default: .int(0), "seed of the initial weights, the shuffles and the negatives"),
        ModelOption("patience", .intOrOff(1...100_000), default: .off,
                    "stop after N epochs without a better validation NDCG@10"),
    ]

    public init() {}

    /// From typed options (`declared`); the first MLP width must be even.
    public init(_ o: ModelOptions) throws {
        loss = Loss(rawValue: try o.word("loss")) ?? .bce
        factors = try o.int("factors")
        mlp = try Self.parseWidths(try o.word("mlp"))
        negatives = try o.int("negatives")
        learningRate = Float(try o.number("lr"))
        weightDecay = Float(try o.number("weight-decay"))
        batchSize = try o.int("batch")
        epochs = try o.int("epochs")
        pretrain = try o.flag("pretrain")
        seed = UInt64(try o.int("seed"))
        if case .int(let p) = try o.value("patience") { patience = p }
    }

    /// From `key=value` text, checked against `declared`.
    public init(_ o: OptionValues) throws {
        try self.init(ModelOptions(parsing: o.values, declarations: Self.declared))
    }

    /// "64,32,16,8" (or "64-32-16-8") -> widths; the first must be even.
    static func parseWidths(_ text: String) throws -> [Int] {
        guard case .word(let normal) = try declared.first(where: { $0.name == "mlp" })!.parse(text) else { return [] }
        let widths = normal.split(separator: ",").compactMap { Int($0) }
        guard widths[0] % 2 == 0 else {
            throw RecError("mlp: the first width is the concatenated user and movie embedding, so it must be even, got \(widths[0])")
        }
        return widths
    }

    /// These options as typed values of `declared`.
    public var typed: ModelOptions {
        var o = ModelOptions(defaults: Self.declared)
        o["loss"] = .word(loss.rawValue)
        o["factors"] = .int(factors)
        o["mlp"] = .word(mlp.map(String.init).joined(separator: ","))
        o["negatives"] = .int(negatives)
        o["lr"] = .number(Double(learningRate))
        o["weight-decay"] = .number(Double(weightDecay))
        o["batch"] = .int(batchSize)
        o["epochs"] = .int(epochs)
        o["pretrain"] = .flag(pretrain)
        o["seed"] = .int(Int(seed))
        o["patience"] = patience.map { .int($0) } ?? .off
        return o
    }

    public var asDictionary: [String: String] { typed.text }
}

/// NeuMF (He et al., "Neural Collaborative Filtering", WWW 2017): a GMF and
/// an MLP tower on separate user and movie ID embeddings, fused by one
/// output layer.
///
///     GMF:  φ = p_u ⊙ q_i
///     MLP:  ψ = ReLU(W_L ... ReLU(W_1 [p'_u ; q'_i] + b_1) ... + b_L)
///     y_ui = hᵀ [φ ; ψ] + b          (a logit: σ(y_ui) is P(u likes i))
///
/// The MLP is not a dot product, so NCF has no user embeddings: it ranks
/// through `NCFScorer`. A model may hold one tower only (the pretraining
/// stages).
///
/// NCF is not inductive. A user it was not trained on gets vectors fitted
/// by fold-in (a few Adam steps on their edges with everything else
/// frozen); a user without edges is ranked by popularity (`NCFScorer`
/// reports which users were).
public struct NCF: FoldingInRecommender {
    public let kind = "ncf"
    public var isInductive: Bool { false }
    public var weights: NCFWeights<Matrix>
    /// The weights by name: what Adam and saving work on.
    public var parameters: [String: Matrix] {
        get { weights.named }
        set { weights.assign(newValue) }
    }
    /// Users the embedding tables cover (the training graph's).
    public var userCount: Int { (weights.gmf?.users ?? weights.mlp?.users)?.rows ?? 0 }
    public var hasGMF: Bool { weights.gmf != nil }
    public var hasMLP: Bool { weights.mlp != nil }
    /// Dense MLP layers after the embedding concatenation.
    public var mlpLayers: Int { weights.layers.count }

    public enum Towers: String, Sendable { case gmf, mlp, both }

    /// Fresh weights: embeddings N(0, 0.01²), MLP layers Glorot-uniform,
    /// output layer LeCun-uniform, biases zero (the paper's Keras code).
    public init(users: Int, movies: Int, options: NCFOptions, towers: Towers = .both) {
        var rng = SeededGenerator(seed: options.seed, stream: "ncf.init.\(towers.rawValue)")
        var gmf: (users: Matrix, movies: Matrix)?, mlp: (users: Matrix, movies: Matrix)?
        var layers: [(w: Matrix, b: Matrix)] = []
        var width = 0
        if towers != .mlp {
            let u = Matrix.normal(rows: users, cols: options.factors, std: 0.01, using: &rng)
            gmf = (u, .normal(rows: movies, cols: options.factors, std: 0.01, using: &rng))
            width += options.factors
        }
        if towers != .gmf {
            let half = options.mlp[0] / 2
            let u = Matrix.normal(rows: users, cols: half, std: 0.01, using: &rng)
            mlp = (u, .normal(rows: movies, cols: half, std: 0.01, using: &rng))
            for k in 1..<options.mlp.count {
                layers.append((.glorot(rows: options.mlp[k - 1], cols: options.mlp[k], using: &rng), Matrix(rows: 1, cols: options.mlp[k])))
            }
            width += options.mlp[options.mlp.count - 1]
        }
        let limit = (3 / Float(width)).squareRoot()
        weights = NCFWeights(gmf: gmf, mlp: mlp, layers: layers,
                             outW: .uniform(rows: width, cols: 1, low: -limit, high: limit, using: &rng), outB: Matrix(rows: 1, cols: 1))
    }

    public init(weights: NCFWeights<Matrix>) {
        self.weights = weights
    }

    /// A saved model, every shape checked against the others.
    public init(parameters p: [String: Matrix]) throws {
        weights = try NCFWeights(named: p)
    }

    public func scorer(_ graph: InteractionGraph) -> any Scorer { NCFScorer(self, graph: graph, refitting: []) }

    /// The scorer on `graph`. Users beyond the trained ones, and those in
    /// `refitting`, get vectors folded in from their edges in `graph`; users
    /// without edges are ranked by popularity.
    public func scorer(_ graph: InteractionGraph, refitting: Set<Int>) -> any Scorer {
        NCFScorer(self, graph: graph, refitting: refitting)
    }

    public var foldInMethod: String {
        "fold-in (\(Self.foldInSteps) Adam steps, lr \(Self.foldInRate), from zero vectors, on the log loss of the "
            + "user's liked movies and \(Self.foldInNegatives) sampled negatives each; the rest of the model frozen)"
    }

    // MARK: forward on the tape

    /// Logits of the pairs (users[k], items[k]), an n x 1 column. `w` binds
    /// every weight (as parameters to train, or constants to freeze).
    static func logits(_ t: Tape, _ w: NCFWeights<Variable>, users: [Int32], items: [Int32]) -> Variable {
        var parts: [Variable] = []
        if let g = w.gmf {
            parts.append(t.mul(t.gatherRows(g.users, users), t.gatherRows(g.movies, items)))    // p_u ⊙ q_i
        }
        if let m = w.mlp {
            var h = t.concatColumns([t.gatherRows(m.users, users), t.gatherRows(m.movies, items)])  // [p'_u ; q'_i]
            for (wk, bk) in w.layers {
                h = t.relu(t.addRowBias(t.matmul(h, wk), bk))
            }
            parts.append(h)
        }
        let x = parts.count == 1 ? parts[0] : t.concatColumns(parts)
        return t.addRowBias(t.matmul(x, w.outW), w.outB)
    }

    /// The batch's mean loss: log loss over positives (label 1) and their
    /// negatives (label 0), or BPR over (positive, negative) pairs.
    static func loss(_ t: Tape, _ w: NCFWeights<Variable>, _ batch: PairBatch, _ loss: NCFOptions.Loss) -> Variable {
        let b = batch.users.count, n = batch.negatives.count
        let y = logits(t, w, users: batch.users + batch.pairUsers, items: batch.positives + batch.negatives)
        let positive = t.sliceRows(y, 0..<b), negative = t.sliceRows(y, b..<(b + n))
        switch loss {
        case .bce:   // -[Σ ln σ(y_ui) + Σ ln σ(-y_uj)] / (b + n)
            let ll = t.add(t.sum(t.logSigmoid(positive)), t.sum(t.logSigmoid(t.scale(negative, -1))))
            return t.scale(ll, -1 / Float(b + n))
        case .bpr:
            return PairwiseLoss.bpr.apply(t, positive: t.gatherRows(positive, batch.pairPositive), negative: negative, margin: 0)
        }
    }
}

/// NCF's weights: each tower's user and movie tables when the model has
/// that tower, the MLP's dense layers, and the output layer. Their saved
/// names ("gmf.users", "mlp.w1", "out.b", ...) appear only in the
/// dictionary view, `map` and `init(named:)`.
public struct NCFWeights<T> {
    public var gmf: (users: T, movies: T)?
    public var mlp: (users: T, movies: T)?
    /// (W_k, b_k) of the MLP's ReLU layers, first to last.
    public var layers: [(w: T, b: T)]
    /// h and b of the output layer, h over [GMF ; MLP].
    public var outW: T
    public var outB: T

    public init(gmf: (users: T, movies: T)?, mlp: (users: T, movies: T)?, layers: [(w: T, b: T)], outW: T, outB: T) {
        self.gmf = gmf
        self.mlp = mlp
        self.layers = layers
        self.outW = outW
        self.outB = outB
    }

    public func map<U>(_ f: (String, T) -> U) -> NCFWeights<U> {
        NCFWeights<U>(gmf: gmf.map { (f("gmf.users", $0.users), f("gmf.movies", $0.movies)) },
                      mlp: mlp.map { (f("mlp.users", $0.users), f("mlp.movies", $0.movies)) },
                      layers: layers.enumerated().map { k, l in (f("mlp.w\(k + 1)", l.w), f("mlp.b\(k + 1)", l.b)) },
                      outW: f("out.w", outW), outB: f("out.b", outB))
    }
}

extension NCFWeights: Sendable where T: Sendable {}

extension NCFWeights: WeightSet where T == Matrix {
    public func mapTensors(_ transform: (String, Matrix) -> Matrix) -> NCFWeights<Matrix> { map(transform) }
    public func bind(_ variable: (String, Matrix) -> Variable) -> NCFWeights<Variable> { map(variable) }

    /// Saved tensors by name, every shape checked against the others.
    public init(named p: [String: Matrix]) throws {
        func tensor(_ name: String, rows: Int? = nil, cols: Int? = nil) throws -> Matrix {
            try Baselines.parameter(name, of: p, kind: "ncf", rows: rows, cols: cols)
        }
        var users: Int?, movies: Int?
        func tower(_ prefix: String) throws -> (users: Matrix, movies: Matrix)? {
            guard p[prefix + ".users"] != nil || p[prefix + ".movies"] != nil else { return nil }
            let u = try tensor(prefix + ".users", rows: users)
            users = u.rows
            let m = try tensor(prefix + ".movies", rows: movies, cols: u.cols)
            movies = m.rows
            return (u, m)
        }
        let gmf = try tower("gmf"), mlp = try tower("mlp")
        var layers: [(w: Matrix, b: Matrix)] = []
        var width = gmf?.users.cols ?? 0
        if let mlp {
            var last = mlp.users.cols * 2
            while p["mlp.w\(layers.count + 1)"] != nil {
                let k = layers.count + 1
                let w = try tensor("mlp.w\(k)", rows: last)
                last = w.cols
                layers.append((w, try tensor("mlp.b\(k)", rows: 1, cols: last)))
            }
            guard !layers.isEmpty else { throw RecError("ncf: parameter 'mlp.w1' is missing") }
            width += last
        }
        guard width > 0 else { throw RecError("ncf: neither a GMF nor an MLP tower in the saved parameters") }
        self.init(gmf: gmf, mlp: mlp, layers: layers,
                  outW: try tensor("out.w", rows: width, cols: 1), outB: try tensor("out.b", rows: 1, cols: 1))
    }
}

/// The rows fold-in fits for one user, one per tower the model has, named
/// as the tables they stand in for (Adam keeps its moments by name).
struct NCFUserRows<T> {
    var gmf: T?
    var mlp: T?

    func map<U>(_ f: (String, T) -> U) -> NCFUserRows<U> {
        NCFUserRows<U>(gmf: gmf.map { f("gmf.users", $0) }, mlp: mlp.map { f("mlp.users", $0) })
    }
}

extension NCFUserRows: Sendable where T: Sendable {}

extension NCFUserRows: WeightSet where T == Matrix {
    func mapTensors(_ transform: (String, Matrix) -> Matrix) -> NCFUserRows<Matrix> { map(transform) }
    func bind(_ variable: (String, Matrix) -> Variable) -> NCFUserRows<Variable> { map(variable) }
}

// MARK: training

extension NCF {
    /// Trains NeuMF on the edges of `graph`. With `pretrain`, GMF and MLP are
    /// trained alone first (`epochs` each) and NeuMF starts from both, the
    /// output weights halved (α = 0.5, the paper's); the returned history is
    /// NeuMF's. Fine-tuning uses Adam like the other stages (the paper uses
    /// plain SGD there).
    public static func fit(graph: InteractionGraph, options: NCFOptions, control: RunControl = .silent,
                           validation: ((any Scorer) -> Double)? = nil) throws -> (model: NCF, history: TrainingHistory) {
        try checkCost(options, graph: graph, budget: control.budget)
        guard options.pretrain else {
            var model = NCF(users: graph.userCount, movies: graph.movieCount, options: options)
            let history = try model.train(on: graph, options: options, stage: "ncf", control: control, validation: validation)
            return (model, history)
        }
        var gmf = NCF(users: graph.userCount, movies: graph.movieCount, options: options, towers: .gmf)
        let h1 = try gmf.train(on: graph, options: options, stage: "gmf", control: control, validation: validation)
        if h1.interrupted { return (gmf, h1) }
        var mlp = NCF(users: graph.userCount, movies: graph.movieCount, options: options, towers: .mlp)
        let h2 = try mlp.train(on: graph, options: options, stage: "mlp", control: control, validation: validation)
        if h2.interrupted { return (mlp, h2) }
        let g = gmf.weights, m = mlp.weights
        var model = NCF(weights: NCFWeights(gmf: g.gmf, mlp: m.mlp, layers: m.layers,
                                            outW: 0.5 * g.outW.vstack(m.outW), outB: 0.5 * (g.outB + m.outB)))
        let history = try model.train(on: graph, options: options, stage: "neumf", control: control, validation: validation)
        return (model, history)
    }

    /// One training run of this model's towers: each epoch shuffles the
    /// positives, draws `negatives` per positive, and takes one Adam step per
    /// batch. With `validation`, the best epoch's weights are kept and
    /// `patience` stops early; Ctrl-C (`control.shouldStop`) ends between
    /// batches and keeps the best weights so far.
    mutating func train(on graph: InteractionGraph, options: NCFOptions, stage: String, control: RunControl,
                        validation: ((any Scorer) -> Double)?) throws -> TrainingHistory {
        guard graph.edgeCount > 0 else { throw RecError("train: the training graph has no edges (load data and split first)") }
        let sampler = try NegativeSampler(graph)
        let positives = graph.edges
        let batchSize = min(options.batchSize, positives.count)
        var shuffleRNG = SeededGenerator(seed: options.seed, stream: "ncf.\(stage).shuffle")
        var negativeRNG = SeededGenerator(seed: options.seed, stream: "ncf.\(stage).negatives")
        var adam = Adam(learningRate: options.learningRate, weightDecay: options.weightDecay)
        let loop = EpochLoop(epochs: options.epochs, batchSize: batchSize, patience: options.patience,
                             label: "\(stage) ", control: control)
        let (history, best) = loop.run(positives: positives.count, shuffle: &shuffleRNG, validates: validation != nil) { slice in
            let batch = PairBatch(slice.map { positives[$0] }, negatives: options.negatives, sampler: sampler, rng: &negativeRNG)
            let tape = Tape()
            var variables: [String: Variable] = [:]
            let w = weights.bind { name, m in
                let v = tape.parameter(m)
                variables[name] = v
                return v
            }
            let loss = NCF.loss(tape, w, batch, options.loss)
            tape.backward(loss)
            adam.step(&parameters, gradients: variables.compactMapValues { tape.gradient($0) })
            return Double(tape.value(loss).storage[0])
        } validate: {
            (validation?(scorer(graph)) ?? 0, parameters)
        }
        if let best { parameters = best }
        return history
    }
}

// MARK: fold-in

extension NCF {
    /// Adam steps, learning rate and negatives per like of a fold-in.
    static let foldInSteps = 100, foldInRate: Float = 0.01, foldInNegatives = 4

    /// Fits fresh user vectors (GMF and MLP rows, starting at zero) to the
    /// liked movies `likes`, everything else frozen: the same loss as training,
    /// negatives drawn from the movies not liked. Deterministic per (seed, likes).
    func foldIn(likes: [Int32], movieCount: Int, seed: UInt64 = 0) -> (gmf: [Float]?, mlp: [Float]?) {
        var user = NCFUserRows(gmf: weights.gmf.map { Matrix(rows: 1, cols: $0.users.cols) },
                               mlp: weights.mlp.map { Matrix(rows: 1, cols: $0.users.cols) })
        guard !likes.isEmpty, likes.count < movieCount else { return (nil, nil) }
        let liked = Set(likes)
        var rng = SeededGenerator(seed: seed, stream: "ncf.foldin.\(likes.count)")
        var adam = Adam(learningRate: Self.foldInRate)
        let n = Self.foldInNegatives
        let zeros = [Int32](repeating: 0, count: likes.count * n)
        for _ in 0..<Self.foldInSteps {
            var negatives = [Int32](repeating: 0, count: likes.count * n)
            for k in negatives.indices {
                var m: Int32
                repeat { m = Int32(rng.nextInt(below: movieCount)) } while liked.contains(m)
                negatives[k] = m
            }
            let batch = PairBatch(users: [Int32](repeating: 0, count: likes.count), positives: likes, pairUsers: zeros,
                                  pairPositive: (0..<(likes.count * n)).map { Int32($0 / n) }, negatives: negatives)
            let tape = Tape()
            var variables: [String: Variable] = [:]
            let rows = user.bind { name, m in
                let v = tape.parameter(m)
                variables[name] = v
                return v
            }
            var w = weights.bind { tape.constant($1) }
            if let g = rows.gmf { w.gmf?.users = g }
            if let m = rows.mlp { w.mlp?.users = m }
            let loss = NCF.loss(tape, w, batch, .bce)
            tape.backward(loss)
            var named = user.named
            adam.step(&named, gradients: variables.compactMapValues { tape.gradient($0) })
            user.assign(named)
        }
        return (user.gmf?.storage, user.mlp?.storage)
    }
}

// MARK: scoring

/// NeuMF's scores of blocks of users against every movie, in whole-matrix
/// products: the GMF tower is one GEMM (hᵀ(p ⊙ q) = (p ⊙ h)·q); the MLP's
/// first layer splits into a user part and a movie part, W_1[p'; q'] =
/// W_1u p' + W_1i q', so the movie part is computed once per scorer and each
/// pair only adds two rows before the ReLU; the later layers are GEMMs over
/// a chunk of (user, movie) pairs.
public struct NCFScorer: Scorer {
    public let userCount: Int
    public let itemCount: Int
    let gmfUsers: Matrix?
    /// GMF movie embeddings scaled by the GMF part of h (movies x factors).
    let gmfItems: Matrix?
    let mlpUsers: Matrix?
    /// W_1's user half (embedding x d_1) and b_1.
    let firstUser: Matrix?
    let firstBias: Matrix?
    /// q'_i W_1i for every movie (movies x d_1).
    let firstItems: Matrix?
    let layers: [(w: Matrix, b: Matrix)]
    /// The MLP part of h (d_L x 1).
    let mlpOut: Matrix?
    let outBias: Float
    let gmfMovies: Matrix?
    /// Users without edges, ranked by `popularity` (their movie degrees).
    public let popularityUsers: Set<Int>
    /// Users whose vectors were folded in from their edges, not trained.
    public let foldedUsers: Set<Int>
    let popularity: [Float]

    init(_ model: NCF, graph: InteractionGraph, refitting: Set<Int>) {
        let p = model.weights
        let trained = model.userCount
        userCount = graph.userCount
        itemCount = graph.movieCount
        var gUsers = p.gmf.map { Self.rows($0.users, count: graph.userCount) }
        var mUsers = p.mlp.map { Self.rows($0.users, count: graph.userCount) }
        var cold = Set<Int>(), folded = Set<Int>()
        for u in 0..<graph.userCount where u >= trained || refitting.contains(u) || graph.degree(user: u) == 0 {
            let likes = Array(graph.movies(ofUser: u))
            if likes.isEmpty { cold.insert(u); continue }
            if u < trained && !refitting.contains(u) { continue }
            let v = model.foldIn(likes: likes, movieCount: graph.movieCount)
            if let g = v.gmf { gUsers?.setRow(u, g) }
            if let m = v.mlp { mUsers?.setRow(u, m) }
            folded.insert(u)
        }
        popularityUsers = cold
        foldedUsers = folded
        popularity = (0..<graph.movieCount).map { Float(graph.degree(movie: $0)) }

        let h = p.outW
        outBias = p.outB.storage.first ?? 0
        var offset = 0
        gmfUsers = gUsers
        gmfMovies = p.gmf?.movies
        if let q = p.gmf?.movies {
            var scaled = q
            for r in 0..<q.rows { for c in 0..<q.cols { scaled.storage[r * q.cols + c] *= h.storage[c] } }
            gmfItems = scaled
            offset = q.cols
        } else {
            gmfItems = nil
        }
        mlpUsers = mUsers
        if let pu = mUsers, let q = p.mlp?.movies, let first = p.layers.first {
            let w1 = first.w, b1 = first.b
            let e = pu.cols
            firstUser = Matrix(rows: e, cols: w1.cols, storage: Array(w1.storage[0..<(e * w1.cols)]))
            let itemHalf = Matrix(rows: e, cols: w1.cols, storage: Array(w1.storage[(e * w1.cols)...]))
            firstItems = BLAS.matmul(q, itemHalf)
            firstBias = b1
            layers = Array(p.layers.dropFirst())
            mlpOut = Matrix(rows: h.rows - offset, cols: 1, storage: Array(h.storage[offset...]))
        } else {
            firstUser = nil; firstItems = nil; firstBias = nil; layers = []; mlpOut = nil
        }
    }

    /// The first `count` rows of `m`, zero rows added past its end.
    static func rows(_ m: Matrix, count: Int) -> Matrix {
        if m.rows == count { return m }
        var out = Matrix(rows: count, cols: m.cols)
        let n = min(m.rows, count) * m.cols
        for i in 0..<n { out.storage[i] = m.storage[i] }
        return out
    }

    public var movieVectors: (vectors: Matrix, source: String) {
        (gmfMovies ?? firstItems ?? Matrix(rows: itemCount, cols: 1), gmfMovies != nil ? "GMF tower movie embeddings" : "MLP first-layer movie part")
    }

    public func scores(users: ArraySlice<Int>, into out: inout Matrix) {
        let m = users.count, n = itemCount
        if out.rows != m || out.cols != n { out = Matrix(rows: m, cols: n) }
        let rows = Array(users)
        if let pu = gmfUsers, let q = gmfItems {
            BLAS.gemm(pu.gatherRows(rows), q, transposeB: true, into: &out)      // (p_u ⊙ h_g) · q_i
        } else {
            for i in 0..<out.count { out.storage[i] = 0 }
        }
        for i in 0..<out.count { out.storage[i] += outBias }
        if let pu = mlpUsers, let w1u = firstUser, let b1 = firstBias, let items = firstItems, let h = mlpOut {
            var a = BLAS.matmul(pu.gatherRows(rows), w1u)                           // p'_u W_1u + b_1
            a.addRowBroadcast(b1)
            let chunk = max(1, 16_384 / max(n, 1))
            var lo = 0
            while lo < m {
                let hi = min(m, lo + chunk)
                var x = firstLayer(a, lo..<hi, items)
                for (w, b) in layers {
                    x = BLAS.matmul(x, w)
                    x.addRowBroadcast(b)
                    x = x.relu()
                }
                // The pair block is (user r, movie i) in row-major order: out's rows lo..<hi exactly.
                x.storage.withUnsafeBufferPointer { xp in
                    h.storage.withUnsafeBufferPointer { hp in
                        out.storage.withUnsafeMutableBufferPointer { op in
                            BLAS.gemm(m: (hi - lo) * n, n: 1, k: x.cols, xp.baseAddress!, lda: x.cols, hp.baseAddress!, ldb: 1,
                                      beta: 1, into: op.baseAddress! + lo * n, ldc: 1)
                        }
                    }
                }
                lo = hi
            }
        }
        for (r, u) in rows.enumerated() where popularityUsers.contains(u) {
            for i in 0..<n { out.storage[r * n + i] = popularity[i] }
        }
    }

    /// ReLU(a_u + b_i) for the users `range` of `a` and every movie, one row per pair.
    private func firstLayer(_ a: Matrix, _ range: Range<Int>, _ b: Matrix) -> Matrix {
        let n = b.rows, d = b.cols
        var x = Matrix(rows: range.count * n, cols: d)
        a.storage.withUnsafeBufferPointer { ap in
            b.storage.withUnsafeBufferPointer { bp in
                x.storage.withUnsafeMutableBufferPointer { xp in
                    for (r, u) in range.enumerated() {
                        let au = ap.baseAddress! + u &* d
                        for i in 0..<n {
                            let bi = bp.baseAddress! + i &* d
                            let xi = xp.baseAddress! + (r &* n &+ i) &* d
                            for j in 0..<d { xi[j] = max(au[j] + bi[j], 0) }
                        }
                    }
                }
            }
        }
        return x
    }
}

extension PairBatch {
    /// A batch from its index arrays (fold-in builds one for a single user).
    init(users: [Int32], positives: [Int32], pairUsers: [Int32], pairPositive: [Int32], negatives: [Int32]) {
        self.users = users
        self.positives = positives
        self.pairUsers = pairUsers
        self.pairPositive = pairPositive
        self.negatives = negatives
    }
}

extension Matrix {
    /// Overwrites row r with `values` (values.count == cols).
    mutating func setRow(_ r: Int, _ values: [Float]) {
        for c in 0..<Swift.min(cols, values.count) { storage[r * cols + c] = values[c] }
    }
}

extension NCF: ModelKind {
    public static let name = "ncf"
    public static let summary = "NeuMF: GMF and MLP towers on ID embeddings, fused by one output layer"
    public static var options: [ModelOption] { NCFOptions.declared }
    public static let capabilities = ModelCapabilities(inductive: false, coldUsers: .init(noEdges: .popularity, fewLikes: .foldIn), edits: .ownRow, lossCurve: true)

    public static func fit(_ request: FitRequest) throws -> FitResult {
        let fit = try fit(graph: request.graph, options: try NCFOptions(request.options), control: request.control,
                          validation: request.validation)
        return FitResult(recommender: fit.model, history: fit.history, options: request.options)
    }

    /// Memory and work of training with `o` on data of `c`'s size, before
    /// anything is allocated: the weights times six (gradients, Adam's two
    /// moments, the best epoch's copy), one batch's pairs (each positive and
    /// its negatives) through both towers forward and backward, and as the
    /// longest step nothing interrupts the larger of one batch and one
    /// scoring pass over every (user, movie) pair (validation each epoch).
    /// Products of options count: batch x negatives pairs, each through
    /// every MLP width times the next.
    public static func trainingCost(_ o: NCFOptions, _ c: TrainingCost.Counts) -> ResourceEstimate {
        let rows = Double(c.users + c.movies), f = Double(o.factors), bytesPerFloat = 4.0
        let widths = o.mlp.map(Double.init), last = widths.last ?? 0
        var parameters = rows * (f + widths[0] / 2) + f + last + 1
        var layerFLOPs = 0.0, layerWidths = 0.0
        for k in widths.indices.dropFirst() {
            parameters += widths[k - 1] * widths[k] + widths[k]
            layerFLOPs += 2 * widths[k - 1] * widths[k]
            layerWidths += widths[k]
        }
        let batch = Double(min(o.batchSize, max(c.edges, 1))), pairs = batch * Double(1 + o.negatives)
        // Per pair: gathered GMF rows and their product, the concatenated MLP input,
        // each layer's product, bias and ReLU, the fused row; each with its gradient.
        let activations = pairs * (3 * f + 2 * widths[0] + 3 * layerWidths + f + last + 1) * 2
        let training = ResourceEstimate(
            bytes: parameters * bytesPerFloat * 6 + activations * bytesPerFloat + pairs * 4 * 5,
            denseFLOPs: pairs * (layerFLOPs + 2 * (f + last)) * 3,
            streamFLOPs: activations * 2 + parameters * 12)     // Adam touches every weight each batch
        let everyPair = Double(c.users) * Double(c.movies)
        let scoring = ResourceEstimate(
            bytes: 0,
            denseFLOPs: everyPair * (2 * f + layerFLOPs - 2 * widths[0] * (widths.count > 1 ? widths[1] : 0) + 2 * last),
            streamFLOPs: everyPair * (widths.count > 1 ? widths[1] : widths[0]) * 2)
        guard scoring.stepSeconds > training.stepSeconds else { return training }
        return ResourceEstimate(bytes: training.bytes, denseFLOPs: scoring.denseFLOPs, streamFLOPs: scoring.streamFLOPs)
    }

    /// Refuses options whose `trainingCost` exceeds `budget`, offering
    /// smaller factors, negatives, batch or MLP widths (all scaled together)
    /// down to their defaults.
    static func checkCost(_ o: NCFOptions, graph: InteractionGraph, budget: ResourceBudget) throws {
        let counts = TrainingCost.Counts(graph), defaults = NCFOptions()
        let asked = ["factors": o.factors, "negatives": o.negatives, "batch": o.batchSize, "mlp": o.mlp[0]]
        let floors = ["factors": min(o.factors, defaults.factors), "negatives": min(o.negatives, defaults.negatives),
                      "batch": min(o.batchSize, defaults.batchSize), "mlp": min(o.mlp[0], defaults.mlp[0])]
        /// The MLP widths with the first scaled to `first` and the others in proportion (the first stays even).
        func widths(_ first: Int) -> [Int] {
            o.mlp.enumerated().map { k, w in
                let scaled = max(1, Int((Double(w) * Double(first) / Double(o.mlp[0])).rounded()))
                return k == 0 ? max(2, scaled & ~1) : scaled
            }
        }
        try budget.check("estimated cost", options: asked, shrinkable: floors, spell: { key, value in
            key == "mlp" ? "mlp=" + widths(value).map(String.init).joined(separator: ",") : "\(key)=\(value)"
        }) { s in
            var shrunk = o
            shrunk.factors = s["factors"] ?? o.factors
            shrunk.negatives = s["negatives"] ?? o.negatives
            shrunk.batchSize = s["batch"] ?? o.batchSize
            shrunk.mlp = widths(s["mlp"] ?? o.mlp[0])
            return trainingCost(shrunk, counts)
        }
    }

    /// A fresh model's parameters: the final NeuMF has both towers, pretrained or not.
    public static func parameterShapes(options: ModelOptions, graph: InteractionGraph) throws -> [String: [Int]] {
        let model = NCF(users: graph.userCount, movies: graph.movieCount, options: try NCFOptions(options))
        return model.parameters.mapValues { [$0.rows, $0.cols] }
    }

    public static func restore(parameters: [String: Matrix], options: ModelOptions, graph: InteractionGraph) throws -> any Recommender {
        try NCF(parameters: parameters)
    }
}
