import Foundation
import Tensors

/// Every model kind `train` accepts, and the operations that work on any of
/// them: fit by name, check and rebuild a saved model. Adding a model is a
/// file in `Models/` with a type conforming to `ModelKind` and one line in
/// `kinds`.
public enum ModelRegistry {
    public static var kinds: [any ModelKind.Type] {
        [GCN.self, GAT.self, LightGCN.self, MatrixFactorization.self,
         NCF.self,
         ALS.self, PureSVD.self, Popularity.self, ItemKNN.self, EASE.self]
    }

    public static var names: [String] { kinds.map { $0.name } }

    /// The kind called `name`, or an error listing the known ones.
    public static func kind(_ name: String) throws -> any ModelKind.Type {
        guard let kind = kinds.first(where: { $0.name == name }) else {
            throw RecError("unknown model '\(name)' (known: \(names.joined(separator: ", ")))")
        }
        return kind
    }

    // MARK: Fit

    /// Where the validation scores of a fit came from.
    public enum ValidationSource: Sendable, Equatable {
        /// The split's validation edges.
        case split
        /// The split has none and the options stop early: this share of each
        /// user's train positives was held out (seeded) to validate on.
        case carved(percent: Int, seed: UInt64)
        /// Nothing to validate on: every epoch trained, the last kept.
        case none

        public var description: String {
            switch self {
            case .split: "the split's validation edges"
            case .carved(let percent, let seed):
                "\(percent)% of each user's train positives (seed \(seed)), since the split has no validation edges"
            case .none: "none (the split has no validation edges)"
            }
        }
    }

    public struct Fitted {
        public var recommender: any Recommender
        public var history: TrainingHistory
        /// The options as trained (typed, defaults filled in).
        public var options: ModelOptions
        /// What ranks movies on the train graph, computed once.
        public var scorer: any Scorer
        /// The scorer's embeddings for a dot-product model; nil for one that is not (NCF).
        public var embeddings: Embeddings? { ColdStart.embeddings(of: scorer) }
        /// Validation metrics (K = 10) of the kept weights; nil without validation edges in the split.
        public var validation: EvaluationResult?
        public var validationSource: ValidationSource
        /// Wall time of the whole fit: training, validation and embedding.
        public var seconds: Double
        /// What the fit changed from the options given, and why.
        public var notes: [String]
    }

    /// Share of train positives held out to validate on when the split has none and early stopping needs some.
    public static let carvedPercent = 10

    /// What a fit validates on, decided once per split and options: the
    /// split's validation edges; else, when the kind trains by epochs and
    /// `patience` is on, a seeded share of train carved out (the model then
    /// trains on the rest); else nothing.
    public struct ValidationPlan {
        public var source: ValidationSource
        /// The graph the model trains on (the train graph less a carved share, if any).
        public var trainGraph: InteractionGraph
        /// Validation NDCG@10 of a scorer; nil when there is nothing to validate on.
        public var score: ((any Scorer) -> Double)?
        /// The split's validation evaluator, for the kept model's metrics.
        let splitValidator: Evaluator?

        /// `carveAlways`: carve for any kind without validation edges (a search needs a score even
        /// where training does not stop early).
        public init(kind: any ModelKind.Type, options: ModelOptions, split: Split, graph: InteractionGraph,
                    carveAlways: Bool = false) throws {
            trainGraph = graph
            let validator = try Evaluator(split: split, graph: graph, on: .validation, k: 10)
            if !validator.set.users.isEmpty {
                source = .split
                score = { validator.evaluate($0).ndcg }
                splitValidator = validator
                return
            }
            source = .none
            score = nil
            splitValidator = nil
            let stopsEarly = kind.capabilities.lossCurve && options.values["patience"].map { $0 != .off } == true
            guard carveAlways || stopsEarly else { return }
            let seed = UInt64((try? options.int("seed")) ?? 0)
            let carved = try Split.warm(positives: graph.edges, ratios: [100 - carvedPercent, carvedPercent, 0], seed: seed)
            let trainPart = InteractionGraph(userCount: graph.userCount, movieCount: graph.movieCount, edges: carved.train,
                                             userFeatures: graph.userFeatures, movieFeatures: graph.movieFeatures)
            let carvedValidator = try Evaluator(split: carved, graph: trainPart, on: .validation, k: 10)
            guard !carvedValidator.set.users.isEmpty else { return }
            source = .carved(percent: carvedPercent, seed: seed)
            trainGraph = trainPart
            score = { carvedValidator.evaluate($0).ndcg }
        }
    }

