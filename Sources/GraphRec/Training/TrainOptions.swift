/// The hyperparameters of `train`, with the seed study's defaults (COMMANDS.md).
///
/// Parsed from a command's `key=value` options; every error names the
/// option at fault ("lr: expected a number, got 'fast'"). Models read the
/// architecture fields (layers, hidden, dim, heads, features, ids), the
/// `Trainer` the rest.
public struct TrainOptions: Sendable, Equatable {
    public var loss: PairwiseLoss = .bpr
    public var layers = 2
    public var hidden = 128
    /// Output embedding width (and ID embedding width).
    public var dim = 64
    /// Attention heads (GAT only).
    public var heads = 1
    public var negatives = 10
    public var margin: Float = 0.01
    public var learningRate: Float = 0.001
    public var weightDecay: Float = 0
    public var epochs = 15
    public var batchSize = 1024
    public var seed: UInt64 = 0
    public var features = true
    public var ids = false
    /// Stop after this many epochs without a better validation NDCG@10; nil = never.
    public var patience: Int?
    /// L2 on the ID embeddings each batch touches (`EmbeddingRegularizer`); 0 = off.
    public var reg: Float = 0
    /// Dropout rate on ID embeddings and hidden layers while training (gcn); 0 = off.
    public var dropout: Float = 0
    /// Hide each batch's positives from message passing (`MessageEdges`).
    public var holdout = false
    /// Share of the other train edges hidden from message passing per batch (`MessageEdges`).
    public var edgeDropout: Float = 0
    /// Decay of the weight moving average the trainer keeps (`WeightAverage`); 0 = off.
    public var ema: Float = 0
    /// How GCN draws its layer weights: PyTorch Geometric's defaults (as the reference) or Glorot.
    public var initialization: WeightInit = .pyg
    /// The named preset the options were expanded from (`TrainPreset`), recorded only.
    public var preset: String?

    public init() {}

    /// Every key `init(_:)` accepts.
    public static let keys = ["loss", "layers", "hidden", "dim", "heads", "negatives", "margin", "lr",
                              "weight-decay", "epochs", "batch", "seed", "features", "ids", "patience", "reg", "preset",
                              "init", "dropout", "holdout", "edge-dropout", "ema"]

    /// Reads the options, rejecting unknown keys (`command` names the command in that error).
    public init(_ o: OptionValues, command: String = "train", extraKeys: [String] = []) throws {
        try o.checkKnown(Self.keys + extraKeys, command: command)
        loss = PairwiseLoss(rawValue: try o.choice("loss", default: "bpr", from: PairwiseLoss.allCases.map(\.rawValue)))!
        layers = try o.int("layers", default: 2, range: 1...8)
        hidden = try o.int("hidden", default: 128, range: 1...4096)
        dim = try o.int("dim", default: 64, range: 1...4096)
        heads = try o.int("heads", default: 1, range: 1...64)
        negatives = try o.int("negatives", default: 10, range: 1...1000)
        margin = try o.float("margin", default: 0.01, range: 0...1000)
        learningRate = try o.float("lr", default: 0.001, range: 1e-8...10)
        weightDecay = try o.float("weight-decay", default: 0, range: 0...10)
        epochs = try o.int("epochs", default: 15, range: 1...100_000)
        batchSize = try o.int("batch", default: 1024, range: 1...10_000_000)
        seed = UInt64(try o.int("seed", default: 0, range: 0...Int.max))
        features = try o.bool("features", default: true)
        ids = try o.bool("ids", default: false)
        if o.has("patience") && o["patience"] != "off" {
            patience = try o.int("patience", default: 0, range: 1...100_000)
        }
        initialization = WeightInit(rawValue: try o.choice("init", default: "pyg", from: WeightInit.allCases.map(\.rawValue)))!
        reg = try o.float("reg", default: 0, range: 0...100)
        dropout = try o.float("dropout", default: 0, range: 0...0.95)
        holdout = try o.bool("holdout", default: false)
        edgeDropout = try o.float("edge-dropout", default: 0, range: 0...0.95)
        ema = try o.float("ema", default: 0, range: 0...0.9999)
        if let name = o["preset"] {
            preset = try o.choice("preset", default: name, from: TrainPreset.allCases.map(\.rawValue))
        }
    }

    /// The options as `key=value` strings with defaults filled in (for `TrainedModel.options`).
    public var asDictionary: [String: String] {
        var d: [String: String] = [
            "loss": loss.rawValue, "layers": "\(layers)", "hidden": "\(hidden)", "dim": "\(dim)",
            "heads": "\(heads)", "negatives": "\(negatives)", "margin": "\(margin)", "lr": "\(learningRate)",
            "weight-decay": "\(weightDecay)", "epochs": "\(epochs)", "batch": "\(batchSize)", "seed": "\(seed)",
            "features": features ? "on" : "off", "ids": ids ? "on" : "off", "reg": "\(reg)", "dropout": "\(dropout)",
            "holdout": holdout ? "on" : "off", "edge-dropout": "\(edgeDropout)", "ema": "\(ema)",
            "init": initialization.rawValue,
        ]
        if let patience { d["patience"] = "\(patience)" }
        if let preset { d["preset"] = preset }
        return d
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
