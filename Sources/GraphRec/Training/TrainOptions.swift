/// The hyperparameters of the gradient-trained kinds (gcn, gat, lightgcn,
/// mf), typed, for the models' architecture fields (layers, hidden, dim,
/// heads, features, ids, init, dropout) and the `Trainer` (the rest).
///
/// The options themselves, with defaults, ranges and help, are declared once
/// in `TrainOptions.declarations`; each kind takes the trainer's options plus
/// the architecture options it reads (`TrainOptions.options(_:)`), and this
/// struct is read from those typed values.
public struct TrainOptions: Sendable, Equatable {
    public var loss: PairwiseLoss
    public var layers: Int
    public var hidden: Int
    /// Output embedding width (and ID embedding width).
    public var dim: Int
    /// Attention heads (GAT only).
    public var heads: Int
    public var negatives: Int
    public var margin: Float
    public var learningRate: Float
    public var weightDecay: Float
    public var epochs: Int
    public var batchSize: Int
    public var seed: UInt64
    public var features: Bool
    public var ids: Bool
    /// Stop after this many epochs without a better validation NDCG@10; nil = never.
    public var patience: Int?
    /// L2 on the ID embeddings each batch touches (`EmbeddingRegularizer`); 0 = off.
    public var reg: Float
    /// Dropout rate on ID embeddings and hidden layers while training (gcn); 0 = off.
    public var dropout: Float
    /// Hide each batch's positives from message passing (`MessageEdges`).
    public var holdout: Bool
    /// Share of the other train edges hidden from message passing per batch (`MessageEdges`).
    public var edgeDropout: Float
    /// How each batch's forward pass sees the graph (`NeighborSampling`): the whole graph, sampled neighbourhoods, or auto.
    public var sampler: NeighborSampling.Choice
    /// Neighbours sampled per node, hop by hop from the batch's own nodes (`sampler=neighbors`).
    public var fanout: [Int]
    /// Decay of the weight moving average the trainer keeps (`WeightAverage`); 0 = off.
    public var ema: Float
    /// How GCN draws its layer weights: PyTorch Geometric's defaults (as the reference) or Glorot.
    public var initialization: WeightInit
    /// The named preset the options were expanded from (`TrainPreset`), recorded only.
    public var preset: String?
    /// A learned per-movie bias added to every score (`ItemBias`): a popularity prior the feature GNNs start from.
    public var itemBias: Bool
    /// A learned weight per movie and user feature added to every score (`FeatureBias`): popularity per
    /// demographic, off, starting at zero, or starting at its closed form (`FeatureBias.Start`).
    public var featureBias: FeatureBias.Start
    /// Share of each batch's users trained as new users: all their edges hidden from message passing, their ID zeroed.
    public var coldShare: Float
    /// What GCN scores from: its last layer, or the mean of its ID embedding and every layer (`LayerCombination`).
    public var combine: LayerCombination
    /// GCN's nonlinearity between layers (`LayerActivation`).
    public var activation: LayerActivation
    /// How GCN compares a user's and a movie's output rows (`EmbeddingScore`).
    public var score: EmbeddingScore
    /// The temperature of `score=cosine`: scores are cos / temperature.
    public var temperature: Float