    /// The options of kind `name` from `text` (as typed), with `preset=` expanded.
    public static func options(_ name: String, text: [String: String]) throws -> ModelOptions {
        let kind = try kind(name)
        let options = try kind.parse(text)
        if let preset = options["preset"], preset != .word("none") {
            return try kind.parse(try TrainPreset.expand(OptionValues(text), kind: name).values)
        }
        return options
    }

    /// Fits the kind `name` with `text` options (as typed; `preset=` expanded)
    /// on `graph`, the train graph of `split`. Errors name the option or the
    /// problem, never a command.
    public static func fit(_ name: String, options text: [String: String], split: Split, graph: InteractionGraph,
                           control: RunControl = .silent) throws -> Fitted {
        let started = Date()
        let kind = try kind(name)
        let options = try Self.options(name, text: text)
        let plan = try ValidationPlan(kind: kind, options: options, split: split, graph: graph)
        return try fit(kind, options: options, plan: plan, graph: graph, control: control, started: started)
    }

    /// Fits `kind` with typed `options` under a validation plan made for `graph`
    /// (a search makes the plan once for all its trials). `onEpoch` sees each
    /// epoch's validation NDCG@10 as it is measured.
    public static func fit(_ kind: any ModelKind.Type, options: ModelOptions, plan: ValidationPlan, graph: InteractionGraph,
                           control: RunControl = .silent, onEpoch: ((Double) -> Void)? = nil,
                           started: Date = Date()) throws -> Fitted {
        try TrainingCost.check(kind: kind.name, options: OptionValues(options.text), graph: graph, budget: control.budget)
        var request = FitRequest(graph: plan.trainGraph, options: options, control: control)
        if let score = plan.score {
            request.validation = { scorer in
                let ndcg = score(scorer)
                onEpoch?(ndcg)
                return ndcg
            }
        }
        let result = try kind.fit(request)
        if result.history.interrupted && result.history.epochs == 0 {
            throw RecError("interrupted before the first epoch finished; nothing kept")
        }
        // Users the model cannot rank as trained get their kind's cold-user method, never the tie rule.
        let scorer = ColdStart.scorer(result.recommender, graph: graph)
        let validation = plan.splitValidator?.evaluate(scorer)
        var notes = result.notes
        if case .carved = plan.source { notes.append("validation: \(plan.source.description)") }
        if plan.source == .none, kind.capabilities.lossCurve, options.values["patience"].map({ $0 != .off }) == true {
            notes.append("patience: no validation edges to stop on (the split and train are too small to carve); trained every epoch")
        }
        if let note = coldValidationNote(result, kind: kind, plan: plan, graph: graph) { notes.append(note) }
        return Fitted(recommender: result.recommender, history: result.history, options: result.options,
                      scorer: scorer, validation: validation, validationSource: plan.source,
                      seconds: Date().timeIntervalSince(started), notes: notes)
    }

    /// Epoch validation scores the model's own rows, but validation users
    /// without train edges that the model cannot score are ranked by
    /// popularity in the kept model's figures: the epoch column then read
    /// untrained rows for them, and the note says so.
    static func coldValidationNote(_ result: FitResult, kind: any ModelKind.Type, plan: ValidationPlan,
                                   graph: InteractionGraph) -> String? {
        guard !result.history.validationNDCG.isEmpty, kind.name != Popularity.name,
              let users = plan.splitValidator?.set.users,
              ColdStart.coldUsers(of: result.recommender, graph: graph).noEdges == .popularity else { return nil }
        let cold = ColdStart.usersWithoutEdges(graph, among: users)
        guard cold > 0 else { return nil }
        let why = kind.capabilities.coldUsers.noEdges == .features ? " (it reads no user features here)" : ""
        return "cold users: \(cold) of the \(users.count) validation users have no train edges and \(kind.name) cannot "
            + "score them\(why); the epoch column read its untrained rows for them, val@10 and eval rank them by popularity"
    }

    // MARK: Restore

