import Tensors

/// What a model kind can do, declared once beside its options so commands
/// (and a future `tune`) ask the declaration instead of the model's name.
public struct ModelCapabilities: Sendable, Equatable {
    /// How the kind scores a user it cannot rank as trained: one with no
    /// edges, and one known only by a few likes (a new user; an edited one
    /// when the kind's user vectors are fixed at training).
    public struct ColdUsers: Sendable, Equatable {
        /// `.features` holds only where the model reads user features; without them it is `.popularity`.
        public var noEdges: ScoringMethod
        public var fewLikes: ScoringMethod
    }

    /// Whose scores an edit of one user's likes can change (`whatif`).
    public enum EditReach: String, Sendable, Equatable {
        /// Message passing carries the edit to the neighbours' representations.
        case propagates
        /// Only the edited user's own row is read: other users' lists stay.
        case ownRow
        /// The scores are global counts: nobody's list follows one user's likes.
        case global
    }

    /// Whether node features enter the model.
    public enum Features: String, Sendable, Equatable {
        /// Never read.
        case unused
        /// Used where the data set has them (`features=`), ID embeddings where it has none.
        case optional
    }

    /// `embed` reflects edges and users added after training.
    public var inductive: Bool
    public var coldUsers: ColdUsers
    public var edits: EditReach
    /// Has attention weights to inspect (`attention`, `export attention`).
    public var attention: Bool
    /// Trained by gradient steps with a loss per epoch (`plot loss`).
    public var lossCurve: Bool
    public var features: Features

    public init(inductive: Bool, coldUsers: ColdUsers, edits: EditReach, attention: Bool = false, lossCurve: Bool = false,
                features: Features = .unused) {
        self.inductive = inductive
        self.coldUsers = coldUsers
        self.edits = edits
        self.attention = attention
        self.lossCurve = lossCurve
        self.features = features
    }
}

/// What a fit needs: the train graph, the typed options, and (for kinds
/// that train by epochs) how to score an epoch's embeddings on validation.
public struct FitRequest {
    public var graph: InteractionGraph
    public var options: ModelOptions
    /// Validation NDCG@10 of a scorer; nil when there is nothing to validate on.
    public var validation: ((any Scorer) -> Double)?
    public var control: RunControl

    public init(graph: InteractionGraph, options: ModelOptions, validation: ((any Scorer) -> Double)? = nil,
                control: RunControl = .silent) {
        self.graph = graph
        self.options = options
        self.validation = validation
        self.control = control
    }
}

/// A fitted model with its history and the options it was actually trained with.
public struct FitResult {
    public var recommender: any Recommender
    public var history: TrainingHistory
    /// As trained: a kind may change what the data set cannot give it (no
    /// features: `ids=on`), and says why in `notes`.
    public var options: ModelOptions
    public var notes: [String]

    public init(recommender: any Recommender, history: TrainingHistory, options: ModelOptions, notes: [String] = []) {
        self.recommender = recommender
        self.history = history
        self.options = options
        self.notes = notes
    }
}

/// One model kind: the single place that declares its name, options and
/// capabilities, and says how it fits, which tensors it saves and how it is
/// rebuilt from them. `ModelRegistry.kinds` lists every kind; adding a model
/// is one file in `Models/` conforming to this protocol plus one line there.
public protocol ModelKind {
    /// The name `train` takes ("gcn", "ease", ...); equals `Recommender.kind` of what `fit` returns.
    static var name: String { get }
    /// One line for `help train`.
    static var summary: String { get }
    static var options: [ModelOption] { get }
    static var capabilities: ModelCapabilities { get }
    /// Fits on `request.graph` (the split's train graph).
    static func fit(_ request: FitRequest) throws -> FitResult
    /// Name and shape ([rows, cols]) of every parameter a fitted model with
    /// `options` has on a data set shaped like `graph` (its users, movies and
    /// feature tables): restore checks a bundle against this before building anything.
    static func parameterShapes(options: ModelOptions, graph: InteractionGraph) throws -> [String: [Int]]
    /// The model from parameters whose names and shapes `parameterShapes` has checked.
    static func restore(parameters: [String: Matrix], options: ModelOptions, graph: InteractionGraph) throws -> any Recommender
}

extension ModelKind {
    /// `text` (key=value as typed) parsed against this kind's options.
    public static func parse(_ text: [String: String]) throws -> ModelOptions {
        try ModelOptions(parsing: text, declarations: options)
    }

    public static func parse(_ text: OptionValues) throws -> ModelOptions { try parse(text.values) }
}

/// A kind trained by the `Trainer` (GCN, GAT, LightGCN, BPR-MF): fitting,
/// the parameter shapes and the restore all go through `init(graph:options:)`,
/// so a fresh model's parameters are the declaration of what a saved one holds.
public protocol GraphModelKind: ModelKind, TrainableModel {
    init(graph: InteractionGraph, options: TrainOptions)
}

extension GraphModelKind {
    public static func fit(_ request: FitRequest) throws -> FitResult {
        var trainOptions = try TrainOptions(request.options)
        var model = Self(graph: request.graph, options: trainOptions)
        var notes: [String] = []
        if model.propagatesOverGraph {
            // Resolved here so the options recorded and shown say what ran, and why.
            let (resolved, reason) = NeighborSampling.resolve(trainOptions, graph: request.graph, given: request.options.given)
            trainOptions = resolved
            notes.append(NeighborSampling.describe(resolved, reason: reason))
        }
        let trainer = Trainer(options: trainOptions, control: request.control,
                              validation: request.validation.map { score in { score($0) } })
        let history = try trainer.train(&model, on: request.graph)
        let effective = model.effective(trainOptions)
        var options = request.options
        effective.write(to: &options)
        let (userFeatures, movieFeatures) = NodeInput.available(request.graph)
        let changed = effective.ids != trainOptions.ids || effective.features != trainOptions.features
        if capabilities.features == .optional && (changed || userFeatures == 0 || movieFeatures == 0) {
            notes.append("\(name) input: \(NodeInput.describe(request.graph, options: trainOptions)) "
                + "(so ids=\(effective.ids ? "on" : "off"))")
        }
        if trainOptions.featureBias != .off && effective.featureBias == .off {
            notes.append("feature-bias: the data set has no user features to weight, so feature-bias=off")
        }
        return FitResult(recommender: model, history: history, options: options, notes: notes)
    }

    public static func parameterShapes(options: ModelOptions, graph: InteractionGraph) throws -> [String: [Int]] {
        let model = Self(graph: graph.withoutEdges, options: try TrainOptions(options))
        return model.parameters.mapValues { [$0.rows, $0.cols] }
    }

    public static func restore(parameters: [String: Matrix], options: ModelOptions, graph: InteractionGraph) throws -> any Recommender {
        var model = Self(graph: graph.withoutEdges, options: try TrainOptions(options))
        model.parameters = parameters
        return model
    }
}