    /// Every option of the gradient-trained kinds, with the seed study's defaults (COMMANDS.md).
    public static let declarations: [ModelOption] = [
        ModelOption("loss", .choice(PairwiseLoss.allCases.map(\.rawValue)), default: .word("bpr"),
                    "training loss (softmax: each positive against its n negatives at once)", scale: .categorical),
        ModelOption("layers", .int(1...8), default: .int(2), "graph layers", scale: .linear(1...3)),
        ModelOption("hidden", .int(1...4096), default: .int(128), "hidden width", scale: .log(32...256)),
        ModelOption("dim", .int(1...4096), default: .int(64), "output embedding width", scale: .log(32...256)),
        ModelOption("heads", .int(1...64), default: .int(1), "attention heads", scale: .linear(1...4)),
        ModelOption("negatives", .int(1...1000), default: .int(10), "sampled negatives per positive", scale: .log(4...200)),
        ModelOption("margin", .number(0...1000), default: .number(0.01), "margin of the max-margin loss", scale: .log(0.01...1),
                    searchedWith: ["loss": "margin"]),
        ModelOption("lr", .number(1e-8...10), default: .number(0.001), "Adam learning rate", scale: .log(0.0001...0.01)),
        ModelOption("weight-decay", .number(0...10), default: .number(0), "Adam weight decay",
                    scale: .values(["0", "0.00001", "0.0001", "0.0003", "0.001"])),
        ModelOption("epochs", .int(1...100_000), default: .int(15), "training epochs"),
        ModelOption("batch", .int(1...10_000_000), default: .int(1024), "positives per batch", scale: .log(256...4096)),
        ModelOption("seed", .int(0...Int.max), default: .int(0), "random seed (same seed, same model)"),
        ModelOption("features", .flag, default: .flag(true),
                    "use the node features the data set has (ID embeddings stand in where a node type has none)"),
        ModelOption("ids", .flag, default: .flag(false), "learnable node ID embeddings (off reproduces the seed)",
                    scale: .categorical),
        ModelOption("dropout", .number(0...0.95), default: .number(0),
                    "dropout on ID embeddings and hidden layers while training", scale: .linear(0...0.5)),
        ModelOption("holdout", .flag, default: .flag(false), "hide each batch's positives from message passing",
                    scale: .categorical),
        ModelOption("edge-dropout", .number(0...0.95), default: .number(0),
                    "drop this share of edges from message passing per batch", scale: .linear(0...0.5)),
        ModelOption("sampler", .choice(NeighborSampling.Choice.allCases.map(\.rawValue)), default: .word("auto"),
                    "message passing per batch: the full graph, sampled neighbourhoods (batch positives hidden), "
                    + "or auto: the full graph, over \(NeighborSampling.largeGraphEdges) train edges in large batches "
                    + "(<= \(NeighborSampling.largeBatchSteps) steps an epoch, lr \(NeighborSampling.largeBatchLearningRate) "
                    + "unless batch/lr are set)", scale: .fixed),
        ModelOption("fanout", .counts(1...100_000), default: .word("15,10"),
                    "neighbours sampled per node and layer with sampler=neighbors, from the batch's nodes outwards"),
        ModelOption("ema", .number(0...0.9999), default: .number(0),
                    "validate and keep a moving average of the weights (e.g. 0.99)",
                    scale: .values(["0", "0.9", "0.99"])),
        ModelOption("patience", .intOrOff(1...100_000), default: .off,
                    "early stop after N epochs without val NDCG gain (no validation edges: 10% of train is held out)"),
        ModelOption("reg", .number(0...100), default: .number(0), "L2 on the batch's ID embeddings",
                    scale: .values(["0", "0.0001", "0.001"])),
        ModelOption("init", .choice(WeightInit.allCases.map(\.rawValue)), default: .word("pyg"),
                    "weight init (pyg: torch_geometric's defaults, as the reference)", scale: .categorical),
        ModelOption("preset", .choice(["none"] + TrainPreset.allCases.map(\.rawValue)), default: .word("none"),
                    "tuned settings in one option (explicit options win)"),
        ModelOption("bias", .flag, default: .flag(false),
                    "a learned bias per movie added to every score (a popularity prior)", scale: .categorical),
        // Not searched, as cold-share: it is there for users without edges, whom warm validation users cannot stand for.
        ModelOption("feature-bias", .choice(FeatureBias.Start.allCases.map(\.rawValue)), default: .word("off"),
                    "a learned weight per movie and user feature added to every score (popularity per age, "
                    + "gender, occupation), from zero (on), from the train likes per feature (prior, "
                    + "which also starts bias= at log popularity) or kept there (fixed: neither trained); "
                    + "off on data without user features"),
        // Not searched: it trades warm accuracy for new users, which a validation set of warm users cannot weigh.
        ModelOption("cold-share", .number(0...0.95), default: .number(0),
                    "share of each batch's users trained as new: edges hidden, ID zeroed"),
        ModelOption("combine", .choice(LayerCombination.allCases.map(\.rawValue)), default: .word("last"),
                    "score from the last layer, or the mean of the ID embedding and every layer's output "
                    + "(every layer then dim wide), as LightGCN", scale: .categorical),
        ModelOption("activation", .choice(LayerActivation.allCases.map(\.rawValue)), default: .word("relu"),
                    "nonlinearity between graph layers (none: linear layers, as LightGCN)", scale: .categorical),
        ModelOption("score", .choice(EmbeddingScore.allCases.map(\.rawValue)), default: .word("dot"),
                    "score a user and a movie by the dot product of their output rows, or by their cosine "
                    + "divided by temperature=", scale: .categorical),
        ModelOption("temperature", .number(0.001...10), default: .number(0.1),
                    "with score=cosine, scores are cos / temperature (smaller: sharper)", scale: .log(0.03...0.5),
                    searchedWith: ["score": "cosine"]),
    ]