    /// The saved model `record` rebuilt for the data set `graph` stands for,
    /// after checking every tensor's name and shape against what its kind
    /// declares for its recorded options and the data set's counts: a
    /// mismatch is an error naming the model, the tensor, its shape and the
    /// expected one, and nothing is built. Faults in the recorded kind or
    /// options are `ManifestFault`s (the manifest is at fault, not the tensors).
    public static func restore(_ record: ModelRecord, graph: InteractionGraph) throws -> any Recommender {
        let kind: any ModelKind.Type
        do { kind = try self.kind(record.kind) } catch {
            throw ManifestFault("model '\(record.name)': kind '\(record.kind)' is not one this recsh can rebuild "
                + "(known: \(names.joined(separator: ", ")))")
        }
        let options: ModelOptions
        do {
            // Keys the kind does not declare (older records) are ignored; every declared one is checked.
            options = try kind.parse(record.options.filter { key, _ in kind.options.contains { $0.name == key } })
        } catch let error as RecError {
            throw ManifestFault("model '\(record.name)' (\(record.kind)): recorded option \(error.message)")
        }
        let expected = try kind.parameterShapes(options: options, graph: graph)
        for name in record.parameters.keys.sorted() where expected[name] == nil {
            throw RecError("model '\(record.name)' (\(record.kind)): tensor '\(name)' is not a parameter of \(record.kind) with "
                + "its recorded options (expected: \(expected.keys.sorted().joined(separator: ", ")))")
        }
        for name in expected.keys.sorted() {
            guard let m = record.parameters[name] else {
                throw RecError("model '\(record.name)' (\(record.kind)): tensor '\(name)' is missing")
            }
            let shape = [m.rows, m.cols], want = expected[name]!
            guard shape == want else {
                throw RecError("model '\(record.name)' (\(record.kind)): tensor '\(name)' has shape \(shape), expected \(want) "
                    + "(from its recorded options and the data set's \(graph.userCount) users and \(graph.movieCount) movies)")
            }
        }
        if let e = record.embeddings {
            guard e.users.rows == graph.userCount, e.items.rows == graph.movieCount else {
                throw RecError("model '\(record.name)' (\(record.kind)): saved embeddings cover \(e.users.rows) users and "
                    + "\(e.items.rows) movies; the data set has \(graph.userCount) and \(graph.movieCount)")
            }
        }
        return try kind.restore(parameters: record.parameters, options: options, graph: graph)
    }

    // MARK: Declarations across kinds

    /// One option name as `help train` shows it: the kinds that take it and each one's default.
    public struct SharedOption: Sendable {
        public var name: String
        public var type: OptionType
        public var help: String
        /// (kind, default) for every kind that declares the option, in registry order.
        public var defaults: [(kind: String, value: OptionValue)]

        /// "64" when every kind agrees; otherwise "als 30, others 0" or "svd 20, als 64".
        public var defaultText: String {
            var groups: [(value: OptionValue, kinds: [String])] = []
            for (kind, value) in defaults {
                if let i = groups.firstIndex(where: { $0.value == value }) { groups[i].kinds.append(kind) }
                else { groups.append((value, [kind])) }
            }
            if groups.count == 1 { return groups[0].value.description }
            let common = groups.max { $0.kinds.count < $1.kinds.count }!
            if common.kinds.count > 1 {
                let rest = groups.filter { $0.value != common.value }
                return (rest.map { "\($0.kinds.joined(separator: "/")) \($0.value)" } + ["others \(common.value)"])
                    .joined(separator: ", ")
            }
            return groups.map { "\($0.kinds.joined(separator: "/")) \($0.value)" }.joined(separator: ", ")
        }
    }

    /// Every option name over all kinds, in order of first declaration, with
    /// the help of each distinct meaning and which kinds take it.
    public static var sharedOptions: [SharedOption] {
        var out: [SharedOption] = []
        var helps: [String: [(help: String, kinds: [String])]] = [:]
        for kind in kinds {
            for o in kind.options {
                if let i = out.firstIndex(where: { $0.name == o.name }) {
                    out[i].defaults.append((kind.name, o.defaultValue))
                    // A choice takes every kind's words (`loss` is bce for ncf, bpr|margin|softmax elsewhere).
                    if case .choice(let known) = out[i].type, case .choice(let more) = o.type {
                        out[i].type = .choice(known + more.filter { !known.contains($0) })
                    }
                } else {
                    out.append(SharedOption(name: o.name, type: o.type, help: "", defaults: [(kind.name, o.defaultValue)]))
                }
                if let i = helps[o.name]?.firstIndex(where: { $0.help == o.help }) { helps[o.name]![i].kinds.append(kind.name) }
                else { helps[o.name, default: []].append((o.help, [kind.name])) }
            }
        }
        for i in out.indices {
            let meanings = helps[out[i].name] ?? []
            let everyKind = out[i].defaults.count == kinds.count
            out[i].help = meanings.map { m in
                everyKind && meanings.count == 1 ? m.help : "\(m.kinds.joined(separator: "/")): \(m.help)"
            }.joined(separator: "; ")
        }
        return out
    }
}

extension InteractionGraph {
    /// The same users, movies and features with no edges: what a model's
    /// shapes depend on, without its message-passing structure.
    var withoutEdges: InteractionGraph {
        InteractionGraph(userCount: userCount, movieCount: movieCount, edges: [],
                         userFeatures: userFeatures, movieFeatures: movieFeatures)
    }
}