    /// The options every gradient-trained kind reads through the `Trainer`.
    public static let trainerKeys = ["loss", "negatives", "margin", "lr", "weight-decay", "epochs", "batch", "seed",
                                     "patience", "reg", "holdout", "edge-dropout", "ema"]

    /// The trainer's options plus the architecture options `architecture`, as declared.
    public static func options(_ architecture: [String]) -> [ModelOption] {
        let keys = Set(trainerKeys + architecture)
        return declarations.filter { keys.contains($0.name) }
    }

    /// Every key the declarations hold.
    public static var keys: [String] { declarations.map(\.name) }

    /// The declared defaults.
    public init() {
        self.init(resolving: ModelOptions(defaults: Self.declarations))
    }

    /// Reads typed options; options a kind does not declare take their declared defaults.
    public init(_ options: ModelOptions) throws {
        var all = ModelOptions(defaults: Self.declarations)
        for (name, value) in options.values { all[name] = value }
        self.init(resolving: all)
    }

    /// Parses `key=value` text against every declaration (errors name the option).
    public init(_ text: OptionValues) throws {
        try self.init(try ModelOptions(parsing: text.values, declarations: Self.declarations))
    }

    private init(resolving o: ModelOptions) {
        // Every key is declared in `declarations`, so each read finds its value.
        func int(_ k: String) -> Int { (try? o.int(k)) ?? 0 }
        func float(_ k: String) -> Float { Float((try? o.number(k)) ?? 0) }
        func flag(_ k: String) -> Bool { (try? o.flag(k)) ?? false }
        func word(_ k: String) -> String { (try? o.word(k)) ?? "" }
        loss = PairwiseLoss(rawValue: word("loss")) ?? .bpr
        layers = int("layers")
        hidden = int("hidden")
        dim = int("dim")
        heads = int("heads")
        negatives = int("negatives")
        margin = float("margin")
        learningRate = float("lr")
        weightDecay = float("weight-decay")
        epochs = int("epochs")
        batchSize = int("batch")
        seed = UInt64(max(0, int("seed")))
        features = flag("features")
        ids = flag("ids")
        patience = try? o.int("patience")
        reg = float("reg")
        dropout = float("dropout")
        holdout = flag("holdout")
        edgeDropout = float("edge-dropout")
        sampler = NeighborSampling.Choice(rawValue: word("sampler")) ?? .auto
        fanout = word("fanout").split(separator: ",").compactMap { Int($0) }
        ema = float("ema")
        initialization = WeightInit(rawValue: word("init")) ?? .pyg
        preset = word("preset") == "none" ? nil : word("preset")
        itemBias = flag("bias")
        featureBias = FeatureBias.Start(rawValue: word("feature-bias")) ?? .off
        coldShare = float("cold-share")
        combine = LayerCombination(rawValue: word("combine")) ?? .last
        activation = LayerActivation(rawValue: word("activation")) ?? .relu
        score = EmbeddingScore(rawValue: word("score")) ?? .dot
        temperature = float("temperature")
    }

    /// Writes the fields a model or `sampler=auto` may change (the input it
    /// could use, the sampler, batch, learning rate and feature bias) back into `options`.
    public func write(to options: inout ModelOptions) {
        options["features"] = .flag(features)
        options["ids"] = .flag(ids)
        options["sampler"] = .word(sampler.rawValue)
        options["batch"] = .int(batchSize)
        options["lr"] = Self.number(learningRate)
        options["feature-bias"] = .word(featureBias.rawValue)
    }

    /// A float as typed ("0.001", not its double expansion).
    static func number(_ f: Float) -> OptionValue { .number(Double("\(f)") ?? Double(f)) }

    /// The options as `key=value` text (every declared key).
    public var asDictionary: [String: String] {
        let number = Self.number
        var o = ModelOptions(defaults: Self.declarations)
        o["loss"] = .word(loss.rawValue)
        o["layers"] = .int(layers); o["hidden"] = .int(hidden); o["dim"] = .int(dim); o["heads"] = .int(heads)
        o["negatives"] = .int(negatives); o["margin"] = number(margin); o["lr"] = number(learningRate)
        o["weight-decay"] = number(weightDecay); o["epochs"] = .int(epochs); o["batch"] = .int(batchSize)
        o["seed"] = .int(Int(clamping: seed)); o["features"] = .flag(features); o["ids"] = .flag(ids)
        o["patience"] = patience.map(OptionValue.int) ?? .off; o["reg"] = number(reg)
        o["dropout"] = number(dropout); o["holdout"] = .flag(holdout)
        o["edge-dropout"] = number(edgeDropout); o["ema"] = number(ema)
        o["sampler"] = .word(sampler.rawValue); o["fanout"] = .word(fanout.map(String.init).joined(separator: ","))
        o["init"] = .word(initialization.rawValue); o["preset"] = .word(preset ?? "none")
        o["bias"] = .flag(itemBias); o["feature-bias"] = .word(featureBias.rawValue); o["cold-share"] = number(coldShare)
        o["combine"] = .word(combine.rawValue); o["activation"] = .word(activation.rawValue)
        o["score"] = .word(score.rawValue); o["temperature"] = number(temperature)
        return o.text
    }
}

/// Weight initialisation of the GCN layers (`init=`).
///
/// - pyg (default): what PyTorch Geometric's SAGEConv does by default (the
///   reference implementation): kaiming-uniform with a = sqrt(5), i.e.
///   U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for W_k, B_k and the bias. Its scores
///   start about 5x smaller than Glorot's, which matters for the margin loss
///   (margin 0.01 is absolute): margin NDCG@10 0.135 -> 0.171 (seeds 0-2 mean).
/// - glorot: Glorot-uniform W_k and B_k, zero bias (`preset=best` was tuned with it).
public enum WeightInit: String, Sendable, CaseIterable, Codable {
    case glorot, pyg
}

/// What a GCN scores from (`combine=`).
///
/// - last (default): the last layer's output, as the seed study.
/// - mean: the mean of the node's ID embedding (when the model has one) and
///   every layer's output, as LightGCN combines its layers: the score keeps
///   an unsmoothed term per node beside the propagated ones. Every layer is
///   `dim` wide so the terms can be added (`hidden` is not used).
///
/// Neither choice won everywhere it was tried (README, "Data it was not
/// tuned on"), so the default stays and `tune` searches both.
public enum LayerCombination: String, Sendable, CaseIterable {
    case last, mean
}

/// The nonlinearity between GCN layers (`activation=`): ReLU as the seed
/// study, or none, which makes the layers one linear map of the
/// neighbourhood, as LightGCN. Searched by `tune`; the default stays ReLU.
public enum LayerActivation: String, Sendable, CaseIterable {
    case relu, none
}

/// How GCN scores a (user, movie) pair from their output rows z_u, z_m (`score=`).
///
/// - dot (default): z_u . z_m, unbounded.
/// - cosine: cos(z_u, z_m) / temperature. Each output row is L2-normalised
///   and scaled by sqrt(1 / temperature) before the item and feature bias
///   columns are appended, so the score is still a dot product of two rows
///   and every consumer (evaluation, recommend, what-if, LSH, explanations)
///   reads it unchanged. With a sampled softmax, a bounded score with a
///   temperature sets how sharply the loss concentrates on hard negatives.
public enum EmbeddingScore: String, Sendable, CaseIterable {
    case dot, cosine

    /// What each output row is multiplied by after normalising (nil: not normalised).
    public static func rowScale(_ score: EmbeddingScore, temperature: Float) -> Float? {
        score == .cosine ? (1 / temperature).squareRoot() : nil
    }
}
